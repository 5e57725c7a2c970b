/**
 * What a parse error is about. `status` tells a server which response to
 * send when the message was a request (RFC 3261 section 21.4).
 *
 * - `start-line`: malformed Request-Line or Status-Line (RFC 3261 7.1, 7.2)
 * - `version`: a SIP-Version other than SIP/2.0 (505, RFC 3261 8.2.2 / 21.5.6)
 * - `header`: malformed header field line or value (RFC 3261 7.3)
 * - `uri`: malformed Request-URI or URI (RFC 3261 19.1, 25.1)
 * - `name-addr`: malformed name-addr / addr-spec header value (RFC 3261 20.10, 25.1)
 * - `via`: malformed Via (RFC 3261 20.42)
 * - `cseq`: malformed CSeq or method mismatch (RFC 3261 8.1.1.5, 20.16)
 * - `call-id`: malformed Call-ID (RFC 3261 20.8)
 * - `max-forwards`: malformed or out-of-range Max-Forwards (RFC 3261 20.22)
 * - `content-length`: malformed Content-Length (RFC 3261 20.14)
 * - `body`: body shorter than Content-Length on a datagram (RFC 3261 18.3)
 * - `too-large`: message exceeds the size limit (513, RFC 3261 21.5.11)
 * - `missing-header`: a mandatory header is absent (RFC 3261 8.1.1)
 * - `duplicate-header`: a single-valued mandatory header appears twice (RFC 4475 3.3.8)
 */
export type SipParseErrorCode =
  | 'start-line'
  | 'version'
  | 'header'
  | 'uri'
  | 'name-addr'
  | 'via'
  | 'cseq'
  | 'call-id'
  | 'max-forwards'
  | 'content-length'
  | 'body'
  | 'too-large'
  | 'missing-header'
  | 'duplicate-header';

/**
 * The only error thrown by the parse functions of this module. Bad input
 * never throws anything else.
 */
export class SipParseError extends Error {
  /** What was wrong; see {@link SipParseErrorCode}. */
  readonly code: SipParseErrorCode;
  /** Response a server should send for a request: 400 usually, 505 bad version, 513 too large, 501 unknown method. */
  readonly status: number;

  constructor(code: SipParseErrorCode, message: string, status = 400) {
    super(message);
    this.name = 'SipParseError';
    this.code = code;
    this.status = status;
  }
}
