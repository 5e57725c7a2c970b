/**
 * Assembling a UAC request (RFC 3261 section 8.1.1): the header fields
 * common to requests inside and outside a dialog.
 */
import { type HeaderField, SipRequest, type SipUri, randomToken } from '../message/index.js';
import { DialogError } from './errors.js';
import { isHeaderSafe } from './header-safe.js';

/** RFC 3261 8.1.1.7: every branch we make starts with the magic cookie. */
const MAGIC_COOKIE = 'z9hG4bK';

/** RFC 3261 8.1.1.6: "A UAC MUST insert a Max-Forwards header field ... SHOULD be 70". */
export const DEFAULT_MAX_FORWARDS = 70;

/** The sent-by of our Via: the transport and local address the request leaves from. */
export interface ViaSentBy {
  /** udp, tcp, tls, ws, wss (any case; written upper-case) */
  transport: string;
  /** our address or host name (an IPv6 address with or without brackets) */
  host: string;
  port: number;
}

/** What the caller adds to a request built by this layer. */
export interface RequestOptions {
  /** Our Via sent-by (RFC 3261 8.1.1.7); a new branch is generated. */
  via: ViaSentBy;
  /**
   * Our Contact: a URI (`sip:openum@192.0.2.5:5060;transport=tcp`, written
   * as `<uri>`) or a whole name-addr value when it contains "<". Target
   * refresh requests (NOTIFY, SUBSCRIBE...) should carry one (RFC 3261
   * 12.2.1.1; RFC 6665 requires it in SUBSCRIBE and NOTIFY).
   */
  contact?: string;
  /** Max-Forwards, 0..255 (default 70, RFC 3261 8.1.1.6). */
  maxForwards?: number;
  /** Further header fields, appended in order (Event, Subscription-State...). */
  headers?: [string, string][];
  /** The body; needs `contentType` when not empty (RFC 3261 7.4.1). */
  body?: Buffer;
  /** Content-Type of the body. */
  contentType?: string;
  /** Add `rport` to the Via (RFC 3581 section 3); default true. */
  rport?: boolean;
}

function viaValue(v: ViaSentBy, rport: boolean): string {
  if (!Number.isInteger(v.port) || v.port < 0 || v.port > 65535) {
    throw new DialogError('invalid-option', `Via port ${v.port} out of range`);
  }
  if (!isTokenText(v.transport))
    throw new DialogError('invalid-option', `bad Via transport ${JSON.stringify(v.transport)}`);
  if (
    v.host.length === 0 ||
    !isHeaderSafe(v.host) ||
    v.host.indexOf(' ') >= 0 ||
    v.host.indexOf(';') >= 0 ||
    v.host.indexOf(',') >= 0
  ) {
    throw new DialogError('invalid-option', `bad Via host ${JSON.stringify(v.host)}`);
  }
  const host = v.host.indexOf(':') >= 0 && v.host.charCodeAt(0) !== 91 ? '[' + v.host + ']' : v.host;
  return (
    'SIP/2.0/' +
    v.transport.toUpperCase() +
    ' ' +
    host +
    ':' +
    v.port +
    ';branch=' +
    MAGIC_COOKIE +
    randomToken() +
    (rport ? ';rport' : '')
  );
}

function isTokenText(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

function field(name: string, key: string, value: string): HeaderField {
  return { name, key, value };
}

/**
 * Builds a request with, in order: Via, Max-Forwards, Route values, From,
 * To, Call-ID, CSeq, Contact, the caller's headers, Content-Type, and the
 * body (Content-Length is written by the serializer).
 *
 * `routes`, `from`, `to` and `callId` must be header-safe already (they
 * come from parsed messages, a validated DialogState or are checked by the
 * caller): they are written without the message layer's validation, which
 * is the costly part of building a request. Everything else in `opts` is
 * validated.
 * Throws DialogError('invalid-option') for a bad option and SipParseError
 * for a caller header that cannot stand in a message (CR/LF, bad name).
 */
export function buildRequest(
  method: string,
  requestUri: SipUri,
  routes: readonly string[],
  from: string,
  to: string,
  callId: string,
  cseq: number,
  opts: RequestOptions,
): SipRequest {
  const maxForwards = opts.maxForwards ?? DEFAULT_MAX_FORWARDS;
  if (!Number.isInteger(maxForwards) || maxForwards < 0 || maxForwards > 255) {
    throw new DialogError('invalid-option', `Max-Forwards ${maxForwards} out of range 0..255`);
  }
  const body = opts.body;
  if (body !== undefined && body.length > 0 && opts.contentType === undefined) {
    throw new DialogError('invalid-option', 'a body needs a Content-Type (RFC 3261 7.4.1)');
  }
  // caller-given fields: validated by the SipRequest constructor
  const given: [string, string][] = [];
  const contact = opts.contact;
  if (contact !== undefined) given.push(['Contact', contact.indexOf('<') >= 0 ? contact : '<' + contact + '>']);
  const extra = opts.headers;
  if (extra !== undefined) for (let i = 0; i < extra.length; i++) given.push(extra[i] as [string, string]);
  if (opts.contentType !== undefined) given.push(['Content-Type', opts.contentType]);
  const request = new SipRequest(method, requestUri, given, body);

  const fields: HeaderField[] = [
    field('Via', 'via', viaValue(opts.via, opts.rport ?? true)),
    field('Max-Forwards', 'max-forwards', String(maxForwards)),
  ];
  for (let i = 0; i < routes.length; i++) fields.push(field('Route', 'route', routes[i] as string));
  fields.push(
    field('From', 'from', from),
    field('To', 'to', to),
    field('Call-ID', 'call-id', callId),
    field('CSeq', 'cseq', cseq + ' ' + method),
  );
  const validated = request.headers;
  for (let i = 0; i < validated.length; i++) fields.push(validated[i] as HeaderField);
  request.headers = fields;
  return request;
}
