import type { SipRequest } from '../message/index.js';
import type { TxDestination } from './destination.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import type { NonInviteServerTransaction } from './non-invite-server-transaction.js';

/** Either server transaction of RFC 3261 section 17.2. */
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

/**
 * The layer above the transactions (the UA core), RFC 3261 section 17: the
 * transaction layer reports server-side events through this delegate. Client
 * transactions report through the handlers given to sendRequest.
 */
export interface TransactionUser {
  /**
   * A new request created a server transaction (retransmissions never come
   * here). Answer with `tx.respond(res)`. CANCEL and ACK do not come here.
   */
  onRequest(tx: ServerTransaction, request: SipRequest): void;
  /**
   * An ACK that is not part of an INVITE transaction: the ACK for a 2xx
   * (RFC 3261 17.1.1.3 / 13.3.1.4) or one matching no transaction; also an
   * ACK that matched an INVITE server transaction in the RFC 6026 Accepted state.
   */
  onAck(ack: SipRequest, source: TxDestination): void;
  /**
   * A CANCEL matched a pending INVITE server transaction (RFC 3261 9.2). The
   * TU answers, normally with `acceptCancel(inviteTx, cancelTx)` (200 to the
   * CANCEL, 487 to the INVITE). When absent, the layer calls acceptCancel
   * itself. A CANCEL matching nothing is answered 481 by the layer.
   */
  onCancel?(inviteTx: InviteServerTransaction, cancel: SipRequest, cancelTx: NonInviteServerTransaction): void;
  /**
   * A server transaction gave up: Timer H fired without an ACK (RFC 3261
   * 17.2.1), or a non-INVITE request got no final response from the TU
   * within 64*T1.
   */
  onTimeout?(tx: ServerTransaction): void;
  /** A server transaction could not send a response (RFC 3261 17.2.4). */
  onTransportError?(tx: ServerTransaction, error: Error): void;
}
