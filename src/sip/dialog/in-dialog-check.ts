/**
 * Requests and responses inside a dialog: the UAS checks of RFC 3261
 * section 12.2.2 (CSeq order, remote target refresh) and the UAC remote
 * target refresh of 12.2.1.2.
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import { contactTargetIfAny } from './address.js';
import type { DialogState } from './dialog-state.js';

/**
 * Target refresh requests: they replace the remote target with their
 * Contact (RFC 3261 12.2: "a target refresh request").
 * - INVITE (a re-INVITE, RFC 3261 14)
 * - UPDATE (RFC 3311 section 5)
 * - SUBSCRIBE (RFC 6665 3.1: "SUBSCRIBE requests are target refresh requests")
 * - NOTIFY (RFC 6665 3.2 gives NOTIFY the same role: a subscriber learns
 *   a notifier's new contact from it)
 * - REFER, which creates a subscription usage like SUBSCRIBE (RFC 3515, RFC 7647)
 */
export function isTargetRefresh(method: string): boolean {
  switch (method) {
    case 'INVITE':
    case 'UPDATE':
    case 'SUBSCRIBE':
    case 'NOTIFY':
    case 'REFER':
      return true;
    default:
      return false;
  }
}

/**
 * RFC 3261 12.2.2, for a request that matched dialog `d` (by
 * {@link dialogIdOf}):
 * - "If the remote sequence number was not empty, but the sequence number
 *   of the request is lower than the remote sequence number, the request is
 *   out of order and MUST be rejected with a 500 (Server Internal Error)":
 *   returns 'out-of-order' and changes nothing. An equal number is accepted.
 * - otherwise remembers the request's CSeq as the remote sequence number
 *   and, for a target refresh request ({@link isTargetRefresh}) that has a
 *   Contact, replaces the remote target with its URI; returns 'ok'.
 *
 * ACK and CANCEL carry the CSeq number of the INVITE (13.2.2.4, 9.1): they
 * are neither checked nor remembered.
 *
 * The target is refreshed as soon as the request is accepted here, before
 * the final response, as pjsip does: a rejected re-SUBSCRIBE still tells
 * us where the peer now is.
 *
 * Throws SipParseError (answer 400), leaving `d` untouched, when CSeq is
 * malformed or a target refresh request's Contact is `*`, malformed or not
 * a SIP/SIPS URI.
 */
export function checkInDialogRequest(d: DialogState, req: SipRequest): 'ok' | 'out-of-order' {
  const method = req.method;
  if (method === 'ACK' || method === 'CANCEL') return 'ok';
  const seq = req.cseq.seq;
  if (d.remoteSeq >= 0 && seq < d.remoteSeq) return 'out-of-order';
  const target = isTargetRefresh(method) ? contactTargetIfAny(req) : undefined;
  d.remoteSeq = seq;
  if (target !== undefined) d.remoteTarget = target;
  return 'ok';
}

/**
 * RFC 3261 12.2.1.2: "When a UAC receives a 2xx response to a target
 * refresh request, it MUST replace the dialog's remote target URI with the
 * URI from the Contact header field in that response, if present."
 * Returns true when the remote target changed. Throws SipParseError, leaving
 * `d` untouched, when the Contact of such a response is unusable.
 */
export function refreshTargetFromResponse(d: DialogState, res: SipResponse): boolean {
  if (res.status < 200 || res.status > 299 || !isTargetRefresh(res.cseq.method)) return false;
  const target = contactTargetIfAny(res);
  if (target === undefined || target === d.remoteTarget) return false;
  d.remoteTarget = target;
  return true;
}
