/**
 * host = hostname / IPv4address / IPv6reference (RFC 3261 section 25.1),
 * with the IPv6 cases of RFC 5118.
 */
import { HOST_CHARS, hexValue, indexIn, scanClass } from './chars.js';
import { SipParseError, type SipParseErrorCode } from './errors.js';

/** True when s[start, end) is a dotted-quad IPv4 address. */
export function isIPv4(s: string, start: number, end: number): boolean {
  let parts = 0;
  let i = start;
  while (parts < 4) {
    let v = 0;
    let digits = 0;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      digits++;
      i++;
    }
    if (digits === 0 || digits > 3 || v > 255) return false;
    parts++;
    if (parts < 4) {
      if (s.charCodeAt(i) !== 46 || i >= end) return false;
      i++;
    }
  }
  return i === end;
}

/** Number of 1-4 hex digit groups separated by single ":" in s[start, end), or -1. Empty range = 0. */
function hexGroups(s: string, start: number, end: number): number {
  if (start === end) return 0;
  let groups = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 58) {
      if (digits === 0) return -1;
      groups++;
      digits = 0;
    } else if (hexValue(c) >= 0) {
      if (++digits > 4) return -1;
    } else {
      return -1;
    }
  }
  if (digits === 0) return -1;
  return groups + 1;
}

/** Index of the first "::" within s[from, end), or -1. */
function indexOfPair(s: string, from: number, end: number): number {
  for (let i = from; i + 1 < end; i++) if (s.charCodeAt(i) === 58 && s.charCodeAt(i + 1) === 58) return i;
  return -1;
}

/**
 * True when s[start, end) is an IPv6 address (RFC 4291 section 2.2). The
 * RFC 3261 ABNF form with three colons before an embedded IPv4 address
 * (`2001:db8:::192.0.2.1`) is tolerated as RFC 5118 section 4.10 asks.
 */
export function isIPv6(s: string, start: number, end: number): boolean {
  let hexEnd = end;
  let extra = 0;
  let lastColon = end - 1;
  while (lastColon >= start && s.charCodeAt(lastColon) !== 58) lastColon--;
  if (lastColon < start) return false;
  if (indexIn(s, 46, lastColon, end) >= 0) {
    if (!isIPv4(s, lastColon + 1, end)) return false;
    extra = 2;
    // the IPv4 part follows "X:" or the compression "::" (RFC 4291) or ":::" (RFC 3261 bug)
    if (lastColon - 2 >= start && s.charCodeAt(lastColon - 1) === 58 && s.charCodeAt(lastColon - 2) === 58) {
      hexEnd = lastColon; // ":::" -> hex part ends with "::"
    } else if (lastColon - 1 >= start && s.charCodeAt(lastColon - 1) === 58) {
      hexEnd = lastColon + 1; // "::" then IPv4
    } else {
      hexEnd = lastColon;
    }
  }
  const dbl = indexOfPair(s, start, hexEnd);
  if (dbl >= 0) {
    if (indexOfPair(s, dbl + 1, hexEnd) >= 0) return false;
    const left = hexGroups(s, start, dbl);
    const right = hexGroups(s, dbl + 2, hexEnd);
    if (left < 0 || right < 0) return false;
    return left + right + extra <= 7;
  }
  const groups = hexGroups(s, start, hexEnd);
  return groups >= 0 && groups + extra === 8;
}

/**
 * Scans a host starting at `i` and returns the index after it. An IPv6
 * reference keeps its brackets. Throws SipParseError(`code`) when there is
 * no valid host.
 */
export function scanHost(s: string, i: number, end: number, code: SipParseErrorCode): number {
  if (s.charCodeAt(i) === 91) {
    const close = indexIn(s, 93, i, end);
    if (close < 0 || !isIPv6(s, i + 1, close)) {
      throw new SipParseError(code, 'invalid IPv6 reference');
    }
    return close + 1;
  }
  const j = scanClass(s, i, end, HOST_CHARS);
  if (j === i) throw new SipParseError(code, 'missing host');
  return j;
}

/**
 * Scans `1*DIGIT` at `i` as a port (0..65535); returns the index after it
 * and stores the value in {@link lastPort}.
 */
export function scanPort(s: string, i: number, end: number, code: SipParseErrorCode): number {
  let v = 0;
  let j = i;
  while (j < end) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    if (v > 65535) throw new SipParseError(code, 'port out of range');
    j++;
  }
  if (j === i) throw new SipParseError(code, 'missing port');
  lastPort = v;
  return j;
}

/** The value read by the last {@link scanPort} call. */
export let lastPort = 0;
