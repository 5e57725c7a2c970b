/**
 * Requests outside any dialog sent by our UAC (RFC 3261 section 8.1.1),
 * such as the unsolicited MWI NOTIFY (no subscription, no To tag, as
 * Asterisk and Exchange UM send it) or an initial SUBSCRIBE.
 */
import { randomToken } from '../message/index.js';
import { normalizeAddress, routeUri } from './address.js';
import { DialogError } from './errors.js';
import { isHeaderSafe, isWordSafe } from './header-safe.js';
import type { OutgoingRequest } from './in-dialog-request.js';
import { type RequestOptions, buildRequest } from './request-builder.js';
import { applyRouteSet } from './route-set.js';

/** Options of {@link createOutOfDialogRequest}. */
export interface OutOfDialogRequestOptions extends RequestOptions {
  /**
   * A pre-existing route set (an outbound proxy, the Path or Service-Route
   * of a registration), name-addr values in the order to send: RFC 3261
   * 8.1.1.1 applies the routing of 12.2.1.1 to it.
   */
  route?: string[];
  /** Call-ID; default a new random one (RFC 3261 8.1.1.4). */
  callId?: string;
  /** Our From tag; default a new random one (RFC 3261 8.1.1.3, 19.3). */
  fromTag?: string;
  /** CSeq number; default 1 (RFC 3261 8.1.1.5: any value below 2^31). */
  cseq?: number;
}

/**
 * Builds a request outside a dialog (RFC 3261 8.1.1): Request-URI =
 * `targetUri` (a SIP/SIPS URI, for MWI the Contact of a registration),
 * To = `to` without tag (8.1.1.2), From = `from` with a new tag, a new
 * Call-ID, CSeq 1, a new Via branch, Max-Forwards 70.
 * `from` and `to` are URIs or name-addr texts; a tag in them is dropped.
 *
 * The dialog, if the request creates one (SUBSCRIBE, INVITE), comes later
 * from the response: {@link createUacDialog}.
 * Throws DialogError and SipParseError (an unusable URI or address).
 */
export function createOutOfDialogRequest(
  method: string,
  targetUri: string,
  from: string,
  to: string,
  opts: OutOfDialogRequestOptions,
): OutgoingRequest {
  if (method === 'CANCEL' || method === 'ACK') {
    throw new DialogError('invalid-method', `${method} is built from the INVITE transaction (RFC 3261 9.1, 17.1.1.3)`);
  }
  const cseq = opts.cseq ?? 1;
  if (!Number.isInteger(cseq) || cseq < 0 || cseq >= 0x80000000) {
    throw new DialogError('invalid-option', `initial CSeq ${cseq} must be below 2^31 (RFC 3261 8.1.1.5)`);
  }
  if (opts.callId !== undefined && !isWordSafe(opts.callId)) throw new DialogError('invalid-option', 'bad Call-ID');
  if (opts.fromTag !== undefined && !isWordSafe(opts.fromTag)) throw new DialogError('invalid-option', 'bad From tag');
  const route = opts.route ?? [];
  for (const r of route) {
    if (!isHeaderSafe(r)) throw new DialogError('invalid-option', 'bad route value');
    routeUri(r);
  }
  const routed = applyRouteSet(route, targetUri);
  const fromValue = normalizeAddress(from) + ';tag=' + (opts.fromTag ?? randomToken());
  const toValue = normalizeAddress(to);
  const request = buildRequest(
    method,
    routed.requestUri,
    routed.routes,
    fromValue,
    toValue,
    opts.callId ?? randomToken(),
    cseq,
    opts,
  );
  return { request, destinationUri: routed.destinationUri };
}
