/**
 * An error that says what went wrong by a code from a closed set, so that
 * callers switch on `code` (e.g. to pick a SIP status, RFC 3261 section
 * 21) rather than on message text. Subclasses give it a `name`.
 */
export class CodedError<C extends string> extends Error {
  constructor(
    /** What was wrong. */
    readonly code: C,
    message: string,
  ) {
    super(message);
  }
}
