import { readFile } from 'node:fs/promises';
import { createTransport, type Mail } from 'nodemailer';
import type { SMTPSentMessageInfo, SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import { RealClock, type Clock } from '../../base/clock.js';
import type { MessageRecord } from '../../storage/ports.js';
import { VERSION } from '../version.js';
import { parseSender } from './email-address.js';
import { attachmentName, mailSubject, mailText } from './mail-content.js';
import { MAIL_RETRY, type RetryPolicy } from './retry-policy.js';
import { errorText, RetryQueue, type AttemptResult, type DeliveryOutcome } from './retry-queue.js';

/** Where the WAV is: a file (read at each attempt, so a queued mail holds no audio) or bytes. */
export type MailAudio = { path: string } | { bytes: Uint8Array };

/** The user a message is mailed to. */
export interface MailUser {
  name: string;
  email: string | null;
  displayName?: string | null;
}

interface MailJob {
  message: MessageRecord;
  user: MailUser & { email: string };
  audio: MailAudio;
}

/** Facts that go with an outcome. */
export interface MailOutcomeDetail {
  messageId: string;
  to: string;
  attempt: number;
  reason?: string;
  delayMs?: number;
}

export interface MessageMailerOptions {
  /** `--smtp`: `smtp://[user:pass@]host[:port]` (STARTTLS when offered) or `smtps://` (TLS from the start). */
  smtpUrl: string;
  /** `--smtp-from`: `addr` or `Name <addr>`. */
  from: string;
  clock?: Clock;
  policy?: RetryPolicy;
  /** Connect, greeting and idle-socket limits of one attempt. Default 10 s, 10 s, 60 s. */
  timeouts?: { connectMs?: number; greetingMs?: number; socketMs?: number };
  /** Default 10,000. */
  maxPending?: number;
  /** Mails being sent at once. Default 2. */
  concurrency?: number;
  random?: () => number;
  onOutcome?: (outcome: DeliveryOutcome, detail: MailOutcomeDetail) => void;
}

/** nodemailer error codes that a second try would meet again. */
const PERMANENT = new Set([
  'EAUTH',
  'ENOAUTH',
  'EOAUTH2',
  'ECONFIG',
  'EENVELOPE',
  'EMESSAGE',
  'EREQUIRETLS',
  'EMAXRECIPIENTS',
  'EFILEACCESS',
  'EURLACCESS',
]);

/**
 * Whether a failed SMTP send is worth another try: an SMTP reply decides by
 * its class (RFC 5321 section 4.2.1: 4yz transient, 5yz permanent, except
 * 503 bad sequence, which a new session may clear); without a reply, a
 * connection that failed or dropped is transient, a refused envelope,
 * message or login is not.
 */
export function smtpErrorResult(err: unknown): AttemptResult {
  const e = err as { code?: unknown; responseCode?: unknown; response?: unknown };
  const rc = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reason =
    typeof e.response === 'string' ? e.response : `${typeof e.code === 'string' ? `${e.code}: ` : ''}${errorText(err)}`;
  if (rc !== undefined) return { ok: false, retry: rc < 500 || rc === 503, reason };
  return { ok: false, retry: !(typeof e.code === 'string' && PERMANENT.has(e.code)), reason };
}

/**
 * E-mails each new message to its user's address (`openum user add
 * --email`) through `--smtp` with nodemailer, the WAV attached
 * (`msg-ID.wav`, audio/wav). Transient failures are tried again with
 * back-off (MAIL_RETRY: 5 attempts), permanent ones (5yz, refused login)
 * give up.
 */
export class MessageMailer {
  private readonly queue: RetryQueue<MailJob>;
  private readonly transport: Mail<SMTPSentMessageInfo, SMTPTransportOptions>;
  private readonly from: { name: string; address: string } | string;
  /** Aborts the sends under way at {@link stop}. */
  private readonly stopping = new AbortController();

  constructor(opts: MessageMailerOptions) {
    const sender = parseSender(opts.from);
    if (!sender) throw new Error(`--smtp-from "${opts.from}" is not an address`);
    this.from = sender.name ? { name: sender.name, address: sender.address } : sender.address;
    this.transport = createTransport({
      url: opts.smtpUrl,
      connectionTimeout: opts.timeouts?.connectMs ?? 10_000,
      greetingTimeout: opts.timeouts?.greetingMs ?? 10_000,
      socketTimeout: opts.timeouts?.socketMs ?? 60_000,
    });
    const onOutcome = opts.onOutcome;
    this.queue = new RetryQueue<MailJob>({
      clock: opts.clock ?? new RealClock(),
      policy: opts.policy ?? MAIL_RETRY,
      concurrency: opts.concurrency ?? 2,
      attempt: (job) => this.attempt(job),
      ...(opts.maxPending !== undefined && { maxPending: opts.maxPending }),
      ...(opts.random !== undefined && { random: opts.random }),
      ...(onOutcome && {
        onOutcome: (outcome, job, detail) =>
          onOutcome(outcome, { messageId: job.message.id, to: job.user.email, ...detail }),
      }),
    });
  }

  /** Queue the e-mail of `message` to `user`; false (nothing queued) when the user has no address. */
  send(message: MessageRecord, user: MailUser, audio: MailAudio): boolean {
    if (!user.email) return false;
    this.queue.push({ message, user: { ...user, email: user.email }, audio });
    return true;
  }

  /** Mails held (waiting, due or being sent). */
  get pending(): number {
    return this.queue.pending;
  }

  /** Cancel every timer, forget what is queued, abort the sends under way, close the transport. */
  stop(): void {
    this.queue.stop();
    this.stopping.abort();
    this.transport.close();
  }

  private async attempt(job: MailJob): Promise<AttemptResult> {
    let wav: Buffer;
    try {
      wav = 'path' in job.audio ? await readFile(job.audio.path) : Buffer.from(job.audio.bytes);
    } catch (err) {
      // Deleted before it could be sent: nothing to attach, and it will not come back.
      return { ok: false, retry: false, reason: `audio: ${errorText(err)}` };
    }
    const m = job.message;
    try {
      await this.transport.sendMail({
        from: this.from,
        to: job.user.email,
        subject: mailSubject(m),
        text: mailText(m, job.user),
        headers: {
          // RFC 3834 section 5: no auto-replies to this.
          'Auto-Submitted': 'auto-generated',
          'X-Openum-Message-Id': m.id,
          'X-Mailer': `openum/${VERSION}`,
        },
        attachments: [{ filename: attachmentName(m.id), content: wav, contentType: 'audio/wav' }],
        signal: this.stopping.signal,
      });
      return { ok: true };
    } catch (err) {
      return smtpErrorResult(err);
    }
  }
}
