/**
 * Parsers of the simple typed header values: CSeq, Call-ID, Max-Forwards,
 * Expires, Content-Length, Contact, and the comma-list splitter.
 */
import { BACKSLASH, DQUOTE, TOKEN_CHARS, WORD_CHARS, skipWs, trimEndIndex } from './chars.js';
import { SipParseError, type SipParseErrorCode } from './errors.js';
import { type NameAddr, nameAddrEnd, parseNameAddrAt } from './name-addr.js';

/** CSeq = 1*DIGIT LWS Method (RFC 3261 section 20.16). */
export interface CSeq {
  /** 32-bit unsigned sequence number */
  seq: number;
  method: string;
}

/** One Contact value (RFC 3261 section 20.10); `star` for `Contact: *`. */
export interface Contact {
  star: boolean;
  nameAddr?: NameAddr;
}

const MAX_U32 = 0xffffffff;

/**
 * Parses 1*DIGIT filling the whole of s[start, end) into a number not above
 * `max`; throws SipParseError(`code`) otherwise.
 */
export function parseDigits(
  s: string,
  start: number,
  end: number,
  max: number,
  code: SipParseErrorCode,
  what: string,
): number {
  if (end <= start) throw new SipParseError(code, `empty ${what}`);
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) throw new SipParseError(code, `${what} is not a number`);
    v = v * 10 + (c - 48);
    if (v > max) throw new SipParseError(code, `${what} out of range`);
  }
  return v;
}

/**
 * Parses a CSeq value. The number must fit 32 bits (RFC 3261 8.1.1.5,
 * RFC 4475 3.1.2.4). Throws SipParseError('cseq').
 */
export function parseCSeq(value: string): CSeq {
  const end = trimEndIndex(value, 0, value.length);
  let i = skipWs(value, 0, end);
  const numStart = i;
  while (i < end) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  const seq = parseDigits(value, numStart, i, MAX_U32, 'cseq', 'CSeq number');
  const m = skipWs(value, i, end);
  if (m === i || m >= end) throw new SipParseError('cseq', 'CSeq without method');
  for (let k = m; k < end; k++) {
    const c = value.charCodeAt(k);
    if (c >= 128 || TOKEN_CHARS[c] !== 1) throw new SipParseError('cseq', 'CSeq method is not a token');
  }
  return { seq, method: value.slice(m, end) };
}

/** Validates a Call-ID: `word [ "@" word ]` (RFC 3261 section 25.1). Throws SipParseError('call-id'). */
export function validateCallId(value: string): string {
  const n = value.length;
  if (n === 0) throw new SipParseError('call-id', 'empty Call-ID');
  let at = -1;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c === 64) {
      if (at >= 0 || i === 0 || i === n - 1) throw new SipParseError('call-id', 'malformed Call-ID');
      at = i;
    } else if (c >= 128 || WORD_CHARS[c] !== 1) {
      throw new SipParseError('call-id', 'invalid char in Call-ID');
    }
  }
  return value;
}

/** Max-Forwards = 1*DIGIT, 0-255 (RFC 3261 section 20.22). Throws SipParseError('max-forwards'). */
export function parseMaxForwards(value: string): number {
  return parseDigits(value, 0, value.length, 255, 'max-forwards', 'Max-Forwards');
}

/**
 * Expires = delta-seconds, 0..2^32-1 (RFC 3261 section 20.19). Throws
 * SipParseError('header') when malformed or overlarge; RFC 4475 3.1.2.4
 * lets the caller then use the default expiration instead.
 */
export function parseExpires(value: string): number {
  return parseDigits(value, 0, value.length, MAX_U32, 'header', 'Expires');
}

/** Content-Length = 1*DIGIT (RFC 3261 section 20.14). Throws SipParseError('content-length'). */
export function parseContentLength(value: string): number {
  return parseDigits(value, 0, value.length, 0x7fffffff, 'content-length', 'Content-Length');
}

/**
 * Parses a Contact header value: `*` or a comma list of name-addr /
 * addr-spec with parameters (RFC 3261 section 20.10). Appends to `out`.
 * Throws SipParseError('name-addr').
 */
export function parseContactValue(value: string, out: Contact[]): void {
  const end = trimEndIndex(value, 0, value.length);
  const start = skipWs(value, 0, end);
  if (end - start === 1 && value.charCodeAt(start) === 42) {
    out.push({ star: true, nameAddr: undefined });
    return;
  }
  let i = start;
  for (;;) {
    out.push({ star: false, nameAddr: parseNameAddrAt(value, i, end, true) });
    i = skipWs(value, nameAddrEnd, end);
    if (i >= end) return;
    i++; // the comma
  }
}

/**
 * Splits a header value at the commas that separate list elements, outside
 * quoted strings and <...> (RFC 3261 section 7.3.1). Elements are trimmed;
 * empty ones are dropped.
 */
export function splitList(value: string, out: string[]): void {
  let start = 0;
  let inQuote = false;
  let angle = false;
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === BACKSLASH) i++;
      else if (c === DQUOTE) inQuote = false;
    } else if (c === DQUOTE) {
      inQuote = true;
    } else if (c === 60) {
      angle = true;
    } else if (c === 62) {
      angle = false;
    } else if (c === 44 && !angle) {
      pushTrimmed(value, start, i, out);
      start = i + 1;
    }
  }
  pushTrimmed(value, start, n, out);
}

function pushTrimmed(s: string, start: number, end: number, out: string[]): void {
  const a = skipWs(s, start, end);
  const b = trimEndIndex(s, a, end);
  if (b > a) out.push(a === 0 && b === s.length ? s : s.slice(a, b));
}
