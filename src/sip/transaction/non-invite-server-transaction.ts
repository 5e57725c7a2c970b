import { serializeMessage, type SipRequest, type SipResponse } from '../message/index.js';
import type { TxDestination } from './destination.js';
import { Transaction, type TransactionContext } from './transaction-base.js';
import { responseDestination } from './via-routing.js';

/** States of the non-INVITE server transaction, RFC 3261 Figure 8. */
export enum NonInviteServerState {
  Trying = 'Trying',
  Proceeding = 'Proceeding',
  Completed = 'Completed',
  Terminated = 'Terminated',
}

/**
 * Non-INVITE server transaction, RFC 3261 section 17.2.2.
 *
 * - Trying: created by the request; retransmissions are absorbed silently.
 * - A 1xx from the TU moves to Proceeding; retransmissions get the latest
 *   provisional response again.
 * - A final response from the TU moves to Completed; retransmissions get it
 *   again, later TU responses are discarded; Timer J (64*T1 unreliable,
 *   0 reliable) then Terminated.
 *
 * Beyond the RFC: if the TU has not sent a final response when the client's
 * Timer F must have fired (64*T1), the transaction terminates and the TU's
 * onTimeout is told, so an unanswered request cannot leak state.
 */
export class NonInviteServerTransaction extends Transaction {
  readonly kind = 'non-invite-server' as const;
  /** Where responses go (RFC 3261 18.2.2). */
  readonly responseDestination: TxDestination;
  private current = NonInviteServerState.Trying;
  private provisional: SipResponse | undefined;
  private final: SipResponse | undefined;
  /** On UDP, the final response as bytes: all a Completed machine needs for Timer J's 32 s. */
  private finalBytes: Buffer | undefined;
  private finalStatus = 0;

  constructor(
    request: SipRequest,
    /** Where the request came from. */
    readonly source: TxDestination,
    ctx: TransactionContext,
  ) {
    super(request, source.reliable, ctx);
    this.responseDestination = responseDestination(request.vias[0], source);
  }

  get state(): NonInviteServerState {
    return this.current;
  }

  /** The latest provisional response sent. */
  get lastProvisional(): SipResponse | undefined {
    return this.provisional;
  }

  /** The final response sent (on UDP only its bytes are kept: see {@link lastFinalStatus}). */
  get lastFinal(): SipResponse | undefined {
    return this.final;
  }

  /** The status of the final response sent, 0 before one. */
  get lastFinalStatus(): number {
    return this.finalStatus;
  }

  /** Starts the unanswered-request guard. Called once by the layer. */
  start(): void {
    this.startLifeTimer(this.ctx.timers.F);
  }

  /**
   * The TU sends a response through the transaction.
   * @returns false once a final response was sent (nothing is sent then).
   */
  respond(res: SipResponse): boolean {
    const status = res.status;
    if (status < 100 || status > 699) return false;
    const s = this.current;
    if (s !== NonInviteServerState.Trying && s !== NonInviteServerState.Proceeding) return false;
    if (status < 200) {
      this.current = NonInviteServerState.Proceeding;
      this.provisional = res;
      this.transmit(res, this.responseDestination);
      return true;
    }
    this.current = NonInviteServerState.Completed;
    this.finalStatus = status;
    this.stopLifeTimer();
    if (this.reliable) {
      this.final = res;
      this.transmit(res, this.responseDestination);
    } else {
      // Keep the bytes, not the message: its object graph (and the request text its header values
      // were cut from) would live through Timer J, and at thousands of requests per second the
      // garbage collector's pauses showed in the latency (bench/mwi/README.md). Better still, the
      // owner keeps only key and bytes (completed-table.ts) and this machine ends now.
      const wire = serializeMessage(res);
      this.transmit(wire, this.responseDestination);
      if (!this.isTerminated && this.ctx.retireServer?.(this, wire, this.responseDestination) === true) {
        this.terminate();
      } else {
        this.finalBytes = Buffer.allocUnsafeSlow(wire.length);
        wire.copy(this.finalBytes);
      }
    }
    if (!this.isTerminated) this.terminateAfter(this.reliable ? 0 : this.ctx.timers.J);
    this.releaseRequest(); // Completed needs only the final response
    this.provisional = undefined;
    return true;
  }

  /** A retransmission of the request matched this transaction (RFC 3261 17.2.2). */
  receiveRetransmission(_req: SipRequest): void {
    if (this.current === NonInviteServerState.Proceeding && this.provisional !== undefined) {
      this.transmit(this.provisional, this.responseDestination);
    } else if (this.current === NonInviteServerState.Completed) {
      const last = this.finalBytes ?? this.final;
      if (last !== undefined) this.transmit(last, this.responseDestination);
    }
    // Trying: absorbed.
  }

  protected onRetransmitTimer(): void {
    // unused: a non-INVITE server transaction never retransmits on its own
  }

  protected onLifeTimer(): void {
    const s = this.current;
    this.terminate();
    if (s !== NonInviteServerState.Completed) this.ctx.onServerTimeout(this); // unanswered guard
    // Completed: Timer J ends silently.
  }

  protected onTransportFailure(error: Error): void {
    if (this.current === NonInviteServerState.Terminated) return;
    this.terminate();
    this.ctx.onServerTransportError(this, error);
  }

  protected enterTerminated(): void {
    this.current = NonInviteServerState.Terminated;
  }
}
