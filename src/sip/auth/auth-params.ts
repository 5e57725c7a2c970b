/**
 * The shared lexical layer of the `Digest` credentials and challenge header
 * values: scheme, auth-param list, tokens and quoted strings.
 *
 * Grammar (RFC 3261 section 25.1, section 20.7, 20.27, 20.44; RFC 7235
 * section 2.1 for the generic HTTP form):
 * ```
 * credentials    = "Digest" LWS dig-resp *(COMMA dig-resp)
 * auth-param     = auth-param-name EQUAL ( token / quoted-string )
 * EQUAL          = SWS "=" SWS          COMMA = SWS "," SWS
 * quoted-string  = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE
 * qdtext         = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
 * quoted-pair    = "\" (%x00-09 / %x0B-0C / %x0E-7F)
 * ```
 * The values reaching this module are header values already unfolded and
 * trimmed by the message parser, so linear whitespace is SP / HTAB only.
 * Parsing is a single left-to-right scan without regular expressions.
 *
 * @module
 */

/** What was wrong with an authentication header value. */
export type DigestParseErrorCode =
  /** the value is empty */
  | 'empty'
  /** the value is longer than {@link MAX_AUTH_VALUE_LENGTH} */
  | 'too-long'
  /** the scheme is not `Digest`; {@link DigestParseError.scheme} names it */
  | 'scheme'
  /** not a well-formed auth-param list */
  | 'syntax'
  /** the same parameter appears twice (names compare case-insensitively) */
  | 'duplicate'
  /** a parameter the grammar requires is absent */
  | 'missing-param'
  /** a parameter has a value its grammar does not allow */
  | 'invalid-param'
  /** formatting only: a value that cannot be written (CR/LF, non-token) */
  | 'unrepresentable';

/**
 * The only error the header functions of `src/sip/auth/` throw. A server maps
 * it to its verification result (`malformed`, or `missing` for a foreign
 * scheme); it never escapes as a crash.
 */
export class DigestParseError extends Error {
  override readonly name = 'DigestParseError';
  readonly code: DigestParseErrorCode;
  /** The scheme found, for `code === 'scheme'` (e.g. `Basic`). */
  readonly scheme: string | undefined;

  constructor(code: DigestParseErrorCode, message: string, scheme?: string) {
    super(message);
    this.code = code;
    this.scheme = scheme;
  }
}

/**
 * Longest header value accepted (characters). A Digest credentials value is a
 * few hundred bytes; the bound keeps hostile input cheap to reject.
 */
export const MAX_AUTH_VALUE_LENGTH = 8192;

const SP = 0x20;
const HTAB = 0x09;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const CR = 0x0d;
const LF = 0x0a;

/** RFC 3261 section 25.1 `token` characters (alphanum / "-.!%*_+`'~"). */
const TOKEN_CHARS: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (const ch of "-.!%*_+`'~") t[ch.charCodeAt(0)] = 1;
  return t;
})();

function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN_CHARS[c] === 1;
}

/** True when `s` is a non-empty RFC 3261 `token`. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

function skipWs(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== SP && c !== HTAB) break;
    i++;
  }
  return i;
}

function scanToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/** A control character that qdtext does not allow unescaped (HTAB is LWS). */
function isBareControl(c: number): boolean {
  return (c < 0x20 && c !== HTAB) || c === 0x7f;
}

/**
 * Reads the quoted-string whose opening DQUOTE is at `s[start]`; returns the
 * unescaped content and the index just past the closing DQUOTE.
 */
function scanQuoted(s: string, start: number): { value: string; end: number } {
  let i = start + 1;
  let segment = i;
  let out = '';
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === DQUOTE) {
      return { value: out + s.slice(segment, i), end: i + 1 };
    }
    if (c === BACKSLASH) {
      const n = s.charCodeAt(i + 1); // NaN past the end
      if (Number.isNaN(n) || n === CR || n === LF) {
        throw new DigestParseError('syntax', `bad quoted-pair at offset ${i}`);
      }
      out += s.slice(segment, i);
      segment = i + 1; // keep the escaped character, drop the backslash
      i += 2;
      continue;
    }
    if (isBareControl(c)) {
      throw new DigestParseError('syntax', `control character in quoted-string at offset ${i}`);
    }
    i++;
  }
  throw new DigestParseError('syntax', 'unterminated quoted-string');
}

