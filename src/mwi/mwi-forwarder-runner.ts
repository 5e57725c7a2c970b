/**
 * One `--mwi-target`: a window of requests in flight, a queue of mailboxes
 * waiting to be sent (coalesced: newest state wins), retries with back-off,
 * and, for PUBLISH, the entity-tag and refresh of each mailbox's
 * publication (RFC 3903 section 4).
 */
import type { ViaSentBy } from '../sip/dialog/index.js';
import type { SipRequest, SipResponse } from '../sip/message/index.js';
import type { Clock, TimerHandle } from '../base/clock.js';
import type { TxDestination } from '../sip/transaction/index.js';
import { type MwiSendKind, type MwiSnapshot, buildForwardRequest } from './mwi-forwarder-request.js';
import type { MwiTarget } from './mwi-forwarder-target.js';

/**
 * The outcome of one attempt, for the metric:
 * - `delivered`: 2xx
 * - `timeout`: no final response (Timer B/F, RFC 3261 17.1.2.2) or 408 — retried
 * - `transport-error`: the transport failed (RFC 3261 17.1.4) or the host did not resolve — retried
 * - `unavailable`: 500, 503 (honouring Retry-After), 504 — retried
 * - `etag-expired`: 412 to a PUBLISH with SIP-If-Match (RFC 3903 section 6): started again with an initial PUBLISH
 * - `rejected`: any other final response (e.g. 403, 404, 489), or a request that could not be built — not retried
 * - `gave-up`: reported after the last failed attempt of a run (in addition to that attempt's outcome)
 */
export type MwiForwardOutcome =
  'delivered' | 'timeout' | 'transport-error' | 'unavailable' | 'etag-expired' | 'rejected' | 'gave-up';

/**
 * The callbacks of one send. A subset of the transaction layer's
 * ClientTransactionHandlers (RFC 3261 17.1.4), so that
 * `core.sendRequest(req, dest, handlers)` takes it as is.
 */
export interface MwiSendHandlers {
  onFinal(response: SipResponse): void;
  onTimeout(): void;
  onTransportError(error: Error): void;
}

/** What a runner needs from its forwarder. */
export interface RunnerDeps {
  send(req: SipRequest, dest: TxDestination, handlers: MwiSendHandlers): void;
  viaFor(protocol: TxDestination['protocol']): ViaSentBy;
  clock: Clock;
  product: string;
  onOutcome(target: string, outcome: MwiForwardOutcome): void;
  lookup(host: string): Promise<string>;
  random(): number;
  publishExpires: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  recoveryMs: number;
  maxInFlight: number;
}

const IDLE = 0;
const QUEUED = 1;
const IN_FLIGHT = 2;
/** waiting out a back-off delay: a new change waits too (the target is failing) */
const BACKOFF = 3;
/** gave up, will try again after `recoveryMs`: a new change is sent at once */
const RECOVERY = 4;

/** Longest Retry-After we wait for (seconds). */
const MAX_RETRY_AFTER_S = 300;
/** How long a resolved address is used (no TTL from getaddrinfo). */
const ADDRESS_TTL_MS = 60_000;

/** The state of one mailbox at one target. */
interface Slot {
  readonly mailbox: string;
  /** newest state to deliver */
  latest: MwiSnapshot;
  /** state the target last accepted (2xx) */
  acked: MwiSnapshot | undefined;
  phase: number;
  /** failed attempts in the current run */
  attempts: number;
  /** back-off or recovery */
  retryTimer: TimerHandle | undefined;
  /** PUBLISH: the entity-tag of our publication, and when it lapses (clock ms) */
  etag: string | undefined;
  etagExpiresAt: number;
  refreshTimer: TimerHandle | undefined;
  /** PUBLISH: the publication must be refreshed even if the state did not change */
  refreshDue: boolean;
  current: Attempt | undefined;
}

/** The handlers of one send (one small object, no closures). */
class Attempt implements MwiSendHandlers {
  constructor(
    readonly runner: TargetRunner,
    readonly slot: Slot,
    readonly kind: MwiSendKind,
    readonly sent: MwiSnapshot | undefined,
  ) {}
  onFinal(response: SipResponse): void {
    this.runner.finished(this, response.status, response);
  }
  onTimeout(): void {
    this.runner.finished(this, 0, undefined);
  }
  onTransportError(): void {
    this.runner.finished(this, -1, undefined);
  }
}

/** See the module documentation; created by MwiForwarder, one per target. */
export class TargetRunner {
  private readonly slots = new Map<string, Slot>();
  /** ready to send, in order (a Set: a slot is queued once) */
  private readonly queue = new Set<Slot>();
  private inFlight = 0;
  private stopped = false;
  private dest: TxDestination | undefined;
  private destUntil = Infinity;
  private resolving = false;

  constructor(
    readonly target: MwiTarget,
    private readonly d: RunnerDeps,
  ) {
    if (!target.isName) this.dest = this.destFor(target.host);
  }

