/**
 * Character helpers for the `application/simple-message-summary` codec.
 * They work on a region `[start, end)` of a string so that the parser can
 * look at lines without slicing them (no allocation per line).
 */

/** SP or HTAB (RFC 3261 section 25.1 WSP). */
export function isWsp(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** First index in `[i, end)` that is not SP/HTAB, or `end`. */
export function skipWsp(s: string, i: number, end: number): number {
  while (i < end && isWsp(s.charCodeAt(i))) i++;
  return i;
}

/** End of `[start, end)` once trailing SP/HTAB are dropped. */
export function trimWspEnd(s: string, start: number, end: number): number {
  while (end > start && isWsp(s.charCodeAt(end - 1))) end--;
  return end;
}

// RFC 3261 section 25.1: token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
const TOKEN_CHARS = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TOKEN_CHARS[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN_CHARS[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN_CHARS[c] = 1;
for (const ch of "-.!%*_+`'~") TOKEN_CHARS[ch.charCodeAt(0)] = 1;

/** True when `[start, end)` is a non-empty RFC 3261 section 25.1 token (a header name). */
export function isTokenRange(s: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN_CHARS[c] !== 1) return false;
  }
  return true;
}

/** True when the whole of `s` is a token. */
export function isToken(s: string): boolean {
  return isTokenRange(s, 0, s.length);
}

/**
 * Case-insensitive (ASCII) comparison of `[start, end)` with `lower`, which
 * must already be lower-case. Header names are case-insensitive
 * (RFC 3261 section 7.3.1).
 */
export function equalsLower(s: string, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = s.charCodeAt(start + i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** True when `s` holds a CR or an LF (a value that would break a line). */
export function hasLineBreak(s: string): boolean {
  return s.indexOf('\r') !== -1 || s.indexOf('\n') !== -1;
}
