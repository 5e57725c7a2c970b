/**
 * Parameters: the `;name=value` lists of URIs (RFC 3261 section 19.1.1,
 * uri-parameters, %HH-escaped) and of header fields (generic-param, section
 * 25.1: `name [ EQUAL ( token / host / quoted-string ) ]`, not escaped).
 * Keys are lower-cased (section 7.3.1: parameter names are case-insensitive);
 * a parameter without a value maps to `null`.
 */
import { DQUOTE, GENVALUE_CHARS, HNV_CHARS, PARAM_CHARS, TOKEN_CHARS, scanClass, skipWs } from './chars.js';
import { SipParseError, type SipParseErrorCode } from './errors.js';
import { decodeRange, encode } from './escape.js';
import { scanQuoted } from './quoted.js';

/** An ordered parameter map: lower-case name to value, `null` for a flag. */
export type Params = Map<string, string | null>;

/** Common parameter names, returned as constants (no allocation, hash precomputed). */
const COMMON = [
  'q',
  'lr',
  'ob',
  'gr',
  'id',
  'tag',
  'ttl',
  'user',
  'comp',
  'epid',
  'maddr',
  'rport',
  'branch',
  'method',
  'reg-id',
  'reason',
  'expires',
  'received',
  'duration',
  'handling',
  'transport',
  '+sip.instance',
];
const BY_LENGTH: string[][] = [];
for (const p of COMMON) (BY_LENGTH[p.length] ??= []).push(p);

/** The lower-case parameter name s[start, end) as a shared constant when it is a common one. */
function commonName(s: string, start: number, end: number): string | undefined {
  const list = BY_LENGTH[end - start];
  if (list === undefined) return undefined;
  const len = end - start;
  for (let j = 0; j < list.length; j++) {
    const name = list[j] as string;
    let k = 0;
    while (k < len) {
      const c = s.charCodeAt(start + k);
      const n = name.charCodeAt(k);
      // letters compare case-insensitively, other chars exactly
      if (c !== n && (n < 97 || (c | 0x20) !== n)) break;
      k++;
    }
    if (k === len) return name;
  }
  return undefined;
}

/** ASCII lower case (parameter names are case-insensitive ASCII; other octets stay as they are). */
function lower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      let out = s.slice(0, i);
      for (let j = i; j < s.length; j++) {
        const d = s.charCodeAt(j);
        out += d >= 65 && d <= 90 ? String.fromCharCode(d + 32) : s[j];
      }
      return out;
    }
  }
  return s;
}

function scanUntil(s: string, i: number, end: number, stop1: number, stop2: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c === stop1 || c === stop2) break;
    i++;
  }
  return i;
}

/**
 * Parses URI parameters starting at `i` (which is a ";") up to "?" or `end`
 * into `params`; returns the index where it stopped.
 */
export function parseUriParams(s: string, i: number, end: number, params: Params): number {
  while (i < end && s.charCodeAt(i) === 59) {
    const start = i + 1;
    const stop = scanUntil(s, start, end, 59, 63);
    const eq = scanUntil(s, start, stop, 61, 61);
    if (eq === start) throw new SipParseError('uri', 'empty URI parameter name');
    const key = commonName(s, start, eq) ?? lower(decodeRange(s, start, eq, PARAM_CHARS, 'URI parameter'));
    params.set(key, eq < stop ? decodeRange(s, eq + 1, stop, PARAM_CHARS, 'URI parameter') : null);
    i = stop;
  }
  return i;
}

/** Parses `?hname=hvalue&...` starting at `i` (which is a "?") up to `end` into `headers`. */
export function parseUriHeaders(s: string, i: number, end: number, headers: Map<string, string>): void {
  let start = i + 1;
  while (start <= end) {
    const stop = scanUntil(s, start, end, 38, 38);
    const eq = scanUntil(s, start, stop, 61, 61);
    if (eq === start || eq === stop) throw new SipParseError('uri', 'malformed URI header');
    headers.set(
      decodeRange(s, start, eq, HNV_CHARS, 'URI header'),
      decodeRange(s, eq + 1, stop, HNV_CHARS, 'URI header'),
    );
    start = stop + 1;
  }
}

/** Formats URI parameters, escaping what needs it. */
export function formatUriParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) {
    out += v === null ? ';' + encode(k, PARAM_CHARS) : ';' + encode(k, PARAM_CHARS) + '=' + encode(v, PARAM_CHARS);
  }
  return out;
}

/** Formats URI headers as `?h=v&h=v` ("" when empty). */
export function formatUriHeaders(headers: Map<string, string>): string {
  let out = '';
  for (const [k, v] of headers) out += (out === '' ? '?' : '&') + encode(k, HNV_CHARS) + '=' + encode(v, HNV_CHARS);
  return out;
}

/**
 * Parses header parameters `*( SEMI generic-param )` from `i` into `params`.
 * Stops at `end`, or at a "," outside quotes when `stopAtComma`. Quoted
 * values are kept with their quotes. Returns the index where it stopped.
 */
export function parseHeaderParams(
  s: string,
  i: number,
  end: number,
  params: Params,
  stopAtComma: boolean,
  code: SipParseErrorCode,
): number {
  for (;;) {
    i = skipWs(s, i, end);
    if (i >= end) return i;
    const c = s.charCodeAt(i);
    if (c === 44 && stopAtComma) return i;
    if (c !== 59) throw new SipParseError(code, `unexpected ${JSON.stringify(s[i])} where a parameter was expected`);
    i = skipWs(s, i + 1, end);
    let j = scanClass(s, i, end, TOKEN_CHARS);
    if (j === i) throw new SipParseError(code, 'empty parameter');
    const key = commonName(s, i, j) ?? lower(s.slice(i, j));
    i = skipWs(s, j, end);
    if (i < end && s.charCodeAt(i) === 61) {
      i = skipWs(s, i + 1, end);
      if (i < end && s.charCodeAt(i) === DQUOTE) {
        j = scanQuoted(s, i, end, code);
      } else {
        j = scanClass(s, i, end, GENVALUE_CHARS);
        if (j === i) throw new SipParseError(code, `empty value of parameter ${key}`);
      }
      params.set(key, s.slice(i, j));
      i = j;
    } else {
      params.set(key, null);
    }
  }
}

/** Formats header parameters as `;k=v;flag` (values written as stored). */
export function formatHeaderParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? ';' + k : ';' + k + '=' + v;
  return out;
}
