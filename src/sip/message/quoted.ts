/**
 * quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE (RFC 3261 section 25.1).
 */
import { BACKSLASH, CR, DQUOTE, LF } from './chars.js';
import { SipParseError, type SipParseErrorCode } from './errors.js';

/**
 * Given `s[i]` is a DQUOTE, returns the index after the closing DQUOTE.
 * Throws SipParseError(`code`) when the string is not terminated before `end`.
 */
export function scanQuoted(s: string, i: number, end: number, code: SipParseErrorCode): number {
  for (let j = i + 1; j < end; j++) {
    const c = s.charCodeAt(j);
    if (c === DQUOTE) return j + 1;
    if (c === BACKSLASH) {
      j++;
      if (j >= end) break;
      const n = s.charCodeAt(j);
      if (n === CR || n === LF) break;
    } else if (c === CR || c === LF) {
      break;
    }
  }
  throw new SipParseError(code, 'unterminated quoted string');
}

/** The content of the quoted string s[start, end) (both quotes included) with quoted-pairs resolved. */
export function unquoteRange(s: string, start: number, end: number): string {
  const inner = s.slice(start + 1, end - 1);
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] as string;
    if (c === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Removes the surrounding quotes of a quoted parameter value such as
 * `"<urn:uuid:...>"` and resolves quoted-pairs; other values are returned
 * unchanged. Header parameter values are kept as written, quotes included.
 */
export function unquote(v: string): string {
  if (v.length >= 2 && v.charCodeAt(0) === DQUOTE && v.charCodeAt(v.length - 1) === DQUOTE) {
    return unquoteRange(v, 0, v.length);
  }
  return v;
}

/**
 * Quotes `v` as a quoted-string: DQUOTE, backslash and control chars become
 * quoted-pairs; CR and LF, which no quoted-pair may carry, become SP.
 */
export function quote(v: string): string {
  let out = '"';
  let run = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === DQUOTE || c === BACKSLASH || (c < 32 && c !== 9) || c === 127) {
      out += v.slice(run, i) + (c === CR || c === LF ? ' ' : '\\' + v[i]);
      run = i + 1;
    }
  }
  return out + v.slice(run) + '"';
}
