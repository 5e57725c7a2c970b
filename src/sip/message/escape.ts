/**
 * %HH escapes of SIP URIs (RFC 3261 section 19.1.2 and 25.1 `escaped`).
 *
 * Decoding is by octet: each `%HH` becomes the char with code HH, so a
 * decoded string is an octet string and re-encoding restores the exact
 * octets (RFC 3261 19.1.4 compares URIs with escapes decoded). Chars above
 * U+00FF (only from code, never from the wire) are encoded as UTF-8.
 */
import { type CharTable, hexValue } from './chars.js';
import { SipParseError, type SipParseErrorCode } from './errors.js';

const HEX = '0123456789ABCDEF';

/**
 * Validates s[start, end) as chars of class `t` or `%HH` escapes and
 * returns it decoded. Throws SipParseError(`code`) naming `what`.
 */
export function decodeRange(
  s: string,
  start: number,
  end: number,
  t: CharTable,
  what: string,
  code: SipParseErrorCode = 'uri',
): string {
  let escapes = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 37) {
      if (i + 2 >= end || hexValue(s.charCodeAt(i + 1)) < 0 || hexValue(s.charCodeAt(i + 2)) < 0) {
        throw new SipParseError(code, `bad % escape in ${what}`);
      }
      escapes = true;
      i += 2;
    } else if (c >= 128 || t[c] !== 1) {
      throw new SipParseError(code, `invalid char ${JSON.stringify(s[i])} in ${what}`);
    }
  }
  if (!escapes) return s.slice(start, end);
  let out = '';
  let run = start;
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) === 37) {
      out += s.slice(run, i) + String.fromCharCode(hexValue(s.charCodeAt(i + 1)) * 16 + hexValue(s.charCodeAt(i + 2)));
      i += 2;
      run = i + 1;
    }
  }
  return out + s.slice(run, end);
}

function pct(b: number): string {
  return '%' + HEX[b >> 4] + HEX[b & 15];
}

/** Encodes `s` so that every char outside class `t` (and every "%") becomes `%HH`. */
export function encode(s: string, t: CharTable): string {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 || c >= 128 || t[c] !== 1) break;
  }
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 37 && c < 128 && t[c] === 1) {
      out += s[i];
    } else if (c <= 0xff) {
      out += pct(c);
    } else {
      const cp = s.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out += pct(b);
    }
  }
  return out;
}
