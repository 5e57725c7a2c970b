import { SipRequest, createResponse, randomToken } from '../message/index.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import { InviteServerState } from './invite-server-transaction.js';
import type { NonInviteServerTransaction } from './non-invite-server-transaction.js';

/**
 * Builds a CANCEL for a request sent by a client transaction, RFC 3261
 * section 9.1: same Request-URI, Call-ID, From, To and CSeq number (method
 * CANCEL), a single Via equal to the request's top Via (same branch, so it
 * matches the server transaction), the request's Route header fields, no body.
 * Send it with TransactionLayer.sendRequest only after a provisional response
 * was received (9.1).
 */
export function createCancel(request: SipRequest): SipRequest {
  const headers: [string, string][] = [];
  const topVia = request.getHeaderList('Via')[0];
  if (topVia !== undefined) headers.push(['Via', topVia]);
  for (const route of request.getHeaders('Route')) headers.push(['Route', route]);
  headers.push(['Max-Forwards', String(request.maxForwards ?? 70)]);
  headers.push(['From', request.getHeader('From') ?? '']);
  headers.push(['To', request.getHeader('To') ?? '']);
  headers.push(['Call-ID', request.getHeader('Call-ID') ?? '']);
  headers.push(['CSeq', `${request.cseq.seq} CANCEL`]);
  return new SipRequest('CANCEL', request.uri, headers);
}

/**
 * The UAS answer to a CANCEL that matched an INVITE server transaction,
 * RFC 3261 section 9.2: 200 OK to the CANCEL and, if the INVITE has no final
 * response yet, 487 Request Terminated to the INVITE. Both carry the same To
 * tag, the one already used in a provisional response if any.
 * @returns true when the INVITE was answered with 487.
 */
export function acceptCancel(inviteTx: InviteServerTransaction, cancelTx: NonInviteServerTransaction): boolean {
  const pending = inviteTx.state === InviteServerState.Proceeding;
  const tag = inviteTx.toTag ?? randomToken();
  cancelTx.respond(createResponse(cancelTx.request, 200, 'OK', tag));
  if (!pending) return false;
  return inviteTx.respond(createResponse(inviteTx.request, 487, 'Request Terminated', tag));
}
