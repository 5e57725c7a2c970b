/**
 * Character classes of the RFC 3261 section 25.1 grammar as lookup tables
 * (one per class, so a hot loop tests a char with one array load and no
 * imported constant), plus whitespace helpers.
 */

/** A char class: `table[c] === 1` for the char codes (below 128) in the class. */
export type CharTable = Uint8Array;

function table(chars: string): CharTable {
  const t = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DIGIT = '0123456789';
const ALNUM = ALPHA + DIGIT;
const UNRESERVED = ALNUM + "-_.!~*'()";
const TOKEN_STR = ALNUM + "-.!%*_+`'~";

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN_CHARS = table(TOKEN_STR);
/** word (Call-ID) = token chars plus ( ) < > : \ DQUOTE / [ ] ? { } */
export const WORD_CHARS = table(TOKEN_STR + '()<>:\\"/[]?{}');
/** user = unreserved / user-unreserved ("&" "=" "+" "$" "," ";" "?" "/") */
export const USER_CHARS = table(UNRESERVED + '&=+$,;?/');
/** password = unreserved / "&" "=" "+" "$" "," */
export const PASSWORD_CHARS = table(UNRESERVED + '&=+$,');
/** paramchar = param-unreserved ("[" "]" "/" ":" "&" "+" "$") / unreserved */
export const PARAM_CHARS = table(UNRESERVED + '[]/:&+$');
/** hname/hvalue = hnv-unreserved ("[" "]" "/" "?" ":" "+" "$") / unreserved */
export const HNV_CHARS = table(UNRESERVED + '[]/?:+$');
/** hostname chars: alphanum "-" "." and, liberally, "_" */
export const HOST_CHARS = table(ALNUM + '-._');
/** gen-value = token / host / quoted-string: token chars plus ":" "[" "]" */
export const GENVALUE_CHARS = table(TOKEN_STR + ':[]');
/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
export const SCHEME_CHARS = table(ALNUM + '+-.');
/** uric of an absoluteURI: reserved / unreserved / "%" plus "[" "]" "#" */
export const URIC_CHARS = table(UNRESERVED + ';/?:@&=+$,%[]#');
/** tel: number chars (RFC 3966 phonedigit-hex, visual separators, "+") */
export const TEL_CHARS = table(DIGIT + 'ABCDEFabcdef*#+-.()pPwW');

/** True when char code `c` is in class `t`. */
export function is(c: number, t: CharTable): boolean {
  return c < 128 && t[c] === 1;
}

/** Value of a hex digit, or -1. */
export function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

export const SP = 32;
export const HT = 9;
export const CR = 13;
export const LF = 10;
export const DQUOTE = 34;
export const BACKSLASH = 92;

/** Index of the first char at or after `i` (before `end`) that is not SP or HT. */
export function skipWs(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** Index after the last char before `end` (not before `start`) that is not SP or HT. */
export function trimEndIndex(s: string, start: number, end: number): number {
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    if (c !== 32 && c !== 9) break;
    end--;
  }
  return end;
}

/** Index of the first char at or after `i` (before `end`) not in class `t`. */
export function scanClass(s: string, i: number, end: number, t: CharTable): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c >= 128 || t[c] !== 1) break;
    i++;
  }
  return i;
}

/** True when s[start, end) is a non-empty RFC 3261 token. */
export function isTokenRange(s: string, start: number, end: number): boolean {
  return end > start && scanClass(s, start, end, TOKEN_CHARS) === end;
}

/** True when `s` is a non-empty RFC 3261 token. */
export function isToken(s: string): boolean {
  return isTokenRange(s, 0, s.length);
}

/** Index of char code `c` in s[from, end), or -1 (never looks past `end`). */
export function indexIn(s: string, c: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (s.charCodeAt(i) === c) return i;
  return -1;
}
