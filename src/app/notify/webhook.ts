import { randomUUID } from 'node:crypto';
import { RealClock, type Clock } from '../../base/clock.js';
import type { MessageRecord } from '../../storage/ports.js';
import { VERSION } from '../version.js';
import { parseRetryAfter, WEBHOOK_RETRY, type RetryPolicy } from './retry-policy.js';
import { errorText, RetryQueue, type AttemptResult, type DeliveryOutcome } from './retry-queue.js';
import { DEPOSIT_EVENT, depositEventBody } from './webhook-payload.js';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

/** One webhook delivery: the body is fixed when queued, the signature made at each attempt. */
export interface WebhookDelivery {
  /** `X-Openum-Delivery`: the same across the retries of one event (receivers drop repeats by it). */
  id: string;
  event: string;
  messageId: string;
  body: string;
}

/** Facts that go with an outcome. */
export interface WebhookOutcomeDetail {
  deliveryId: string;
  messageId: string;
  attempt: number;
  reason?: string;
  delayMs?: number;
}

export interface WebhookSenderOptions {
  /** `--webhook`: an http(s) URL. */
  url: string;
  /** The HMAC key (see webhook-secret.ts). */
  secret: string;
  /** Where the REST API is reached from outside, e.g. `http://voicemail.example.com:8080`. */
  publicBaseUrl: string;
  clock?: Clock;
  policy?: RetryPolicy;
  /** Per attempt, the whole exchange. Default 10 s. */
  timeoutMs?: number;
  /** Default 10,000. */
  maxPending?: number;
  /** Requests under way at once. Default 4. */
  concurrency?: number;
  random?: () => number;
  onOutcome?: (outcome: DeliveryOutcome, detail: WebhookOutcomeDetail) => void;
  /** Node's global fetch unless given. */
  fetch?: typeof fetch;
}

/**
 * POSTs each new message to `--webhook` as JSON (webhook-payload.ts),
 * signed (webhook-signature.ts), with `X-Openum-Event` and a delivery id
 * that stays the same across retries. A 2xx is delivered; a network error,
 * a timeout, 408, 429 and 5xx are tried again with back-off (honouring
 * Retry-After, RFC 9110 section 10.2.3); anything else (3xx: redirects are
 * not followed; other 4xx) gives up.
 */
export class WebhookSender {
  private readonly queue: RetryQueue<WebhookDelivery>;
  private readonly clock: Clock;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly userAgent = `openum/${VERSION}`;
  /** Aborts the requests under way at {@link stop}. */
  private readonly stopping = new AbortController();

  constructor(private readonly opts: WebhookSenderOptions) {
    this.clock = opts.clock ?? new RealClock();
    this.fetch = opts.fetch ?? globalThis.fetch;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    const onOutcome = opts.onOutcome;
    this.queue = new RetryQueue<WebhookDelivery>({
      clock: this.clock,
      policy: opts.policy ?? WEBHOOK_RETRY,
      attempt: (d) => this.attempt(d),
      ...(opts.maxPending !== undefined && { maxPending: opts.maxPending }),
      ...(opts.concurrency !== undefined && { concurrency: opts.concurrency }),
      ...(opts.random !== undefined && { random: opts.random }),
      ...(onOutcome && {
        onOutcome: (outcome, d, detail) => onOutcome(outcome, { deliveryId: d.id, messageId: d.messageId, ...detail }),
      }),
    });
  }

  /** Queue the deposit event of `message`; returns its delivery id. */
  send(message: MessageRecord): string {
    const d: WebhookDelivery = {
      id: randomUUID(),
      event: DEPOSIT_EVENT,
      messageId: message.id,
      body: JSON.stringify(depositEventBody(message, this.opts.publicBaseUrl)),
    };
    this.queue.push(d);
    return d.id;
  }

  /** Deliveries held (waiting, due or under way). */
  get pending(): number {
    return this.queue.pending;
  }

  /** Deliveries dropped because the queue was full. */
  get dropped(): number {
    return this.queue.dropped;
  }

  /** Cancel every timer, forget what is queued, abort the requests under way. */
  stop(): void {
    this.queue.stop();
    this.stopping.abort();
  }

  private async attempt(d: WebhookDelivery): Promise<AttemptResult> {
    let res: Response;
    try {
      res = await this.fetch(this.opts.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': this.userAgent,
          'X-Openum-Event': d.event,
          'X-Openum-Delivery': d.id,
          [SIGNATURE_HEADER]: signWebhook(this.opts.secret, d.body, this.clock.now()),
        },
        body: d.body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.stopping.signal]),
      });
    } catch (err) {
      return { ok: false, retry: true, reason: fetchErrorText(err) };
    }
    // The receiver's answer is not read: free the connection.
    await res.body?.cancel().catch(() => undefined);
    const s = res.status;
    if (s >= 200 && s < 300) return { ok: true };
    const reason = `HTTP ${s}`;
    if (s === 408 || s === 429 || s >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
      return { ok: false, retry: true, reason, ...(retryAfterMs !== undefined && { retryAfterMs }) };
    }
    return { ok: false, retry: false, reason };
  }
}

/** fetch says "fetch failed" and hides the cause (ECONNREFUSED...) one level down. */
function fetchErrorText(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'timed out';
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  return errorText(err);
}
