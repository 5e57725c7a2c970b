/**
 * What a message-summary body parse error is about.
 *
 * - `messages-waiting`: the first non-empty line is not a valid
 *   `Messages-Waiting: yes|no` status line, or the body is empty
 *   (RFC 3842 section 5.2, `msg-status-line`).
 * - `counts`: a summary line of a known message-context-class carries
 *   malformed counts: not `NEW/OLD [(URGENT_NEW/URGENT_OLD)]`, a non-digit,
 *   a sign, or a count above 2^32-1 (RFC 3842 section 5.2, `msgcount`).
 * - `too-large`: the body is longer than {@link MAX_MESSAGE_SUMMARY_BYTES}.
 * - `body`: the value given is neither a string nor a Buffer/Uint8Array.
 */
export type MessageSummaryParseErrorCode = 'messages-waiting' | 'counts' | 'too-large' | 'body';

/** Largest body accepted, in bytes (64 KiB); a real summary is ~100 bytes. */
export const MAX_MESSAGE_SUMMARY_BYTES = 65536;

/**
 * The only error thrown by `parseMessageSummary`: bad input never throws
 * anything else (RFC 3842 section 5.2 body syntax).
 */
export class MessageSummaryParseError extends Error {
  override readonly name = 'MessageSummaryParseError';
  /** What was wrong; see {@link MessageSummaryParseErrorCode}. */
  readonly code: MessageSummaryParseErrorCode;

  constructor(code: MessageSummaryParseErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
