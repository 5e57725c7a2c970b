import type { SipResponse } from '../message/index.js';
import type { Transaction } from './transaction-base.js';

/**
 * How a client transaction reports to its TU (RFC 3261 sections 17.1.1.2,
 * 17.1.2.2, 17.1.4). Pass one long-lived object per TU role rather than a new
 * object per request where possible; `tx` is the InviteClientTransaction or
 * NonInviteClientTransaction reporting (`tx.request` is the request sent).
 */
export interface ClientTransactionHandlers {
  /** A 1xx response (each one, including retransmissions the peer sent). */
  onProvisional?(response: SipResponse, tx: Transaction): void;
  /**
   * A final response. For INVITE, every 2xx received in the RFC 6026
   * "Accepted" state (retransmissions and forked 2xx alike) is passed here
   * again: the TU ACKs each 2xx itself (RFC 3261 13.2.2.4). A 300-699
   * response is passed once; the transaction sends the ACK.
   */
  onFinal(response: SipResponse, tx: Transaction): void;
  /** Timer B or F fired: no final response (RFC 3261 17.1.1.2, 17.1.2.2); the TU treats it as 408. */
  onTimeout(tx: Transaction): void;
  /** The transport failed before a final response (RFC 3261 17.1.4); the TU treats it as 503. */
  onTransportError(error: Error, tx: Transaction): void;
}
