import type { SipRequest, SipResponse } from '../message/index.js';
import type { ClientTransactionHandlers } from './client-handlers.js';
import type { TxDestination } from './destination.js';
import { Transaction, type TransactionContext } from './transaction-base.js';

/** States of the non-INVITE client transaction, RFC 3261 Figure 6. */
export enum NonInviteClientState {
  Trying = 'Trying',
  Proceeding = 'Proceeding',
  Completed = 'Completed',
  Terminated = 'Terminated',
}

/**
 * Non-INVITE client transaction, RFC 3261 section 17.1.2.
 *
 * - Trying: the request is sent; on unreliable transports Timer E
 *   retransmits it at T1, doubling up to T2. Timer F (64*T1) reports a timeout.
 * - A 1xx moves to Proceeding; Timer E then retransmits every T2.
 * - A final response moves to Completed: passed up once, Timer K (T4
 *   unreliable, 0 reliable) absorbs retransmitted responses, then Terminated.
 */
export class NonInviteClientTransaction extends Transaction {
  readonly kind = 'non-invite-client' as const;
  private current = NonInviteClientState.Trying;
  private intervalE: number;

  constructor(
    request: SipRequest,
    /** Where the request is sent. */
    readonly destination: TxDestination,
    private readonly handlers: ClientTransactionHandlers,
    ctx: TransactionContext,
  ) {
    super(request, destination.reliable, ctx);
    this.intervalE = ctx.timers.E;
  }

  get state(): NonInviteClientState {
    return this.current;
  }

  /** Sends the request and starts Timers E (unreliable only) and F. Called once by the layer. */
  start(): void {
    this.transmit(this.request, this.destination);
    if (this.current !== NonInviteClientState.Trying) return; // transport failed synchronously
    if (!this.reliable) this.startRetransmitTimer(this.intervalE);
    this.startLifeTimer(this.ctx.timers.F);
  }

  /**
   * A response matched to this transaction (RFC 3261 17.1.3).
   * @returns false when it was absorbed or not applicable.
   */
  receiveResponse(res: SipResponse): boolean {
    const s = this.current;
    if (s !== NonInviteClientState.Trying && s !== NonInviteClientState.Proceeding) return false;
    if (res.status < 200) {
      this.current = NonInviteClientState.Proceeding;
      this.handlers.onProvisional?.(res, this);
      return true;
    }
    this.current = NonInviteClientState.Completed;
    this.stopRetransmitTimer();
    this.stopLifeTimer();
    this.handlers.onFinal(res, this);
    if (!this.isTerminated)
      this.terminateAfter(this.reliable || this.ctx.discardsStrayResponses === true ? 0 : this.ctx.timers.K);
    this.releaseRequest(); // Completed sends nothing any more
    return true;
  }

  protected onRetransmitTimer(): void {
    const s = this.current;
    if (s !== NonInviteClientState.Trying && s !== NonInviteClientState.Proceeding) return;
    this.transmit(this.request, this.destination);
    if (this.current !== NonInviteClientState.Trying && this.current !== NonInviteClientState.Proceeding) return;
    // 17.1.2.2: in Trying E doubles up to T2; in Proceeding it is reset to T2.
    this.intervalE =
      this.current === NonInviteClientState.Trying
        ? Math.min(2 * this.intervalE, this.ctx.timers.t2)
        : this.ctx.timers.t2;
    this.startRetransmitTimer(this.intervalE);
  }

  protected onLifeTimer(): void {
    const s = this.current;
    this.terminate();
    if (s === NonInviteClientState.Trying || s === NonInviteClientState.Proceeding) this.handlers.onTimeout(this); // Timer F
    // Completed: Timer K ends silently.
  }

  protected onTransportFailure(error: Error): void {
    const s = this.current;
    // In Completed nothing is sent any more: a late rejection of an earlier send is moot.
    if (s !== NonInviteClientState.Trying && s !== NonInviteClientState.Proceeding) return;
    this.terminate();
    this.handlers.onTransportError(error, this);
  }

  protected enterTerminated(): void {
    this.current = NonInviteClientState.Terminated;
  }
}
