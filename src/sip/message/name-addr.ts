/**
 * name-addr / addr-spec header values with their parameters: From, To,
 * Contact, Route, Record-Route, Reply-To, Refer-To... (RFC 3261 section
 * 20.10 and 25.1).
 */
import { DQUOTE, HT, SP, TOKEN_CHARS, indexIn, scanClass, skipWs } from './chars.js';
import { SipParseError } from './errors.js';
import { type Params, formatHeaderParams, parseHeaderParams } from './params.js';
import { quote, scanQuoted, unquoteRange } from './quoted.js';
import { type Uri, parseUriRange } from './uri.js';

/**
 * An address: optional display name, URI, header parameters (`tag`,
 * `expires`, `q`, `+sip.instance`...; lower-case names, values as written,
 * quotes included). The tag is `params.get('tag')`.
 */
export interface NameAddr {
  /** unquoted display name; a token-sequence display name has its words joined by one SP */
  displayName?: string;
  uri: Uri;
  params: Params;
}

/** Index after the element parsed by the last {@link parseNameAddrAt} call. */
export let nameAddrEnd = 0;

function isToken(c: number): boolean {
  return c < 128 && TOKEN_CHARS[c] === 1;
}

/**
 * Parses one name-addr or addr-spec with its parameters starting at `i`.
 * With `list`, stops before a "," that separates list elements (Contact,
 * Route...). RFC 3261 20.10: in addr-spec form the URI cannot contain
 * ",", ";" or "?", and the parameters after it belong to the header.
 * Sets {@link nameAddrEnd}. Throws SipParseError('name-addr').
 */
export function parseNameAddrAt(s: string, i: number, end: number, list: boolean): NameAddr {
  i = skipWs(s, i, end);
  if (i >= end) throw new SipParseError('name-addr', 'empty address');
  let displayName: string | undefined;
  let c = s.charCodeAt(i);
  let uriStart: number;
  let uriEnd: number;
  let after: number;
  if (c === DQUOTE) {
    const q = scanQuoted(s, i, end, 'name-addr');
    displayName = unquoteRange(s, i, q);
    i = skipWs(s, q, end);
    if (s.charCodeAt(i) !== 60 || i >= end)
      throw new SipParseError('name-addr', 'quoted display name not followed by <URI>');
    c = 60;
  }
  if (c === 60) {
    uriStart = i + 1;
    uriEnd = indexIn(s, 62, uriStart, end);
    if (uriEnd < 0) throw new SipParseError('name-addr', 'unterminated <URI>');
    after = uriEnd + 1;
  } else {
    // token display name (*(token LWS)) before "<", or an addr-spec
    let j = scanClass(s, i, end, TOKEN_CHARS);
    if (j === i) throw new SipParseError('name-addr', `unexpected ${JSON.stringify(s[i])} in address`);
    if (j < end && s.charCodeAt(j) === 58) {
      // addr-spec: scheme ":" ... up to the first ";" / "," / whitespace
      uriStart = i;
      uriEnd = j + 1;
      while (uriEnd < end) {
        const d = s.charCodeAt(uriEnd);
        if (d === 59 || d === SP || d === HT || (d === 44 && list)) break;
        if (d === 63 || d === 44)
          throw new SipParseError('name-addr', 'a URI with "?" or "," must be enclosed in <> (RFC 3261 20)');
        uriEnd++;
      }
      after = uriEnd;
    } else {
      let name = s.slice(i, j);
      for (;;) {
        const k = skipWs(s, j, end);
        if (k >= end) throw new SipParseError('name-addr', 'display name not followed by <URI>');
        const d = s.charCodeAt(k);
        if (d === 60) {
          i = k;
          break;
        }
        if (!isToken(d) || k === j)
          throw new SipParseError('name-addr', `non-token char ${JSON.stringify(s[k])} in unquoted display name`);
        j = scanClass(s, k, end, TOKEN_CHARS);
        name += ' ' + s.slice(k, j);
      }
      displayName = name;
      uriStart = i + 1;
      uriEnd = indexIn(s, 62, uriStart, end);
      if (uriEnd < 0) throw new SipParseError('name-addr', 'unterminated <URI>');
      after = uriEnd + 1;
    }
  }
  if (uriEnd === uriStart) throw new SipParseError('name-addr', 'empty URI');
  let uri: Uri;
  try {
    uri = parseUriRange(s, uriStart, uriEnd);
  } catch (e) {
    throw new SipParseError('name-addr', (e as Error).message);
  }
  const params: Params = new Map();
  nameAddrEnd = parseHeaderParams(s, after, end, params, list, 'name-addr');
  return { displayName, uri, params };
}

/**
 * Parses a whole header value as one name-addr or addr-spec with parameters
 * (From, To, a single Contact...). Throws SipParseError('name-addr').
 */
export function parseNameAddr(s: string): NameAddr {
  return parseNameAddrAt(s, 0, s.length, false);
}

/**
 * Formats an address as a name-addr (always with <>, so URI parameters
 * and header parameters stay apart, RFC 3261 20.10); the display name is
 * quoted when present.
 */
export function formatNameAddr(n: NameAddr): string {
  const head = n.displayName === undefined ? '<' : quote(n.displayName) + ' <';
  return head + n.uri.toString() + '>' + formatHeaderParams(n.params);
}
