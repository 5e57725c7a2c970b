import { SipRequest, parseUri, type SipMessage } from '../message/index.js';
import type { Clock, TimerHandle } from '../../base/clock.js';
import type { TxDestination, TxSend } from './destination.js';
import { toError } from './errors.js';
import { toTagOf } from './transaction-keys.js';
import type { TransactionTimers } from './timers.js';

/** What `request` gives once a machine released its request. */
const RELEASED_REQUEST = new SipRequest('RELEASED', parseUri('sip:released.invalid'));

/** The four transaction kinds of RFC 3261 section 17. */
export type TransactionKind = 'invite-client' | 'non-invite-client' | 'invite-server' | 'non-invite-server';

/**
 * What a transaction needs from its owner (normally the TransactionLayer):
 * time, timer values, the transport and termination bookkeeping. One shared
 * object per layer, so a transaction allocates no closures per message.
 */
export interface TransactionContext {
  readonly clock: Clock;
  readonly timers: TransactionTimers;
  readonly send: TxSend;
  /** Called exactly once when a transaction enters "Terminated" (RFC 3261 17.1.1.2: destroyed at once). */
  onTerminated(tx: Transaction): void;
  /** A server transaction timed out (Timer H, RFC 3261 17.2.1) or was never answered by the TU. */
  onServerTimeout(tx: Transaction): void;
  /** A server transaction could not send a response (RFC 3261 17.2.4). */
  onServerTransportError(tx: Transaction, error: Error): void;
  /**
   * A non-INVITE server transaction on an unreliable transport reached
   * "Completed" with these final response bytes. The owner may keep just
   * the key and the bytes for Timer J (completed-table.ts) and answer
   * retransmissions itself: true = taken, and the machine terminates now.
   */
  retireServer?(tx: Transaction, finalBytes: Buffer, dest: TxDestination): boolean;
  /**
   * True when the owner discards responses that match no client
   * transaction (RFC 6026 section 8.9, as the TransactionLayer does): a
   * non-INVITE client transaction's "Completed" state, which exists only to
   * absorb retransmitted responses (RFC 3261 17.1.2.2), then changes
   * nothing, and the machine terminates at once instead of holding Timer K.
   */
  readonly discardsStrayResponses?: boolean;
}

/**
 * Shared plumbing of the four machines: two timer slots (a retransmission
 * timer: A, E, G or the 100 Trying delay; and a lifetime timer: B, D, F, H, I,
 * J, K, L, M) and transport-failure capture. The state machines themselves
 * live in the subclasses.
 */
export abstract class Transaction {
  abstract readonly kind: TransactionKind;
  /** Key in the layer's matching map (RFC 3261 17.1.3 / 17.2.3); set by the layer. */
  key = '';
  /** Key in the RFC 2543 fallback map, if the transaction is indexed there (17.2.3). */
  legacyKey: string | undefined;

  private retransmitHandle: TimerHandle | undefined;
  private lifeHandle: TimerHandle | undefined;
  private done = false;

  private req: SipRequest | undefined;
  private readonly requestMethod: string;

  protected constructor(
    request: SipRequest,
    /** Whether the transport is reliable (no retransmissions, zero wait timers). */
    readonly reliable: boolean,
    protected readonly ctx: TransactionContext,
  ) {
    this.req = request;
    this.requestMethod = request.method;
  }

  /**
   * The request that created the transaction; a placeholder once the
   * machine released it (see {@link releaseRequest}).
   */
  get request(): SipRequest {
    return this.req ?? RELEASED_REQUEST;
  }

  /**
   * A Completed non-INVITE machine on UDP waits out Timer J (32 s) or K
   * (5 s) needing nothing of the request; keeping it held the parsed
   * message and its object graph for that long: under load the heap grows
   * by every request of the last 32 s, and the GC pauses grow with it.
   */
  protected releaseRequest(): void {
    if (this.req === undefined) return;
    try {
      this.releasedToTag = toTagOf(this.req);
    } catch {
      this.releasedToTag = '';
    }
    this.req = undefined;
  }

  private releasedToTag = '';

  /** The To tag of the request (RFC 2543 matching, RFC 3261 17.2.3), kept when the request is released. */
  get requestToTag(): string {
    return this.req === undefined ? this.releasedToTag : toTagOf(this.req);
  }

  /** True once the machine reached "Terminated". */
  get isTerminated(): boolean {
    return this.done;
  }

  /** Request method of the transaction (INVITE for an INVITE transaction). */
  get method(): string {
    return this.requestMethod;
  }

  /**
   * Stops the transaction at once without telling anyone (layer shutdown).
   * Timers are cleared and the owner's onTerminated runs.
   */
  abort(): void {
    this.terminate();
  }

  /** Timer slot 1 fired (A, E, G or 100 Trying delay, depending on the machine). */
  protected abstract onRetransmitTimer(): void;
  /** Timer slot 2 fired (B, D, F, H, I, J, K, L or M, depending on state). */
  protected abstract onLifeTimer(): void;
  /** The transport failed to send one of this transaction's messages. */
  protected abstract onTransportFailure(error: Error): void;
  /** Subclasses record their Terminated state here. */
  protected abstract enterTerminated(): void;

  /** Passes a message to the transport, capturing sync and async failures. */
  protected transmit(msg: SipMessage | Buffer, dest: TxDestination): void {
    let r: void | Promise<void>;
    try {
      r = this.ctx.send(msg, dest);
    } catch (e) {
      this.onTransportFailure(toError(e));
      return;
    }
    if (r instanceof Promise) r.then(undefined, this.sendRejected);
  }

  private readonly sendRejected = (e: unknown): void => {
    if (!this.done) this.onTransportFailure(toError(e));
  };

  protected startRetransmitTimer(ms: number): void {
    if (this.retransmitHandle !== undefined) this.ctx.clock.clearTimeout(this.retransmitHandle);
    this.retransmitHandle = this.ctx.clock.setTimeout(this.retransmitFired, ms);
  }

  protected stopRetransmitTimer(): void {
    if (this.retransmitHandle === undefined) return;
    this.ctx.clock.clearTimeout(this.retransmitHandle);
    this.retransmitHandle = undefined;
  }

  protected startLifeTimer(ms: number): void {
    if (this.lifeHandle !== undefined) this.ctx.clock.clearTimeout(this.lifeHandle);
    this.lifeHandle = this.ctx.clock.setTimeout(this.lifeFired, ms);
  }

  protected stopLifeTimer(): void {
    if (this.lifeHandle === undefined) return;
    this.ctx.clock.clearTimeout(this.lifeHandle);
    this.lifeHandle = undefined;
  }

  /**
   * Waits `ms` in the current state and then terminates (Timers D, I, J, K,
   * L, M). Zero (reliable transports) terminates at once.
   */
  protected terminateAfter(ms: number): void {
    this.stopRetransmitTimer();
    if (ms <= 0) this.terminate();
    else this.startLifeTimer(ms);
  }

  /** Enters "Terminated": clears timers and tells the owner, once. */
  protected terminate(): void {
    if (this.done) return;
    this.done = true;
    this.stopRetransmitTimer();
    this.stopLifeTimer();
    this.enterTerminated();
    this.ctx.onTerminated(this);
  }

  private readonly retransmitFired = (): void => {
    this.retransmitHandle = undefined;
    if (!this.done) this.onRetransmitTimer();
  };

  private readonly lifeFired = (): void => {
    this.lifeHandle = undefined;
    if (!this.done) this.onLifeTimer();
  };
}