/**
 * Parses `Digest p1=v1, p2="v2", ...` into a map from lower-case parameter
 * name to its value (quoted-strings unescaped, tokens as written). Empty list
 * elements (`a=b, , c=d`) are tolerated (RFC 7230 section 7).
 *
 * @throws DigestParseError `empty`, `too-long`, `scheme` (another scheme than
 *   `Digest`, named in `.scheme`), `syntax`, `duplicate`.
 */
export function parseDigestParams(value: string): Map<string, string> {
  if (value.length > MAX_AUTH_VALUE_LENGTH) {
    throw new DigestParseError('too-long', `header value longer than ${MAX_AUTH_VALUE_LENGTH}`);
  }
  const s = value;
  let i = skipWs(s, 0);
  if (i === s.length) throw new DigestParseError('empty', 'empty header value');
  const schemeEnd = scanToken(s, i);
  if (schemeEnd === i) throw new DigestParseError('syntax', 'missing auth-scheme');
  const scheme = s.slice(i, schemeEnd);
  if (scheme.length !== 6 || scheme.toLowerCase() !== 'digest') {
    throw new DigestParseError('scheme', `unsupported auth-scheme ${scheme}`, scheme);
  }
  i = schemeEnd;
  const params = new Map<string, string>();
  if (i === s.length || skipWs(s, i) === s.length) return params;
  if (skipWs(s, i) === i) throw new DigestParseError('syntax', 'no whitespace after scheme');
  while (true) {
    i = skipWs(s, i);
    if (i === s.length) break;
    if (s.charCodeAt(i) === COMMA) {
      i++;
      continue;
    }
    const nameEnd = scanToken(s, i);
    if (nameEnd === i) throw new DigestParseError('syntax', `expected parameter name at offset ${i}`);
    const name = s.slice(i, nameEnd).toLowerCase();
    i = skipWs(s, nameEnd);
    if (s.charCodeAt(i) !== EQUALS) throw new DigestParseError('syntax', `expected "=" after ${name}`);
    i = skipWs(s, i + 1);
    let paramValue: string;
    if (s.charCodeAt(i) === DQUOTE) {
      const q = scanQuoted(s, i);
      paramValue = q.value;
      i = q.end;
    } else {
      const end = scanToken(s, i);
      if (end === i) throw new DigestParseError('syntax', `expected value for ${name}`);
      paramValue = s.slice(i, end);
      i = end;
    }
    if (params.has(name)) throw new DigestParseError('duplicate', `duplicate parameter ${name}`);
    params.set(name, paramValue);
    i = skipWs(s, i);
    if (i === s.length) break;
    if (s.charCodeAt(i) !== COMMA) throw new DigestParseError('syntax', `expected "," at offset ${i}`);
    i++;
  }
  return params;
}

/**
 * Writes `value` as a quoted-string: `"` and `\` and control characters other
 * than HTAB are escaped as quoted-pairs (RFC 3261 section 25.1).
 *
 * @throws DigestParseError `unrepresentable` for CR or LF, which no
 *   quoted-pair may carry.
 */
export function quoteString(value: string): string {
  let plain = true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === DQUOTE || c === BACKSLASH || isBareControl(c)) {
      plain = false;
      break;
    }
  }
  if (plain) return `"${value}"`;
  let out = '"';
  let segment = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === CR || c === LF) {
      throw new DigestParseError('unrepresentable', 'CR/LF cannot appear in a quoted-string');
    }
    if (c === DQUOTE || c === BACKSLASH || isBareControl(c)) {
      out += value.slice(segment, i) + '\\';
      segment = i;
    }
  }
  return out + value.slice(segment) + '"';
}

/**
 * Writes a token-valued parameter.
 *
 * @throws DigestParseError `unrepresentable` when `value` is not a token.
 */
export function tokenParam(name: string, value: string): string {
  if (!isToken(value)) {
    throw new DigestParseError('unrepresentable', `${name} must be a token`);
  }
  return `${name}=${value}`;
}
