/**
 * A small, independent SIP user agent over UDP for measuring the server from
 * outside: it sends hand-written requests, retransmits them like a phone
 * (RFC 3261 section 17.1.2.2: Timer E from T1 = 500 ms doubling to T2 = 4 s),
 * times each transaction from its first send to its final response, answers
 * every request it receives (NOTIFY) with 200, and records when they came.
 *
 * It does not use openum's own SIP code, so that a bug there cannot hide in
 * the measurement. Loopback only. Importing it has no side effect.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { digestAnswer } from './digest-answer.js';
import { headerValue, type HostPort } from './register-relay.js';

/** The outcome of one client transaction. */
export interface ProbeTransaction {
  /** final status, 0 when none came within the bound */
  status: number;
  /** ms from the first send to the final response (or to giving up) */
  rttMs: number;
  /** the final response text ('' on timeout) */
  response: string;
}

/** A request the probe received (and answered 200). */
export interface ReceivedRequest {
  text: string;
  /** performance.now() at arrival */
  at: number;
}

const T1 = 500;
const T2 = 4000;

const token = (): string => randomBytes(6).toString('hex');

function topViaBranch(text: string): string | undefined {
  const via = headerValue(text, 'Via') ?? headerValue(text, 'v');
  return via ? /branch=([^;,\s]+)/i.exec(via)?.[1] : undefined;
}

/** A 200 OK for a received request (RFC 3261 section 8.2.6), with a To-tag when it had none. */
export function okFor(request: string, toTag: string): string {
  const head = request.slice(0, request.indexOf('\r\n\r\n')).split('\r\n').slice(1);
  const out = ['SIP/2.0 200 OK'];
  for (const line of head) {
    const name = line.slice(0, line.indexOf(':')).trim().toLowerCase();
    if (['via', 'v', 'from', 'f', 'call-id', 'i', 'cseq'].includes(name)) out.push(line);
    else if (name === 'to' || name === 't') out.push(/;\s*tag=/i.test(line) ? line : `${line};tag=${toTag}`);
  }
  out.push('Content-Length: 0', '', '');
  return out.join('\r\n');
}

interface Pending {
  resolve(r: ProbeTransaction): void;
  started: number;
  timers: NodeJS.Timeout[];
}

/** One UDP socket speaking SIP to one server. */
export class SipProbe {
  private readonly pending = new Map<string, Pending>();
  private readonly waiters: Array<{ match(r: ReceivedRequest): boolean; done(r: ReceivedRequest | undefined): void }> =
    [];
  /** every request received, oldest first (bounded) */
  readonly received: ReceivedRequest[] = [];
  private readonly tag = token();

  private constructor(
    private readonly socket: Socket,
    readonly local: HostPort,
    readonly server: HostPort,
  ) {
    socket.on('message', (msg, rinfo) => this.onMessage(msg.toString('latin1'), rinfo));
  }

