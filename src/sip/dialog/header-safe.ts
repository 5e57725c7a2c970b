/**
 * A guard for strings that this layer writes into header fields without
 * going through the message layer's validation (RFC 3261 7.3: a header
 * value never holds CR, LF or NUL, which would inject header lines).
 */

/** True when `s` has no control character (below 0x20 but HTAB, or 0x7f). */
export function isHeaderSafe(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return false;
  }
  return true;
}

/** True when `s` is not empty, header-safe and has no white space (a Call-ID or a tag). */
export function isWordSafe(s: string): boolean {
  if (s.length === 0 || !isHeaderSafe(s)) return false;
  return s.indexOf(' ') < 0 && s.indexOf('\t') < 0;
}
