/**
 * Address helpers of the dialog layer: name-addr text without the tag,
 * the remote target from Contact, route sets from Record-Route
 * (RFC 3261 sections 12.1.1, 12.1.2, 20.10, 20.30).
 */
import {
  type NameAddr,
  type SipMessage,
  SipParseError,
  SipUri,
  type Uri,
  formatNameAddr,
  parseNameAddr,
  parseUri,
} from '../message/index.js';

/**
 * The address formatted as a name-addr (`"Name" <uri>;params`) with every
 * header parameter but `tag`: the From/To value of later requests, to which
 * the dialog's tag is appended (RFC 3261 12.2.1.1). Other parameters, such as
 * the `epid` of Microsoft endpoints ([MS-SIP] 2.2.2), are kept.
 */
export function nameAddrWithoutTag(n: NameAddr): string {
  if (!n.params.has('tag')) return formatNameAddr(n);
  const params = new Map(n.params);
  params.delete('tag');
  return formatNameAddr({ displayName: n.displayName, uri: n.uri, params });
}

/**
 * Normalises caller-given From/To text (`sip:a@b`, `<sip:a@b>`,
 * `"A" <sip:a@b>;x=y`) to name-addr text without a tag.
 * Throws SipParseError('name-addr').
 */
export function normalizeAddress(text: string): string {
  return nameAddrWithoutTag(parseNameAddr(text));
}

function requireSip(uri: Uri, what: string): SipUri {
  if (!(uri instanceof SipUri)) {
    throw new SipParseError('name-addr', `${what} must be a SIP or SIPS URI (RFC 3261 8.1.1.8), got ${uri.scheme}:`);
  }
  return uri;
}

/**
 * The remote target of a dialog: the URI of the (first) Contact of `msg`
 * (RFC 3261 12.1.1, 12.1.2). Contact must be a SIP or SIPS URI (8.1.1.8);
 * several values are tolerated and the first is used, as pjsip does.
 * Throws SipParseError('missing-header') when there is no Contact and
 * SipParseError('name-addr') when it is `*`, malformed or not SIP.
 */
export function contactTarget(msg: SipMessage): string {
  const target = contactTargetIfAny(msg);
  if (target === undefined) throw new SipParseError('missing-header', 'no Contact header (RFC 3261 12.1)');
  return target;
}

/**
 * Like {@link contactTarget}, but undefined when there is no Contact at
 * all (a target refresh request without Contact keeps the old target,
 * RFC 3261 12.2.2 "if present").
 */
export function contactTargetIfAny(msg: SipMessage): string | undefined {
  const contacts = msg.contacts;
  const first = contacts[0];
  if (first === undefined) return undefined;
  if (first.star || first.nameAddr === undefined) throw new SipParseError('name-addr', 'Contact "*" outside REGISTER');
  return requireSip(first.nameAddr.uri, 'Contact').toString();
}

/**
 * The Record-Route values of `msg`, each a validated name-addr with a SIP
 * or SIPS URI, kept as received (all URI and header parameters included,
 * RFC 3261 12.1.1), in order or reversed (12.1.2).
 * Throws SipParseError('name-addr').
 */
export function recordRouteSet(msg: SipMessage, reverse: boolean): string[] {
  const values = msg.getHeaderList('Record-Route');
  for (const v of values) requireSip(parseNameAddr(v).uri, 'Record-Route');
  return reverse ? values.reverse() : values;
}

/** The URI of one route set value (a name-addr). Throws SipParseError. */
export function routeUri(route: string): SipUri {
  return requireSip(parseNameAddr(route).uri, 'Route');
}

/**
 * A SIP URI as it may stand in a Request-URI: RFC 3261 19.1.1 table 1 and
 * 12.2.1.1 strip the `method` parameter and the URI headers. Returns `uri`
 * itself when nothing needs stripping.
 */
export function requestUriOf(uri: SipUri): SipUri {
  if (uri.headers.size === 0 && !uri.params.has('method')) return uri;
  const c = uri.clone();
  c.headers.clear();
  c.params.delete('method');
  return c;
}

/** Parses a stored SIP/SIPS URI (remote target, request target). Throws SipParseError. */
export function parseSipUri(text: string, what: string): SipUri {
  try {
    return requireSip(parseUri(text), what);
  } catch (e) {
    if (e instanceof SipParseError) throw new SipParseError('uri', `${what}: ${e.message}`);
    throw e;
  }
}

/**
 * Our Contact for requests and dialogs (RFC 3261 section 8.1.1.8):
 * `<sip:HOST:PORT;transport=PROTO>`, an IPv6 host in brackets.
 */
export function contactValue(host: string, port: number, protocol: string): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `<sip:${h}:${port};transport=${protocol}>`;
}
