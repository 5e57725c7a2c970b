/**
 * Errors of the dialog layer that are not parse errors of a received
 * message (those are SipParseError, from the message layer).
 */

/**
 * What went wrong:
 * - `invalid-state`: a persisted dialog row does not describe a dialog
 *   (restoreDialogState)
 * - `invalid-option`: a bad argument from the caller (Max-Forwards out of
 *   range, a body without Content-Type...)
 * - `invalid-method`: a method that cannot be built here (CANCEL, RFC 3261 9.1)
 * - `cseq-exhausted`: the local CSeq reached 2^32-1 (RFC 3261 8.1.1.5)
 * - `unsupported-uri`: a URI that cannot be sent to (not sip:/sips:)
 * - `unsupported-transport`: a transport we cannot use (sctp, sips over udp...)
 */
export type DialogErrorCode =
  | 'invalid-state'
  | 'invalid-option'
  | 'invalid-method'
  | 'cseq-exhausted'
  | 'unsupported-uri'
  | 'unsupported-transport';

/** A typed failure of the dialog layer; see {@link DialogErrorCode}. */
export class DialogError extends Error {
  readonly code: DialogErrorCode;

  constructor(code: DialogErrorCode, message: string) {
    super(message);
    this.name = 'DialogError';
    this.code = code;
  }
}
