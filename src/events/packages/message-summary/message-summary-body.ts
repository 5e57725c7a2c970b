/**
 * Codec of the RFC 3842 `application/simple-message-summary` body:
 *
 * ```
 * Messages-Waiting: yes
 * Message-Account: sip:alice@example.com
 * Voice-Message: 8/3 (0/0)
 * ```
 *
 * Parsing follows RFC 3842 section 5.2 and is tolerant where real senders
 * differ from it (choices documented on {@link parseMessageSummary});
 * formatting writes one canonical form ({@link formatMessageSummary}).
 */
import {
  equalsLower,
  hasLineBreak,
  isToken,
  isTokenRange,
  isWsp,
  skipWsp,
  trimWspEnd,
} from './message-summary-chars.js';
import {
  MESSAGE_CLASSES,
  MESSAGE_CLASS_HEADER,
  headerCase,
  isMessageClass,
  matchMessageClass,
} from './message-summary-classes.js';
import { formatCounts, parseCounts, type MessageCounts } from './message-summary-counts.js';
import { MAX_MESSAGE_SUMMARY_BYTES, MessageSummaryParseError } from './message-summary-error.js';

export { MessageSummaryParseError, MAX_MESSAGE_SUMMARY_BYTES } from './message-summary-error.js';
export type { MessageSummaryParseErrorCode } from './message-summary-error.js';
export { MESSAGE_CLASSES, type MessageClass } from './message-summary-classes.js';
export { MAX_MESSAGE_COUNT, type MessageCounts } from './message-summary-counts.js';

/** A parsed `application/simple-message-summary` body (RFC 3842 section 5.2). */
export interface MessageSummary {
  /** `Messages-Waiting: yes|no` (RFC 3842 section 5.2, `msg-status-line`). */
  messagesWaiting: boolean;
  /** `Message-Account` URI as written (trimmed); the property is absent when there is none. */
  account?: string;
  /**
   * Summary lines: lower-case class name -> counts. The six RFC 3458 classes
   * and any unknown name whose value has the shape of counts.
   */
  classes: Map<string, MessageCounts>;
  /** Other header lines of the summary part, `[name as written, trimmed value]`, in order. */
  extraHeaders: [string, string][];
  /** The optional message-header section after the blank line, verbatim ('' when absent). */
  messageHeaders: string;
}

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
const BOM = 0xfeff;

const MESSAGES_WAITING = 'messages-waiting';
const MESSAGE_ACCOUNT = 'message-account';

function toText(body: unknown): string {
  if (typeof body === 'string') {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: count bytes only when it could matter.
    if (
      body.length > MAX_MESSAGE_SUMMARY_BYTES ||
      (body.length * 3 > MAX_MESSAGE_SUMMARY_BYTES && Buffer.byteLength(body, 'utf8') > MAX_MESSAGE_SUMMARY_BYTES)
    ) {
      throw new MessageSummaryParseError('too-large', `message summary over ${MAX_MESSAGE_SUMMARY_BYTES} bytes`);
    }
    return body;
  }
  if (body instanceof Uint8Array) {
    if (body.byteLength > MAX_MESSAGE_SUMMARY_BYTES) {
      throw new MessageSummaryParseError('too-large', `message summary over ${MAX_MESSAGE_SUMMARY_BYTES} bytes`);
    }
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return buf.toString('utf8');
  }
  throw new MessageSummaryParseError('body', 'message summary body must be a string or a Buffer');
}

/**
 * Handles one logical (unfolded) line `[start, end)` of `s`. The first line
 * must be the status line; later ones are the account, summary lines or
 * other headers.
 */
