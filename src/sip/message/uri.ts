/**
 * SIP, SIPS, tel and other absolute URIs (RFC 3261 section 19.1 and 25.1,
 * RFC 3966, RFC 5118 for IPv6 references).
 */
import { PASSWORD_CHARS, SCHEME_CHARS, TEL_CHARS, URIC_CHARS, USER_CHARS, indexIn, scanClass } from './chars.js';
import { SipParseError } from './errors.js';
import { decodeRange, encode } from './escape.js';
import { lastPort, scanHost, scanPort } from './host.js';
import { type Params, formatUriHeaders, formatUriParams, parseUriHeaders, parseUriParams } from './params.js';

/**
 * A sip: or sips: URI (RFC 3261 section 19.1.1). `user`, `password`,
 * parameter and header names and values are stored with %HH escapes decoded
 * (as octet strings, see escape.ts) and re-escaped by {@link SipUri.toString}.
 */
export class SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  /** hostname, IPv4 address, or IPv6 reference with its brackets */
  host: string;
  port?: number;
  /** @internal */ _params: Params | undefined;
  /** @internal */ _headers: Map<string, string> | undefined;

  /** Builds a URI from decoded parts (see the class doc on escaping). */
  constructor(
    scheme: 'sip' | 'sips',
    host: string,
    user?: string,
    port?: number,
    params?: Params,
    headers?: Map<string, string>,
    password?: string,
  ) {
    this.scheme = scheme;
    this.user = user;
    this.password = password;
    this.host = host;
    this.port = port;
    this._params = params;
    this._headers = headers;
  }

  /** uri-parameters, lower-case names; `null` for a parameter without value (e.g. `lr`) */
  get params(): Params {
    return (this._params ??= new Map());
  }

  set params(p: Params) {
    this._params = p;
  }

  /** URI headers (`?name=value`), names as written */
  get headers(): Map<string, string> {
    return (this._headers ??= new Map());
  }

  set headers(h: Map<string, string>) {
    this._headers = h;
  }

  /** The `transport` URI parameter, lower-cased (RFC 3261 19.1.1). */
  get transport(): string | undefined {
    const t = this._params?.get('transport');
    return t === undefined || t === null ? undefined : t.toLowerCase();
  }

  /** The URI in RFC 3261 19.1.1 syntax, escaping where needed. */
  toString(): string {
    let s = this.scheme + ':';
    if (this.user !== undefined) {
      s += encode(this.user, USER_CHARS);
      if (this.password !== undefined) s += ':' + encode(this.password, PASSWORD_CHARS);
      s += '@';
    }
    s += this.host;
    if (this.port !== undefined) s += ':' + this.port;
    if (this._params !== undefined && this._params.size > 0) s += formatUriParams(this._params);
    if (this._headers !== undefined && this._headers.size > 0) s += formatUriHeaders(this._headers);
    return s;
  }

  /** A deep copy (parameter and header maps are copied). */
  clone(): SipUri {
    return new SipUri(
      this.scheme,
      this.host,
      this.user,
      this.port,
      this._params && new Map(this._params),
      this._headers && new Map(this._headers),
      this.password,
    );
  }
}

/** A tel: URI (RFC 3966); `number` is kept as written (visual separators included). */
export class TelUri {
  readonly scheme = 'tel' as const;
  number: string;
  params: Params;

  /** `number` as written after "tel:"; `params` with lower-case names. */
  constructor(number: string, params?: Params) {
    this.number = number;
    this.params = params ?? new Map();
  }

  /** The URI in RFC 3966 syntax. */
  toString(): string {
    return 'tel:' + this.number + formatUriParams(this.params);
  }
}

/** Any other absolute URI (RFC 3261 25.1 absoluteURI), kept verbatim. */
export class AbsoluteUri {
  /** lower-case scheme */
  scheme: string;
  /** the whole URI as written, scheme included */
  raw: string;

  /** `scheme` lower-case, `raw` the whole URI. */
  constructor(scheme: string, raw: string) {
    this.scheme = scheme;
    this.raw = raw;
  }

  /** The URI as received. */
  toString(): string {
    return this.raw;
  }
}