  /** Counts for tests and gauges. */
  get stats(): { slots: number; queued: number; inFlight: number } {
    return { slots: this.slots.size, queued: this.queue.size, inFlight: this.inFlight };
  }

  /** A new state of a mailbox (newest wins). `onlyIfNew`: skip mailboxes this runner already tracks (resync). */
  offer(snap: MwiSnapshot, onlyIfNew = false): void {
    if (this.stopped) return;
    let s = this.slots.get(snap.state.mailbox);
    if (s !== undefined && onlyIfNew) return;
    if (s === undefined) {
      s = {
        mailbox: snap.state.mailbox,
        latest: snap,
        acked: undefined,
        phase: IDLE,
        attempts: 0,
        retryTimer: undefined,
        etag: undefined,
        etagExpiresAt: 0,
        refreshTimer: undefined,
        refreshDue: false,
        current: undefined,
      };
      this.slots.set(s.mailbox, s);
    }
    s.latest = snap;
    if (s.phase === IDLE || s.phase === RECOVERY) {
      this.clearRetry(s);
      this.enqueue(s);
      this.pump();
    }
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.slots.values()) {
      this.clearRetry(s);
      if (s.refreshTimer !== undefined) this.d.clock.clearTimeout(s.refreshTimer);
      s.current = undefined;
    }
    this.slots.clear();
    this.queue.clear();
  }

  /** A send ended: `status` is the final status, 0 for a timeout, -1 for a transport error. */
  finished(a: Attempt, status: number, res: SipResponse | undefined): void {
    const s = a.slot;
    if (this.stopped || s.current !== a) return;
    s.current = undefined;
    this.inFlight--;
    if (status >= 200 && status < 300) this.delivered(s, a, res);
    else if (status === 412 && a.kind !== 'notify' && a.kind !== 'initial') {
      this.outcome('etag-expired');
      s.etag = undefined;
      if (++s.attempts >= this.d.maxAttempts) this.giveUp(s);
      else this.enqueue(s);
    } else if (status <= 0 || status === 408) this.failed(s, status === -1 ? 'transport-error' : 'timeout', 0);
    else if (status === 500 || status === 503 || status === 504)
      this.failed(s, 'unavailable', res ? retryAfter(res) : 0);
    else {
      // not retried; a newer state, if any, is still sent (newest wins)
      this.outcome('rejected');
      s.attempts = 0;
      s.refreshDue = false;
      this.settle(s, a.sent);
    }
    this.pump();
  }

  private outcome(o: MwiForwardOutcome): void {
    try {
      this.d.onOutcome(this.target.uri, o);
    } catch {
      // a metric must never break delivery
    }
  }

  private delivered(s: Slot, a: Attempt, res: SipResponse | undefined): void {
    this.outcome('delivered');
    s.attempts = 0;
    if (a.sent !== undefined) s.acked = a.sent;
    if (a.kind !== 'notify') {
      // RFC 3903 section 4.1/6: the 2xx carries the new entity-tag and the granted expiry.
      s.etag = res?.getHeader('SIP-ETag')?.trim() || undefined;
      const granted = grantedExpires(res, this.d.publishExpires);
      s.etagExpiresAt = this.d.clock.now() + granted * 1000;
      s.refreshDue = false;
      if (s.refreshTimer !== undefined) this.d.clock.clearTimeout(s.refreshTimer);
      // Refresh at 85-95% of the granted time (spread, so that a burst of publications does not refresh as one).
      // Without an entity-tag the "refresh" is a new initial PUBLISH.
      s.refreshTimer = this.d.clock.setTimeout(
        () => this.refreshFired(s),
        granted * 1000 * (0.85 + 0.1 * this.d.random()),
      );
    }
    this.settle(s, a.sent);
  }

  /** After a final answer: send again if a newer state came meanwhile, else rest. */
  private settle(s: Slot, sent: MwiSnapshot | undefined): void {
    if (s.latest !== sent && s.latest !== s.acked) this.enqueue(s);
    else this.rest(s);
  }

  private rest(s: Slot): void {
    s.phase = IDLE;
    // A NOTIFY target keeps nothing once delivered: no entity-tag, no refresh.
    if (this.target.method === 'NOTIFY' && s.retryTimer === undefined) this.slots.delete(s.mailbox);
  }

  private failed(s: Slot, o: MwiForwardOutcome, retryAfterS: number): void {
    this.outcome(o);
    if (++s.attempts >= this.d.maxAttempts) {
      this.giveUp(s);
      return;
    }
    // RFC 3261 21.5.4: a 503 may say when to come back; otherwise exponential back-off with jitter.
    let delay =
      Math.min(this.d.retryMaxMs, this.d.retryBaseMs * 2 ** (s.attempts - 1)) * (0.75 + 0.5 * this.d.random());
    if (retryAfterS > 0) delay = Math.max(delay, Math.min(retryAfterS, MAX_RETRY_AFTER_S) * 1000);
    s.phase = BACKOFF;
    s.retryTimer = this.d.clock.setTimeout(() => this.retryFired(s), delay);
  }

  /**
   * The bounded run of attempts failed: report it, and try once more
   * after `recoveryMs` (a new change is sent at once), so that the target
   * converges to the latest state when it comes back.
   */
  private giveUp(s: Slot): void {
    this.outcome('gave-up');
    s.attempts = 0;
    s.phase = RECOVERY;
    s.retryTimer = this.d.clock.setTimeout(() => this.retryFired(s), this.d.recoveryMs);
  }

  private retryFired(s: Slot): void {
    s.retryTimer = undefined;
    if (this.stopped || (s.phase !== BACKOFF && s.phase !== RECOVERY)) return;
    this.enqueue(s);
    this.pump();
  }

  private refreshFired(s: Slot): void {
    s.refreshTimer = undefined;
    if (this.stopped) return;
    s.refreshDue = true;
    if (s.phase === IDLE || s.phase === RECOVERY) {
      this.clearRetry(s);
      this.enqueue(s);
      this.pump();
    }
  }

  private clearRetry(s: Slot): void {
    if (s.retryTimer !== undefined) this.d.clock.clearTimeout(s.retryTimer);
    s.retryTimer = undefined;
  }

  private enqueue(s: Slot): void {
    s.phase = QUEUED;
    this.queue.add(s);
  }

  /** Start queued sends while the window has room (and the target's address is known). */
  private pump(): void {
    while (!this.stopped && this.inFlight < this.d.maxInFlight && this.queue.size > 0) {
      if (this.dest === undefined || this.d.clock.now() >= this.destUntil) {
        this.resolve();
        if (this.dest === undefined) return;
      }
      const s = this.queue.values().next().value as Slot;
      this.queue.delete(s);
      this.start(s, this.dest);
    }
  }

  private start(s: Slot, dest: TxDestination): void {
    let kind: MwiSendKind;
    if (this.target.method === 'NOTIFY') kind = 'notify';
    else {
      if (s.etag !== undefined && this.d.clock.now() >= s.etagExpiresAt) s.etag = undefined;
      if (s.latest !== s.acked) kind = s.etag === undefined ? 'initial' : 'modify';
      else if (s.refreshDue || s.etag === undefined) kind = s.etag === undefined ? 'initial' : 'refresh';
      else {
        this.rest(s);
        return;
      }
    }
    const sent = kind === 'refresh' ? undefined : s.latest;
    let req: SipRequest;
    try {
      req = buildForwardRequest(kind, s.latest.aor, sent?.body, {
        via: this.d.viaFor(dest.protocol),
        product: this.d.product,
        expires: this.d.publishExpires,
        ...(s.etag !== undefined && { etag: s.etag }),
      });
    } catch {
      this.outcome('rejected');
      s.attempts = 0;
      this.rest(s);
      return;
    }
    const a = new Attempt(this, s, kind, sent);
    s.current = a;
    s.phase = IN_FLIGHT;
    this.inFlight++;
    try {
      this.d.send(req, dest, a);
    } catch {
      a.onTransportError();
    }
  }

  private destFor(address: string): TxDestination {
    const p = this.target.protocol;
    return { protocol: p, address, port: this.target.port, reliable: p !== 'udp' };
  }

  /** A/AAAA of a target named by host name (RFC 3263 section 4.2 without SRV), kept for a minute. */
  private resolve(): void {
    if (this.resolving || !this.target.isName) return;
    this.resolving = true;
    let p: Promise<string>;
    try {
      p = this.d.lookup(this.target.host);
    } catch (e) {
      p = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    p.then(
      (address) => {
        this.resolving = false;
        if (this.stopped) return;
        this.dest = this.destFor(address);
        this.destUntil = this.d.clock.now() + ADDRESS_TTL_MS;
        this.pump();
      },
      () => {
        this.resolving = false;
        if (this.stopped) return;
        if (this.dest !== undefined) {
          // keep the last address a little longer rather than stop sending
          this.destUntil = this.d.clock.now() + ADDRESS_TTL_MS / 6;
          this.pump();
          return;
        }
        const waiting = [...this.queue];
        this.queue.clear();
        for (const s of waiting) this.failed(s, 'transport-error', 0);
      },
    );
  }
}

/** Expires of a PUBLISH 2xx (RFC 3903 section 4.1: the server may shorten it); else what we asked for. */
function grantedExpires(res: SipResponse | undefined, asked: number): number {
  let e: number | undefined;
  try {
    e = res?.expires;
  } catch {
    e = undefined;
  }
  return e !== undefined && e > 0 ? e : asked;
}

/** Retry-After seconds of a response (RFC 3261 20.33), 0 when absent or unreadable. */
function retryAfter(res: SipResponse): number {
  const v = res.getHeader('Retry-After');
  if (v === undefined) return 0;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}
