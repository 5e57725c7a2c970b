import { skipWsp } from './message-summary-chars.js';

/**
 * The counts of one message-context-class (RFC 3842 section 5.2,
 * `msg-summary-line`). `urgentNew`/`urgentOld` are the subsets of
 * `new`/`old` marked urgent; absent on the wire they are 0.
 */
export interface MessageCounts {
  new: number;
  old: number;
  urgentNew: number;
  urgentOld: number;
}

/** `msgcount` "MUST NOT exceed 2^32-1" (RFC 3842 section 5.2). */
export const MAX_MESSAGE_COUNT = 0xffffffff;

const SLASH = 0x2f;
const LPAREN = 0x28;
const RPAREN = 0x29;

// Index just after the digits read by the last readCount() call. A module
// variable instead of a returned tuple keeps the hot path allocation-free.
let cursor = 0;

/** Reads `1*DIGIT` at `i`; returns the value, or -1 if absent or above 2^32-1. */
function readCount(s: string, i: number, end: number): number {
  const first = i;
  let n = 0;
  while (i < end) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
    if (n > MAX_MESSAGE_COUNT) return -1;
    i++;
  }
  cursor = i;
  return i === first ? -1 : n;
}

/**
 * Parses the value of a summary line, `[start, end)`:
 * `newmsgs SLASH oldmsgs [ LPAREN new-urgentmsgs SLASH old-urgentmsgs RPAREN ]`
 * (RFC 3842 section 5.2), where SLASH, LPAREN and RPAREN admit whitespace
 * on both sides (RFC 3261 section 25.1, SWS). Returns undefined when the
 * region is not exactly that, so that the caller decides whether it is an
 * error (a known class) or an ordinary header (an unknown name).
 */
export function parseCounts(s: string, start: number, end: number): MessageCounts | undefined {
  let i = skipWsp(s, start, end);
  const newMsgs = readCount(s, i, end);
  if (newMsgs < 0) return undefined;
  i = skipWsp(s, cursor, end);
  if (i >= end || s.charCodeAt(i) !== SLASH) return undefined;
  const oldMsgs = readCount(s, skipWsp(s, i + 1, end), end);
  if (oldMsgs < 0) return undefined;
  i = skipWsp(s, cursor, end);
  if (i === end) return { new: newMsgs, old: oldMsgs, urgentNew: 0, urgentOld: 0 };
  if (s.charCodeAt(i) !== LPAREN) return undefined;
  const urgentNew = readCount(s, skipWsp(s, i + 1, end), end);
  if (urgentNew < 0) return undefined;
  i = skipWsp(s, cursor, end);
  if (i >= end || s.charCodeAt(i) !== SLASH) return undefined;
  const urgentOld = readCount(s, skipWsp(s, i + 1, end), end);
  if (urgentOld < 0) return undefined;
  i = skipWsp(s, cursor, end);
  if (i >= end || s.charCodeAt(i) !== RPAREN) return undefined;
  if (skipWsp(s, i + 1, end) !== end) return undefined;
  return { new: newMsgs, old: oldMsgs, urgentNew, urgentOld };
}

function isCount(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_MESSAGE_COUNT;
}

/**
 * Writes `NEW/OLD (URGENT_NEW/URGENT_OLD)`. The urgent part is always
 * written, as Asterisk does and as RFC 3842 section 5.2's examples show.
 * @throws RangeError when a count is not an integer in 0..2^32-1.
 */
export function formatCounts(c: MessageCounts): string {
  if (!isCount(c.new) || !isCount(c.old) || !isCount(c.urgentNew) || !isCount(c.urgentOld)) {
    throw new RangeError(`message counts must be integers in 0..${MAX_MESSAGE_COUNT}: ${JSON.stringify(c)}`);
  }
  return `${c.new}/${c.old} (${c.urgentNew}/${c.urgentOld})`;
}