function takeLine(out: MessageSummary, s: string, start: number, end: number, first: boolean): void {
  const a = skipWsp(s, start, end);
  const b = trimWspEnd(s, a, end);
  let colon = a;
  while (colon < b && s.charCodeAt(colon) !== COLON) colon++;
  const nameEnd = trimWspEnd(s, a, colon);
  const valueStart = colon < b ? skipWsp(s, colon + 1, b) : b;
  const isHeader = colon < b && isTokenRange(s, a, nameEnd);

  if (first) {
    if (isHeader && equalsLower(s, a, nameEnd, MESSAGES_WAITING)) {
      if (equalsLower(s, valueStart, b, 'yes')) {
        out.messagesWaiting = true;
        return;
      }
      if (equalsLower(s, valueStart, b, 'no')) return;
    }
    throw new MessageSummaryParseError(
      'messages-waiting',
      'message summary must start with "Messages-Waiting: yes" or "Messages-Waiting: no"',
    );
  }
  if (!isHeader) return; // not `token HCOLON value`: ignored

  const cls = matchMessageClass(s, a, nameEnd);
  if (cls !== undefined) {
    const counts = parseCounts(s, valueStart, b);
    if (counts === undefined) {
      throw new MessageSummaryParseError('counts', `malformed counts on the ${MESSAGE_CLASS_HEADER[cls]} line`);
    }
    out.classes.set(cls, counts); // a repeated class: the last line wins
    return;
  }
  if (equalsLower(s, a, nameEnd, MESSAGE_ACCOUNT)) {
    if (out.account === undefined) {
      if (valueStart < b) out.account = s.slice(valueStart, b); // an empty one is dropped
      return;
    }
  } else if (!equalsLower(s, a, nameEnd, MESSAGES_WAITING)) {
    const counts = parseCounts(s, valueStart, b);
    if (counts !== undefined) {
      out.classes.set(s.slice(a, nameEnd).toLowerCase(), counts);
      return;
    }
  }
  out.extraHeaders.push([s.slice(a, nameEnd), s.slice(valueStart, b)]);
}

/**
 * Parses an `application/simple-message-summary` body (RFC 3842 section 5.2).
 *
 * Accepted beyond the strict grammar, because real senders do it:
 * - LF-only or bare-CR line ends, a UTF-8 byte order mark, blank lines and
 *   whitespace before the status line, trailing whitespace;
 * - any case in names and in `yes`/`no`; whitespace around `:`, `/`, `(`
 *   and `)` (RFC 3261 section 25.1 HCOLON, SLASH, LPAREN, RPAREN);
 * - the urgent part missing (Exchange UM `Voice-Message: 8/3`): urgent
 *   counts are then 0;
 * - header folding (RFC 3261 section 7.3.1): a line starting with SP/HTAB
 *   continues the previous one, joined by one space;
 * - `Message-Account` anywhere in the summary part: the first non-empty
 *   one is the account; later ones, and later `Messages-Waiting` lines,
 *   are kept in `extraHeaders`;
 * - a class given twice: the LAST line wins (not the sum: a repeated line
 *   is a restatement, and a sum could pass 2^32-1);
 * - unknown header names whose value has the shape of counts are kept as
 *   unknown classes (lower-cased key); other unknown headers are kept in
 *   `extraHeaders`; lines that are not `token ":" value` are ignored.
 *
 * The summary part ends at the first empty or whitespace-only line; all
 * that follows is returned verbatim as `messageHeaders`.
 *
 * Cost: one pass over the text, no regular expression, no allocation per
 * line for the status, account and known-class lines beyond the result.
 *
 * @throws MessageSummaryParseError (only): `messages-waiting`, `counts`,
 *   `too-large` (over 64 KiB), `body` (not a string or bytes).
 */
export function parseMessageSummary(body: string | Buffer): MessageSummary {
  const s = toText(body);
  const len = s.length;
  const out: MessageSummary = { messagesWaiting: false, classes: new Map(), extraHeaders: [], messageHeaders: '' };

  let pos = len > 0 && s.charCodeAt(0) === BOM ? 1 : 0;
  let first = true; // no logical line handled yet
  let lineStart = -1; // pending logical line, when no folding happened
  let lineEnd = -1;
  let folded: string | undefined; // pending logical line, once folded

  while (pos < len) {
    let e = pos;
    let c = 0;
    while (e < len) {
      c = s.charCodeAt(e);
      if (c === LF || c === CR) break;
      e++;
    }
    let next = e;
    if (e < len) next = c === CR && e + 1 < len && s.charCodeAt(e + 1) === LF ? e + 2 : e + 1;

    const textStart = skipWsp(s, pos, e);
    if (textStart === e) {
      // Empty or whitespace-only line: skipped before the status line,
      // otherwise the end of the summary part.
      if (first && lineStart < 0) {
        pos = next;
        continue;
      }
      out.messageHeaders = s.slice(next);
      break;
    }
    if (textStart > pos && lineStart >= 0) {
      // RFC 3261 section 7.3.1 folding: continuation of the pending line.
      folded =
        (folded ?? s.slice(lineStart, trimWspEnd(s, lineStart, lineEnd))) +
        ' ' +
        s.slice(textStart, trimWspEnd(s, textStart, e));
    } else {
      if (lineStart >= 0) {
        if (folded === undefined) takeLine(out, s, lineStart, lineEnd, first);
        else takeLine(out, folded, 0, folded.length, first);
        first = false;
      }
      lineStart = pos;
      lineEnd = e;
      folded = undefined;
    }
    pos = next;
  }
  if (lineStart >= 0) {
    if (folded === undefined) takeLine(out, s, lineStart, lineEnd, first);
    else takeLine(out, folded, 0, folded.length, first);
  } else {
    throw new MessageSummaryParseError('messages-waiting', 'message summary is empty');
  }
  return out;
}

