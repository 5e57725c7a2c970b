import type { SipRequest, SipResponse } from '../message/index.js';
import { createAckForNon2xx } from './ack.js';
import type { ClientTransactionHandlers } from './client-handlers.js';
import type { TxDestination } from './destination.js';
import { Transaction, type TransactionContext } from './transaction-base.js';

/** States of the INVITE client transaction, RFC 3261 Figure 5 as updated by RFC 6026 Figure 5. */
export enum InviteClientState {
  Calling = 'Calling',
  Proceeding = 'Proceeding',
  /** RFC 6026 section 8.4: after a 2xx, absorbs nothing, passes every 2xx up until Timer M. */
  Accepted = 'Accepted',
  Completed = 'Completed',
  Terminated = 'Terminated',
}

/**
 * INVITE client transaction, RFC 3261 section 17.1.1 with the RFC 6026
 * section 8.4 "Accepted" state.
 *
 * - Calling: the INVITE is sent; on unreliable transports Timer A
 *   retransmits it, starting at T1 and doubling each time (no cap,
 *   17.1.1.2). Timer B (64*T1) reports a timeout.
 * - A 1xx moves to Proceeding (no more retransmissions, Timer B stopped).
 * - A 2xx moves to Accepted: passed up, Timer M (64*T1) started; further 2xx
 *   are passed up too (the TU sends the ACK for 2xx, 13.2.2.4).
 * - A 300-699 moves to Completed: the ACK of 17.1.1.3 is sent, the response
 *   passed up, Timer D started (32 s unreliable, 0 reliable); retransmitted
 *   finals get the same ACK again and are not passed up.
 */
export class InviteClientTransaction extends Transaction {
  readonly kind = 'invite-client' as const;
  private current = InviteClientState.Calling;
  private intervalA: number;
  private ack: SipRequest | undefined;

  constructor(
    request: SipRequest,
    /** Where the INVITE (and the ACK for a non-2xx) is sent. */
    readonly destination: TxDestination,
    private readonly handlers: ClientTransactionHandlers,
    ctx: TransactionContext,
  ) {
    super(request, destination.reliable, ctx);
    this.intervalA = ctx.timers.A;
  }

  get state(): InviteClientState {
    return this.current;
  }

  /** The ACK sent for a non-2xx final response, once there is one. */
  get ackRequest(): SipRequest | undefined {
    return this.ack;
  }

  /** Sends the INVITE and starts Timers A (unreliable only) and B. Called once by the layer. */
  start(): void {
    this.transmit(this.request, this.destination);
    if (this.current !== InviteClientState.Calling) return; // transport failed synchronously
    if (!this.reliable) this.startRetransmitTimer(this.intervalA);
    this.startLifeTimer(this.ctx.timers.B);
  }

  /**
   * A response matched to this transaction (RFC 3261 17.1.3).
   * @returns false when the response is not for this machine in its state
   *   (the layer then discards it, RFC 6026 section 8.9).
   */
  receiveResponse(res: SipResponse): boolean {
    const status = res.status;
    switch (this.current) {
      case InviteClientState.Calling:
      case InviteClientState.Proceeding:
        if (status < 200) {
          if (this.current === InviteClientState.Calling) {
            this.current = InviteClientState.Proceeding;
            this.stopRetransmitTimer();
            this.stopLifeTimer();
          }
          this.handlers.onProvisional?.(res, this);
        } else if (status < 300) {
          this.current = InviteClientState.Accepted;
          this.stopRetransmitTimer();
          this.startLifeTimer(this.ctx.timers.M);
          this.handlers.onFinal(res, this);
        } else {
          this.current = InviteClientState.Completed;
          this.stopRetransmitTimer();
          this.stopLifeTimer();
          this.ack = createAckForNon2xx(this.request, res);
          this.transmit(this.ack, this.destination); // a failure here only ends the transaction
          this.handlers.onFinal(res, this);
          if (!this.isTerminated) this.terminateAfter(this.reliable ? 0 : this.ctx.timers.D);
        }
        return true;
      case InviteClientState.Accepted:
        if (status >= 200 && status < 300) {
          this.handlers.onFinal(res, this);
          return true;
        }
        return false;
      case InviteClientState.Completed:
        if (status >= 300 && this.ack !== undefined) {
          this.transmit(this.ack, this.destination);
          return true;
        }
        return false;
      default:
        return false;
    }
  }

  protected onRetransmitTimer(): void {
    if (this.current !== InviteClientState.Calling) return;
    this.transmit(this.request, this.destination);
    if (this.current !== InviteClientState.Calling) return;
    this.intervalA *= 2;
    this.startRetransmitTimer(this.intervalA);
  }

  protected onLifeTimer(): void {
    const wasCalling = this.current === InviteClientState.Calling;
    this.terminate();
    if (wasCalling) this.handlers.onTimeout(this); // Timer B
    // Completed (Timer D) and Accepted (Timer M) end silently.
  }

  protected onTransportFailure(error: Error): void {
    const s = this.current;
    if (s === InviteClientState.Accepted || s === InviteClientState.Terminated) return;
    this.terminate();
    if (s === InviteClientState.Calling || s === InviteClientState.Proceeding) {
      this.handlers.onTransportError(error, this);
    }
  }

  protected enterTerminated(): void {
    this.current = InviteClientState.Terminated;
  }
}
