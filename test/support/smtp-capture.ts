/**
 * A real SMTP server (smtp-server, the Nodemailer project's) on 127.0.0.1,
 * port 0, that keeps every message it accepts, raw. Plain SMTP without
 * STARTTLS; with `auth` it requires that login (PLAIN or LOGIN). The test
 * may script refusals of the next DATA commands (e.g. 451 then accept).
 */
import { SMTPServer, type SMTPServerError } from 'smtp-server';

export interface CapturedMail {
  from: string;
  to: string[];
  raw: Buffer;
}

export class SmtpCapture {
  readonly mails: CapturedMail[] = [];
  /** Connections opened to it (a test may check that none was). */
  connections = 0;
  /** Refusals for the next DATA commands, in order: an SMTP code and its text. */
  readonly dataRefusals: { code: number; text: string }[] = [];
  /** Addresses refused at RCPT TO with 550. */
  readonly refusedRecipients = new Set<string>();
  private waiters: { n: number; resolve: () => void }[] = [];

  private server: SMTPServer | undefined;
  port = 0;

  private constructor() {}

  static async start(auth?: { user: string; pass: string }): Promise<SmtpCapture> {
    const cap = new SmtpCapture();
    const server = new SMTPServer({
      disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !auth,
      allowInsecureAuth: true,
      logger: false,
      onConnect(_session, callback) {
        cap.connections++;
        callback();
      },
      onAuth(a, _session, callback) {
        if (auth && a.username === auth.user && a.password === auth.pass) callback(null, { user: a.username });
        else callback(new Error('Invalid username or password'));
      },
      onRcptTo(address, _session, callback) {
        if (cap.refusedRecipients.has(address.address)) {
          const err: SMTPServerError = new Error('No such user here');
          err.responseCode = 550;
          callback(err);
        } else callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const refusal = cap.dataRefusals.shift();
          if (refusal) {
            const err: SMTPServerError = new Error(refusal.text);
            err.responseCode = refusal.code;
            callback(err);
            return;
          }
          cap.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks),
          });
          cap.wake();
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.server.address();
    cap.server = server;
    cap.port = typeof addr === 'object' && addr ? addr.port : 0;
    return cap;
  }

  /** Resolves once `n` mails in all have been accepted; rejects after `timeoutMs`. */
  waitForMails(n: number, timeoutMs = 5_000): Promise<CapturedMail[]> {
    if (this.mails.length >= n) return Promise.resolve(this.mails);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.mails.length} of ${n} mails arrived`)), timeoutMs);
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.mails);
        },
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => this.mails.length >= w.n);
    this.waiters = this.waiters.filter((w) => this.mails.length < w.n);
    for (const w of ready) w.resolve();
  }
}

/** One part of a MIME message: its headers (lower-case names, unfolded) and body. */
export interface MimePart {
  headers: Map<string, string>;
  body: string;
}

/** Split a message (or a part) into headers and body (RFC 5322 section 2.1, folding of section 2.2.3). */
export function parseMimePart(raw: string): MimePart {
  const text = raw.replace(/\r\n/g, '\n');
  const cut = text.indexOf('\n\n');
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** The parts of a multipart body (RFC 2046 section 5.1.1), by the boundary of its Content-Type. */
export function multipartParts(part: MimePart): MimePart[] {
  const m = /boundary="?([^";]+)"?/i.exec(part.headers.get('content-type') ?? '');
  if (!m) return [];
  const sep = `--${m[1] ?? ''}`;
  return part.body
    .split(sep)
    .slice(1)
    .filter((p) => !p.startsWith('--'))
    .map((p) => parseMimePart(p.replace(/^\n/, '')));
}

/** A part's body decoded from its Content-Transfer-Encoding (base64, quoted-printable or as is). */
export function decodePartBody(part: MimePart): Buffer {
  const cte = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (cte === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64');
  if (cte === 'quoted-printable') {
    const soft = part.body.replace(/=\n/g, '');
    return Buffer.from(
      soft.replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    );
  }
  return Buffer.from(part.body, 'utf8');
}

/** An RFC 2047 encoded-word header decoded (=?UTF-8?B?...?= and =?UTF-8?Q?...?=), for checking subjects. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(
            data
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}