/** A header value `formatMessageSummary` can write so that parsing gives it back. */
function isWritableValue(v: string): boolean {
  return !hasLineBreak(v) && (v.length === 0 || (!isWsp(v.charCodeAt(0)) && !isWsp(v.charCodeAt(v.length - 1))));
}

/**
 * Writes the canonical body (RFC 3842 section 5.2), CRLF line ends:
 * `Messages-Waiting`, then `Message-Account` if any, then the known classes
 * in RFC 3458 order, then unknown classes in map order (key written as
 * `X-Foo`), then `extraHeaders` in order, then, if `messageHeaders` is not
 * empty, a blank line and `messageHeaders` verbatim.
 *
 * The urgent part is ALWAYS written, `Voice-Message: 8/3 (0/0)`: Asterisk
 * does so, RFC 3842's examples do, Polycom and Yealink accept both forms,
 * and it keeps the urgent counts lossless. The one known exception is old
 * Cisco SIP firmware, for which Asterisk chan_sip had `buggymwi` (drop the
 * part); that would be a per-endpoint quirk of the package glue.
 *
 * It accepts exactly the summaries a parse can return, so that
 * `parseMessageSummary(formatMessageSummary(s))` deep-equals `s`.
 * @throws RangeError for a summary no parse could give: a count outside
 *   0..2^32-1 or not an integer; an account that is empty, has a CR/LF or
 *   edge whitespace; a class key that is not a lower-case token or is
 *   `messages-waiting`/`message-account`; an extra header whose name is not
 *   a token or names a known class, named `Message-Account` without an
 *   account, whose value has a CR/LF or edge whitespace, or (unknown name)
 *   has the shape of counts.
 */
export function formatMessageSummary(s: MessageSummary): string {
  let out = s.messagesWaiting ? 'Messages-Waiting: yes\r\n' : 'Messages-Waiting: no\r\n';
  if (s.account !== undefined) {
    if (s.account.length === 0 || !isWritableValue(s.account)) {
      throw new RangeError(`Message-Account cannot be written: ${JSON.stringify(s.account)}`);
    }
    out += 'Message-Account: ' + s.account + '\r\n';
  }
  for (const cls of MESSAGE_CLASSES) {
    const c = s.classes.get(cls);
    if (c !== undefined) out += MESSAGE_CLASS_HEADER[cls] + ': ' + formatCounts(c) + '\r\n';
  }
  for (const [key, c] of s.classes) {
    if (isMessageClass(key)) continue;
    if (!isToken(key) || key !== key.toLowerCase() || key === MESSAGES_WAITING || key === MESSAGE_ACCOUNT) {
      throw new RangeError(`message class key cannot be written: ${JSON.stringify(key)}`);
    }
    out += headerCase(key) + ': ' + formatCounts(c) + '\r\n';
  }
  for (const [name, value] of s.extraHeaders) {
    if (!isToken(name) || !isWritableValue(value)) {
      throw new RangeError(`extra header cannot be written: ${JSON.stringify([name, value])}`);
    }
    const lower = name.toLowerCase();
    if (lower === MESSAGE_ACCOUNT) {
      if (s.account === undefined) throw new RangeError('an extra Message-Account needs an account');
    } else if (lower !== MESSAGES_WAITING) {
      if (isMessageClass(lower) || parseCounts(value, 0, value.length) !== undefined) {
        throw new RangeError(`extra header would read back as a summary line: ${JSON.stringify([name, value])}`);
      }
    }
    out += value.length === 0 ? name + ':\r\n' : name + ': ' + value + '\r\n';
  }
  if (s.messageHeaders.length > 0) out += '\r\n' + s.messageHeaders;
  return out;
}

/**
 * The summary an MWI server sends for a voice mailbox (RFC 3842 section
 * 5.2): one `voice-message` class, `messagesWaiting` = `new > 0`.
 */
export function summaryFromCounts(c: MessageCounts & { account?: string }): MessageSummary {
  const s: MessageSummary = {
    messagesWaiting: c.new > 0,
    classes: new Map([['voice-message', { new: c.new, old: c.old, urgentNew: c.urgentNew, urgentOld: c.urgentOld }]]),
    extraHeaders: [],
    messageHeaders: '',
  };
  if (c.account !== undefined) s.account = c.account;
  return s;
}
