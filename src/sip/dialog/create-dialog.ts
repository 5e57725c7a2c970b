/**
 * Creating dialog state: as UAS from a dialog-creating request (RFC 3261
 * section 12.1.1), as UAC from the response (12.1.2), and as subscriber from
 * a NOTIFY that arrives before the 2xx to the SUBSCRIBE (RFC 6665 4.1.2.4).
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import { contactTarget, nameAddrWithoutTag, recordRouteSet } from './address.js';
import { type DialogState, makeDialogState } from './dialog-state.js';

/** True when the top Via says the request came over TLS or secure WebSocket. */
function arrivedSecurely(req: SipRequest): boolean {
  const t = req.vias[0]?.transport;
  return t === 'TLS' || t === 'WSS';
}

/**
 * The UAS side of RFC 3261 12.1.1, for a request that creates a dialog
 * (SUBSCRIBE, INVITE, REFER) answered with a 2xx (or a 1xx with To tag):
 * - route set = Record-Route values in the order of the request, all
 *   parameters kept (the response must carry them too: {@link copyRecordRoute});
 * - remote target = the Contact URI of the request;
 * - remote sequence number = the request's CSeq; local one empty (0: our
 *   first request gets CSeq 1);
 * - Call-ID, remote tag = From tag ('' if absent), local tag = `localTag`
 *   (the To tag of our response);
 * - remote URI = From, local URI = To (name-addr text without tag);
 * - secure = the Request-URI is SIPS and the request came over TLS.
 *
 * `transportSecure` says whether the request arrived over TLS (or WSS);
 * by default the transport of the top Via, i.e. of the last hop, decides.
 *
 * Throws SipParseError (status 400: the caller answers 400) when Contact is
 * missing, `*`, malformed or not a SIP/SIPS URI, or when Record-Route,
 * From, To, Call-ID or CSeq is malformed.
 */
export function createUasDialog(req: SipRequest, localTag: string, transportSecure?: boolean): DialogState {
  const remoteTarget = contactTarget(req);
  const routeSet = recordRouteSet(req, false);
  const from = req.from;
  const secure = req.uri.scheme === 'sips' && (transportSecure ?? arrivedSecurely(req));
  return makeDialogState(
    req.callId,
    localTag,
    from.params.get('tag') ?? '',
    nameAddrWithoutTag(req.to),
    nameAddrWithoutTag(from),
    0,
    req.cseq.seq,
    remoteTarget,
    routeSet,
    secure,
  );
}

/**
 * The UAC side of RFC 3261 12.1.2, for the response (2xx, or 1xx with To
 * tag for an early dialog) to our dialog-creating request `req`:
 * - route set = Record-Route values of the response in REVERSE order;
 * - remote target = the Contact URI of the response;
 * - local sequence number = the request's CSeq; remote one empty (-1);
 * - Call-ID, local tag = From tag of the request, remote tag = To tag of the
 *   response ('' if absent: RFC 2543 peer);
 * - local URI = From of the request, remote URI = To of the response;
 * - secure = the Request-URI of our request is SIPS (we send SIPS over TLS
 *   only, RFC 3261 26.2.2).
 *
 * Throws SipParseError when the response has no usable Contact (a 2xx to
 * SUBSCRIBE or INVITE must carry one, RFC 6665 4.2.1, RFC 3261 13.3.1.4)
 * or a header is malformed.
 */
export function createUacDialog(req: SipRequest, res: SipResponse): DialogState {
  const remoteTarget = contactTarget(res);
  const routeSet = recordRouteSet(res, true);
  const from = req.from;
  const to = res.to;
  return makeDialogState(
    req.callId,
    from.params.get('tag') ?? '',
    to.params.get('tag') ?? '',
    nameAddrWithoutTag(from),
    nameAddrWithoutTag(to),
    req.cseq.seq,
    -1,
    remoteTarget,
    routeSet,
    req.uri.scheme === 'sips',
  );
}

/**
 * The subscriber's dialog created by a NOTIFY (RFC 6665 4.1.2.4: a NOTIFY
 * may arrive before the 2xx to the SUBSCRIBE, and each forked NOTIFY with a
 * new From tag creates its own dialog). The NOTIFY is a request we receive,
 * so the UAS rules of RFC 3261 12.1.1 apply (route set in the order of its
 * Record-Route, remote target from its Contact), with the local tag and
 * local sequence number of our SUBSCRIBE and its secure flag.
 * Throws SipParseError like {@link createUasDialog}.
 */
export function createDialogFromNotify(subscribe: SipRequest, notify: SipRequest): DialogState {
  const d = createUasDialog(notify, subscribe.from.params.get('tag') ?? '');
  d.localSeq = subscribe.cseq.seq;
  d.localUri = nameAddrWithoutTag(subscribe.from);
  d.secure = subscribe.uri.scheme === 'sips';
  return d;
}

/**
 * RFC 3261 12.1.1: "The UAS MUST copy all Record-Route header field values
 * from the request into the response (including the URIs, URI parameters,
 * and any Record-Route header field parameters, whether they are known or
 * unknown to the UAS) and MUST maintain the order of those values."
 * Appends them to `res` (for the 2xx / 1xx that creates the dialog).
 */
export function copyRecordRoute(req: SipRequest, res: SipResponse): void {
  for (const h of req.headers) if (h.key === 'record-route') res.addHeader('Record-Route', h.value);
}
