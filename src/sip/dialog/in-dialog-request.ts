/**
 * Requests inside a dialog (RFC 3261 section 12.2.1.1).
 */
import type { SipRequest } from '../message/index.js';
import { type DialogState, MAX_CSEQ } from './dialog-state.js';
import { DialogError } from './errors.js';
import { type RequestOptions, buildRequest } from './request-builder.js';
import { applyRouteSet } from './route-set.js';

/** Options of {@link createInDialogRequest}. */
export interface InDialogRequestOptions extends RequestOptions {
  /**
   * ACK only: the CSeq number of the INVITE acknowledged (RFC 3261
   * 13.2.2.4); default the dialog's current local sequence number.
   */
  ackSeq?: number;
}

/** A request ready for a client transaction, and the URI of its next hop. */
export interface OutgoingRequest {
  request: SipRequest;
  /**
   * The URI to resolve (with {@link resolveUriTarget}) to find where to
   * send the request: the first Route with loose routing, else the
   * Request-URI (RFC 3261 8.1.2).
   */
  destinationUri: string;
}

/**
 * Builds a request within dialog `d` (RFC 3261 12.2.1.1):
 * - Request-URI and Route from the remote target and route set, loose or
 *   strict routing ({@link applyRouteSet});
 * - To = remote URI + remote tag, From = local URI + local tag, Call-ID of
 *   the dialog;
 * - CSeq = local sequence number + 1 ("MUST be incremented by one"); `d`
 *   is updated once the request is built (an ACK reuses the INVITE's number
 *   and changes nothing);
 * - a new Via branch, Max-Forwards 70 unless given.
 *
 * CANCEL is not built here: it copies the INVITE (RFC 3261 9.1, see the
 * transaction layer's createCancel).
 * Throws DialogError ('invalid-method', 'cseq-exhausted', 'invalid-option')
 * and SipParseError (a stored URI or an added header is unusable).
 */
export function createInDialogRequest(d: DialogState, method: string, opts: InDialogRequestOptions): OutgoingRequest {
  if (method === 'CANCEL')
    throw new DialogError('invalid-method', 'CANCEL is built from the INVITE it cancels (RFC 3261 9.1)');
  const isAck = method === 'ACK';
  let seq: number;
  if (isAck) {
    seq = opts.ackSeq ?? d.localSeq;
    if (!Number.isInteger(seq) || seq < 0 || seq > MAX_CSEQ)
      throw new DialogError('invalid-option', `bad ACK CSeq ${seq}`);
  } else {
    if (d.localSeq >= MAX_CSEQ) throw new DialogError('cseq-exhausted', 'local CSeq reached 2^32-1 (RFC 3261 8.1.1.5)');
    seq = d.localSeq + 1;
  }
  const routed = applyRouteSet(d.routeSet, d.remoteTarget);
  const from = d.localTag === '' ? d.localUri : d.localUri + ';tag=' + d.localTag;
  const to = d.remoteTag === '' ? d.remoteUri : d.remoteUri + ';tag=' + d.remoteTag;
  const request = buildRequest(method, routed.requestUri, routed.routes, from, to, d.callId, seq, opts);
  if (!isAck) d.localSeq = seq;
  return { request, destinationUri: routed.destinationUri };
}
