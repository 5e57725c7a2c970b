// Shared helpers of the transaction-layer unit tests (not a test file itself).
import { SipRequest, SipResponse, createResponse, parseMessage } from '../../../../src/sip/message/index.js';
import type { SipMessage } from '../../../../src/sip/message/index.js';
import { FakeClock } from '../../../../src/base/clock.js';
import type { TxDestination, TxSend } from '../../../../src/sip/transaction/destination.js';
import type { Transaction, TransactionContext } from '../../../../src/sip/transaction/transaction-base.js';
import { deriveTimers, type TimerSettings, type TransactionTimers } from '../../../../src/sip/transaction/timers.js';

export const UDP: TxDestination = { protocol: 'udp', address: '192.0.2.10', port: 5060, reliable: false };
export const TCP: TxDestination = { protocol: 'tcp', address: '192.0.2.10', port: 5060, flowId: 'f1', reliable: true };
/** Where test requests come from (matches the Via sent-by of {@link req}). */
export const SRC_UDP: TxDestination = { protocol: 'udp', address: '192.0.2.1', port: 5060, reliable: false };
export const SRC_TCP: TxDestination = {
  protocol: 'tcp',
  address: '192.0.2.1',
  port: 40000,
  flowId: 'c7',
  reliable: true,
};

export interface Sent {
  msg: SipMessage;
  dest: TxDestination;
  at: number;
}

/** A fake transport `send` that records every message with the fake time. */
export class Wire {
  readonly sent: Sent[] = [];
  /** When set, send throws it. */
  throwError: Error | undefined;
  /** When set, send returns a promise rejecting with it. */
  rejectError: Error | undefined;

  constructor(private readonly clock: FakeClock) {}

  readonly send = (msg: SipMessage | Buffer, dest: TxDestination): void | Promise<void> => {
    // A Completed machine sends its final response as bytes: record what the peer would parse.
    this.sent.push({ msg: Buffer.isBuffer(msg) ? parseMessage(msg) : msg, dest, at: this.clock.now() });
    if (this.throwError !== undefined) throw this.throwError;
    if (this.rejectError !== undefined) return Promise.reject(this.rejectError);
    return undefined;
  };

  /** Times of sent messages, optionally only requests of a method / responses of a status. */
  times(filter?: string | number): number[] {
    return this.filter(filter).map((s) => s.at);
  }

  filter(filter?: string | number): Sent[] {
    return this.sent.filter((s) => {
      if (filter === undefined) return true;
      if (typeof filter === 'number') return s.msg instanceof SipResponse && s.msg.status === filter;
      return s.msg instanceof SipRequest && s.msg.method === filter;
    });
  }

  clear(): void {
    this.sent.length = 0;
  }
}

/** A standalone TransactionContext recording what the machines report. */
export class TestContext implements TransactionContext {
  readonly timers: TransactionTimers;
  readonly terminated: Transaction[] = [];
  readonly timeouts: Transaction[] = [];
  readonly transportErrors: Error[] = [];
  readonly send: TxSend;

  constructor(
    readonly clock: FakeClock,
    readonly wire: Wire,
    settings: Partial<TimerSettings> = {},
  ) {
    this.timers = deriveTimers(settings);
    this.send = wire.send;
  }

  onTerminated(tx: Transaction): void {
    this.terminated.push(tx);
  }
  onServerTimeout(tx: Transaction): void {
    this.timeouts.push(tx);
  }
  onServerTransportError(_tx: Transaction, error: Error): void {
    this.transportErrors.push(error);
  }
}

export function setup(settings: Partial<TimerSettings> = {}): { clock: FakeClock; wire: Wire; ctx: TestContext } {
  const clock = new FakeClock();
  const wire = new Wire(clock);
  return { clock, wire, ctx: new TestContext(clock, wire, settings) };
}

export interface ReqOpts {
  method?: string;
  uri?: string;
  branch?: string | null; // null: no branch parameter
  sentBy?: string;
  transport?: string;
  viaParams?: string;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  cseq?: number;
  cseqMethod?: string;
  extra?: string[];
}

/** A parsed request (default: an initial INVITE over UDP from 192.0.2.1:5060). */
export function req(o: ReqOpts = {}): SipRequest {
  const method = o.method ?? 'INVITE';
  const branch = o.branch === undefined ? 'z9hG4bKtest1' : o.branch;
  const via =
    `SIP/2.0/${o.transport ?? 'UDP'} ${o.sentBy ?? '192.0.2.1:5060'}` +
    (branch === null ? '' : `;branch=${branch}`) +
    (o.viaParams ?? '');
  const lines = [
    `${method} ${o.uri ?? 'sip:bob@example.com'} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: "Alice" <sip:alice@example.com>;tag=${o.fromTag ?? 'a1'}`,
    `To: <sip:bob@example.com>${o.toTag ? `;tag=${o.toTag}` : ''}`,
    `Call-ID: ${o.callId ?? 'call-1@192.0.2.1'}`,
    `CSeq: ${o.cseq ?? 1} ${o.cseqMethod ?? method}`,
    'Contact: <sip:alice@192.0.2.1>',
    ...(o.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ];
  const m = parseMessage(Buffer.from(lines.join('\r\n')));
  if (!(m instanceof SipRequest)) throw new Error('fixture is not a request');
  return m;
}

/** A response to `request` as a peer would send it (To tag added for status > 100). */
export function res(request: SipRequest, status: number, toTag = 'b1'): SipResponse {
  return createResponse(request, status, undefined, toTag);
}

/** Lets pending promise reactions run (for async transport failures). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await Promise.resolve();
}