  /** Bind `localAddress`:0 and talk to `server`. */
  static open(localAddress: string, server: HostPort): Promise<SipProbe> {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(0, localAddress, () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        const a = socket.address();
        resolve(new SipProbe(socket, { address: a.address, port: a.port }, server));
      });
    });
  }

  close(): Promise<void> {
    for (const [, p] of this.pending) for (const t of p.timers) clearTimeout(t);
    this.pending.clear();
    for (const w of this.waiters.splice(0)) w.done(undefined);
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  /** `Via` for a new client transaction. */
  via(branch: string): string {
    return `Via: SIP/2.0/UDP ${this.local.address}:${this.local.port};branch=${branch};rport`;
  }

  /**
   * Send a request built around a fresh branch, retransmitting on Timer E,
   * until a final response or `timeoutMs`.
   */
  transact(build: (branch: string) => string, timeoutMs = 8000): Promise<ProbeTransaction> {
    const branch = `z9hG4bK${token()}${token()}`;
    const data = Buffer.from(build(branch), 'latin1');
    return new Promise((resolve) => {
      const started = performance.now();
      const p: Pending = { resolve, started, timers: [] };
      this.pending.set(branch, p);
      const send = (): void => this.socket.send(data, this.server.port, this.server.address, () => undefined);
      send();
      let interval = T1;
      let at = 0;
      while (at + interval < timeoutMs) {
        at += interval;
        p.timers.push(setTimeout(send, at));
        interval = Math.min(interval * 2, T2);
      }
      p.timers.push(
        setTimeout(
          () => this.settle(branch, { status: 0, rttMs: performance.now() - started, response: '' }),
          timeoutMs,
        ),
      );
    });
  }

  /** Wait for a received request matching `match` (already received ones count). */
  waitForRequest(match: (r: ReceivedRequest) => boolean, timeoutMs: number): Promise<ReceivedRequest | undefined> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const w = {
        match,
        done: (r: ReceivedRequest | undefined): void => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Forget received requests (keeps memory flat over long runs). */
  clearReceived(): void {
    this.received.length = 0;
  }

  private settle(branch: string, r: ProbeTransaction): void {
    const p = this.pending.get(branch);
    if (!p) return;
    this.pending.delete(branch);
    for (const t of p.timers) clearTimeout(t);
    p.resolve(r);
  }

  private onMessage(text: string, rinfo: RemoteInfo): void {
    const at = performance.now();
    if (text.startsWith('SIP/2.0 ')) {
      const status = Number(text.slice(8, 11));
      const branch = topViaBranch(text);
      if (status >= 200 && branch) {
        const p = this.pending.get(branch);
        if (p) this.settle(branch, { status, rttMs: at - p.started, response: text });
      }
      return;
    }
    if (!/^[A-Z]+ /.test(text)) return; // keep-alive or garbage
    this.socket.send(okFor(text, this.tag), rinfo.port, rinfo.address, () => undefined);
    const r: ReceivedRequest = { text, at };
    if (this.received.length < 10_000) this.received.push(r);
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i];
      if (w && w.match(r)) {
        this.waiters.splice(i, 1);
        w.done(r);
      }
    }
  }
}

/** What a phone's request needs to name itself. */
export interface ProbeUser {
  name: string;
  password: string;
}

/** An established subscription dialog (RFC 6665 section 4.1.2). */
export interface ProbeDialog {
  user: string;
  callId: string;
  fromTag: string;
  toTag: string;
  /** the Request-URI of requests in the dialog (the notifier's Contact) */
  target: string;
  cseq: number;
}

/** Ask, get a 401, ask again with digest credentials (RFC 3261 section 22.2). Returns both transactions. */
export async function withDigest(
  probe: SipProbe,
  user: ProbeUser,
  method: string,
  uri: string,
  build: (branch: string, cseq: number, authorization: string | undefined) => string,
  firstCseq: number,
  timeoutMs?: number,
): Promise<ProbeTransaction[]> {
  const first = await probe.transact((b) => build(b, firstCseq, undefined), timeoutMs);
  if (first.status !== 401) return [first];
  const challenge = headerValue(first.response, 'WWW-Authenticate') ?? '';
  const authorization = digestAnswer(challenge, { method, uri, user: user.name, password: user.password });
  const second = await probe.transact((b) => build(b, firstCseq + 1, authorization), timeoutMs);
  return [first, second];
}

