import { createResponse } from '../message/index.js';
import type { SipRequest, SipResponse } from '../message/index.js';
import type { TxDestination } from './destination.js';
import { Transaction, type TransactionContext } from './transaction-base.js';
import { responseDestination } from './via-routing.js';

/** States of the INVITE server transaction, RFC 3261 Figure 7 as updated by RFC 6026 Figure 7. */
export enum InviteServerState {
  Proceeding = 'Proceeding',
  /** RFC 6026 section 8.6: a 2xx was sent; INVITE retransmissions are absorbed until Timer L. */
  Accepted = 'Accepted',
  Completed = 'Completed',
  Confirmed = 'Confirmed',
  Terminated = 'Terminated',
}

/** What the layer should do with an ACK matched to an INVITE server transaction. */
export type AckDisposition = 'absorbed' | 'to-tu';

/**
 * INVITE server transaction, RFC 3261 section 17.2.1 with the RFC 6026
 * section 8.5-8.7 "Accepted" state.
 *
 * - Proceeding: created by the INVITE. If the TU has sent no response after
 *   200 ms (settings.trying) the transaction sends 100 Trying itself.
 *   A retransmitted INVITE gets the latest provisional response again (100
 *   Trying at once if none was sent yet).
 * - A 2xx from the TU moves to Accepted and starts Timer L (64*T1): INVITE
 *   retransmissions are absorbed, further 2xx from the TU (the TU's own
 *   13.3.1.4 retransmissions) are sent, an ACK is passed to the TU.
 * - A 300-699 from the TU moves to Completed: on unreliable transports Timer
 *   G resends it (T1 doubling up to T2); Timer H (64*T1) gives up and
 *   informs the TU; retransmitted INVITEs get the response again.
 * - The ACK moves to Confirmed; Timer I (T4 unreliable, 0 reliable) absorbs
 *   further ACKs, then Terminated.
 */
export class InviteServerTransaction extends Transaction {
  readonly kind = 'invite-server' as const;
  /** Where responses go (RFC 3261 18.2.2). */
  readonly responseDestination: TxDestination;
  private current = InviteServerState.Proceeding;
  private provisional: SipResponse | undefined;
  private final: SipResponse | undefined;
  private intervalG: number;

  constructor(
    request: SipRequest,
    /** Where the INVITE came from. */
    readonly source: TxDestination,
    ctx: TransactionContext,
  ) {
    super(request, source.reliable, ctx);
    this.responseDestination = responseDestination(request.vias[0], source);
    this.intervalG = ctx.timers.G;
  }

  get state(): InviteServerState {
    return this.current;
  }

  /** The latest provisional response sent. */
  get lastProvisional(): SipResponse | undefined {
    return this.provisional;
  }

  /** The latest final response sent (the 2xx last passed by the TU, or the 300-699). */
  get lastFinal(): SipResponse | undefined {
    return this.final;
  }

  /** Starts the 100 Trying delay (RFC 3261 17.2.1). Called once by the layer before the TU sees the request. */
  start(): void {
    this.startRetransmitTimer(this.ctx.timers.trying);
  }

  /**
   * The TU sends a response through the transaction.
   * @returns false when the state does not allow it (nothing is sent):
   *   after a 300-699, after Terminated, or a non-2xx while Accepted.
   */
  respond(res: SipResponse): boolean {
    const status = res.status;
    if (status < 100 || status > 699) return false;
    switch (this.current) {
      case InviteServerState.Proceeding:
        if (status < 200) {
          this.stopRetransmitTimer(); // no 100 Trying of our own needed any more
          this.provisional = res;
          this.transmit(res, this.responseDestination);
        } else if (status < 300) {
          this.stopRetransmitTimer();
          this.current = InviteServerState.Accepted;
          this.final = res;
          this.startLifeTimer(this.ctx.timers.L);
          this.transmit(res, this.responseDestination);
        } else {
          this.stopRetransmitTimer();
          this.current = InviteServerState.Completed;
          this.final = res;
          if (!this.reliable) this.startRetransmitTimer(this.intervalG);
          this.startLifeTimer(this.ctx.timers.H);
          this.transmit(res, this.responseDestination);
        }
        return true;
      case InviteServerState.Accepted:
        if (status < 200 || status >= 300) return false;
        this.final = res;
        this.transmit(res, this.responseDestination);
        return true;
      default:
        return false;
    }
  }

  /** A retransmission of the INVITE matched this transaction (RFC 3261 17.2.1, RFC 6026 8.6). */
  receiveRetransmission(_req: SipRequest): void {
    switch (this.current) {
      case InviteServerState.Proceeding:
        if (this.provisional === undefined) this.sendTrying();
        else this.transmit(this.provisional, this.responseDestination);
        return;
      case InviteServerState.Completed:
        if (this.final !== undefined) this.transmit(this.final, this.responseDestination);
        return;
      default:
        return; // Accepted, Confirmed: absorbed
    }
  }

  /**
   * An ACK matched this transaction (RFC 3261 17.2.3).
   * @returns 'to-tu' in Accepted (RFC 6026 section 8.7: the ACK for the 2xx
   *   belongs to the TU), 'absorbed' otherwise.
   */
  receiveAck(_ack: SipRequest): AckDisposition {
    switch (this.current) {
      case InviteServerState.Completed:
        this.current = InviteServerState.Confirmed;
        this.stopLifeTimer();
        this.terminateAfter(this.reliable ? 0 : this.ctx.timers.I);
        return 'absorbed';
      case InviteServerState.Accepted:
        return 'to-tu';
      default:
        return 'absorbed';
    }
  }

  /** The To tag the TU chose (from the final or latest provisional response), if any. */
  get toTag(): string | undefined {
    const res = this.final ?? this.provisional;
    if (res === undefined) return undefined;
    const tag = res.to.params.get('tag');
    return tag ?? undefined;
  }

  protected onRetransmitTimer(): void {
    if (this.current === InviteServerState.Proceeding) {
      if (this.provisional === undefined) this.sendTrying();
      return;
    }
    if (this.current !== InviteServerState.Completed || this.final === undefined) return;
    this.transmit(this.final, this.responseDestination); // Timer G
    if (this.current !== InviteServerState.Completed) return;
    this.intervalG = Math.min(2 * this.intervalG, this.ctx.timers.t2);
    this.startRetransmitTimer(this.intervalG);
  }

  protected onLifeTimer(): void {
    const s = this.current;
    this.terminate();
    if (s === InviteServerState.Completed) this.ctx.onServerTimeout(this); // Timer H: no ACK
    // Confirmed (Timer I) and Accepted (Timer L) end silently.
  }

  protected onTransportFailure(error: Error): void {
    const s = this.current;
    if (s === InviteServerState.Terminated) return;
    // RFC 6026 Figure 7: in Accepted the TU is informed and the state is kept.
    if (s !== InviteServerState.Accepted) this.terminate();
    this.ctx.onServerTransportError(this, error);
  }

  protected enterTerminated(): void {
    this.current = InviteServerState.Terminated;
  }

  private sendTrying(): void {
    this.stopRetransmitTimer();
    const trying = createResponse(this.request, 100, 'Trying');
    this.provisional = trying;
    this.transmit(trying, this.responseDestination);
  }
}