/** Request-URI and name-addr URI: SIP/SIPS, tel, or another absolute URI. */
export type Uri = SipUri | TelUri | AbsoluteUri;

function schemeIs(s: string, start: number, len: number, name: string): boolean {
  if (len !== name.length) return false;
  for (let k = 0; k < len; k++) {
    if ((s.charCodeAt(start + k) | 0x20) !== name.charCodeAt(k)) return false;
  }
  return true;
}

function parseSip(s: string, scheme: 'sip' | 'sips', i: number, end: number): SipUri {
  let user: string | undefined;
  let password: string | undefined;
  const at = indexIn(s, 64, i, end);
  if (at >= 0) {
    let colon = indexIn(s, 58, i, at);
    if (colon < 0) colon = at;
    if (colon === i) throw new SipParseError('uri', 'empty user part');
    user = decodeRange(s, i, colon, USER_CHARS, 'user part');
    if (colon < at) password = decodeRange(s, colon + 1, at, PASSWORD_CHARS, 'password');
    i = at + 1;
  }
  const hostEnd = scanHost(s, i, end, 'uri');
  const host = s.slice(i, hostEnd);
  i = hostEnd;
  let port: number | undefined;
  if (i < end && s.charCodeAt(i) === 58) {
    i = scanPort(s, i + 1, end, 'uri');
    port = lastPort;
  }
  let params: Params | undefined;
  let headers: Map<string, string> | undefined;
  if (i < end && s.charCodeAt(i) === 59) i = parseUriParams(s, i, end, (params = new Map()));
  if (i < end && s.charCodeAt(i) === 63) {
    parseUriHeaders(s, i, end, (headers = new Map()));
    i = end;
  }
  if (i !== end) throw new SipParseError('uri', `unexpected ${JSON.stringify(s[i])} in SIP URI`);
  return new SipUri(scheme, host, user, port, params, headers, password);
}

function parseTel(s: string, i: number, end: number): TelUri {
  let j = scanClass(s, i, end, TEL_CHARS);
  if (j === i) throw new SipParseError('uri', 'empty tel: number');
  const uri = new TelUri(s.slice(i, j));
  if (j < end && s.charCodeAt(j) === 59) j = parseUriParams(s, j, end, uri.params);
  if (j !== end) throw new SipParseError('uri', `unexpected ${JSON.stringify(s[j])} in tel: URI`);
  return uri;
}

/**
 * Parses the URI s[start, end) (no surrounding whitespace). Throws
 * SipParseError('uri').
 */
export function parseUriRange(s: string, start: number, end: number): Uri {
  let i = start;
  const c0 = s.charCodeAt(i);
  if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122)))
    throw new SipParseError('uri', 'URI does not start with a scheme');
  i = scanClass(s, i, end, SCHEME_CHARS);
  if (i >= end || s.charCodeAt(i) !== 58) throw new SipParseError('uri', 'URI scheme not followed by ":"');
  const len = i - start;
  if (schemeIs(s, start, len, 'sip')) return parseSip(s, 'sip', i + 1, end);
  if (schemeIs(s, start, len, 'sips')) return parseSip(s, 'sips', i + 1, end);
  if (schemeIs(s, start, len, 'tel')) return parseTel(s, i + 1, end);
  if (i + 1 >= end) throw new SipParseError('uri', 'empty absolute URI');
  const bad = scanClass(s, i + 1, end, URIC_CHARS);
  if (bad !== end) throw new SipParseError('uri', `invalid char ${JSON.stringify(s[bad])} in URI`);
  return new AbsoluteUri(s.slice(start, i).toLowerCase(), s.slice(start, end));
}

/** Parses a URI (RFC 3261 19.1, RFC 3966, RFC 3986 absolute URI). Throws SipParseError('uri'). */
export function parseUri(s: string): Uri {
  if (s.length === 0) throw new SipParseError('uri', 'empty URI');
  return parseUriRange(s, 0, s.length);
}

/** The user an address names: the user part of a sip:/sips: URI, the number of a tel: URI, else undefined. */
export function uriUser(uri: Uri): string | undefined {
  if (uri instanceof SipUri) return uri.user;
  if (uri instanceof TelUri) return uri.number;
  return undefined;
}
