/**
 * The `Range` request header for one byte range (RFC 9110 section 14).
 *
 * What the server answers:
 * - `full`: send the whole representation with 200. For an absent header, another range unit, a syntactically
 *   invalid ranges-specifier, an int-range whose last-pos is below its first-pos (section 14.1.1: invalid), or
 *   several ranges (section 14.2 lets a server ignore Range; one 200 beats a multipart/byteranges body).
 * - `partial`: 206 with `Content-Range: bytes START-END/SIZE` (END inclusive, section 14.4).
 * - `unsatisfiable`: 416 with `Content-Range: bytes *\/SIZE` (section 15.5.17): an int-range starting at or
 *   past the end, or a suffix-range of length 0 (section 14.1.1).
 */
export type ByteRange = { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const FULL: ByteRange = { kind: 'full' };
const UNSATISFIABLE: ByteRange = { kind: 'unsatisfiable' };
/** `int-range = first-pos "-" [ last-pos ]` / `suffix-range = "-" suffix-length` (section 14.1.1). */
const SPEC = /^(\d*)-(\d*)$/;

/** A DIGIT run as a number; runs too long for a safe integer are larger than any file. */
function position(digits: string): number {
  return digits.length > 15 ? Number.POSITIVE_INFINITY : Number(digits);
}

/** Parse `Range` against a representation of `size` bytes (section 14.1.2: `bytes=0-499`, `bytes=500-`, `bytes=-500`). */
export function parseByteRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return FULL;
  const eq = header.indexOf('=');
  // range-unit is case-insensitive (section 14.1); "bytes" is the only one we support.
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return FULL;
  const set = header.slice(eq + 1);
  if (set.includes(',')) return FULL;
  const m = SPEC.exec(set.trim());
  if (!m) return FULL;
  const first = m[1] ?? '';
  const last = m[2] ?? '';
  if (first === '') {
    if (last === '') return FULL;
    const suffix = position(last);
    if (suffix === 0) return UNSATISFIABLE;
    if (size === 0) return FULL;
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = position(first);
  const end = last === '' ? Number.POSITIVE_INFINITY : position(last);
  if (end < start) return FULL;
  if (start >= size) return UNSATISFIABLE;
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}