/** REGISTER the probe's address for `user` (401 then digest). */
export function register(
  probe: SipProbe,
  user: ProbeUser,
  domain: string,
  callId: string,
  cseq: number,
  expires = 600,
): Promise<ProbeTransaction[]> {
  const contact = `<sip:${user.name}@${probe.local.address}:${probe.local.port};transport=udp>`;
  return withDigest(
    probe,
    user,
    'REGISTER',
    `sip:${domain}`,
    (branch, n, auth) =>
      [
        `REGISTER sip:${domain} SIP/2.0`,
        probe.via(branch),
        'Max-Forwards: 70',
        `From: <sip:${user.name}@${domain}>;tag=${callId.slice(0, 8)}`,
        `To: <sip:${user.name}@${domain}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${n} REGISTER`,
        `Contact: ${contact}`,
        `Expires: ${expires}`,
        ...(auth ? [`Authorization: ${auth}`] : []),
        'User-Agent: openum-probe',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    cseq,
  );
}

/** A new message-summary subscription (401 then digest); the dialog when it was accepted. */
export async function subscribe(
  probe: SipProbe,
  user: ProbeUser,
  domain: string,
  expires = 600,
): Promise<{ transactions: ProbeTransaction[]; dialog?: ProbeDialog }> {
  const callId = `${token()}@${probe.local.address}`;
  const fromTag = token();
  const uri = `sip:${user.name}@${domain}`;
  const transactions = await withDigest(
    probe,
    user,
    'SUBSCRIBE',
    uri,
    (branch, n, auth) =>
      [
        `SUBSCRIBE ${uri} SIP/2.0`,
        probe.via(branch),
        'Max-Forwards: 70',
        `From: <${uri}>;tag=${fromTag}`,
        `To: <${uri}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${n} SUBSCRIBE`,
        `Contact: <sip:${user.name}@${probe.local.address}:${probe.local.port};transport=udp>`,
        'Event: message-summary',
        'Accept: application/simple-message-summary',
        `Expires: ${expires}`,
        ...(auth ? [`Authorization: ${auth}`] : []),
        'User-Agent: openum-probe',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    1,
  );
  const last = transactions[transactions.length - 1];
  if (!last || last.status !== 200) return { transactions };
  const toTag = /;\s*tag=([^;>\s]+)/i.exec(headerValue(last.response, 'To') ?? '')?.[1] ?? '';
  const target = /<([^>]+)>/.exec(headerValue(last.response, 'Contact') ?? '')?.[1] ?? uri;
  return { transactions, dialog: { user: user.name, callId, fromTag, toTag, target, cseq: transactions.length } };
}

/** SUBSCRIBE in the dialog: a refresh, or with `expires` 0 the end of it (RFC 6665 section 4.1.2.2-3). */
export function resubscribe(
  probe: SipProbe,
  d: ProbeDialog,
  domain: string,
  expires: number,
): Promise<ProbeTransaction> {
  d.cseq += 1;
  const uri = `sip:${d.user}@${domain}`;
  return probe.transact((branch) =>
    [
      `SUBSCRIBE ${d.target} SIP/2.0`,
      probe.via(branch),
      'Max-Forwards: 70',
      `From: <${uri}>;tag=${d.fromTag}`,
      `To: <${uri}>;tag=${d.toTag}`,
      `Call-ID: ${d.callId}`,
      `CSeq: ${d.cseq} SUBSCRIBE`,
      `Contact: <sip:${d.user}@${probe.local.address}:${probe.local.port};transport=udp>`,
      'Event: message-summary',
      'Accept: application/simple-message-summary',
      `Expires: ${expires}`,
      'User-Agent: openum-probe',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

/** The Exchange UM NOTIFY of PROTOCOLS.md section 3 for `user` (send it from a trusted address). */
export function exchangeUmNotify(
  probe: SipProbe,
  user: string,
  domain: string,
  newCount: number,
  oldCount: number,
): Promise<ProbeTransaction> {
  const aor = `sip:${user}@${domain}`;
  const body = `Messages-Waiting: ${newCount > 0 ? 'yes' : 'no'}\r\nMessage-Account: ${aor}\r\nVoice-Message: ${newCount}/${oldCount}\r\n`;
  return probe.transact((branch) =>
    [
      `NOTIFY ${aor} SIP/2.0`,
      probe.via(branch),
      'Max-Forwards: 70',
      `From: <${aor}>;epid=EDDFA7F3EE;tag=${token()}`,
      `To: <${aor}>`,
      `Call-ID: ${token()}@${probe.local.address}`,
      'CSeq: 1 NOTIFY',
      'Event: message-summary',
      'Subscription-State: terminated',
      'User-Agent: RTCC/3.5.0.0 MSExchangeUM/14.01.0218.012',
      'Content-Type: application/simple-message-summary',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
}

/** p-th percentile (0-100) by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
