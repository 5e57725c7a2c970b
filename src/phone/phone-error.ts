/**
 * The one error type of the phone (src/phone/): why registering or
 * subscribing failed. The CLI turns it into one line on stderr and exit
 * code 2.
 */

/**
 * What went wrong:
 * - `unreachable`: the transport failed (connection refused, no route);
 *   RFC 3261 section 8.1.3.1 treats it like a 503 from the server
 * - `timeout`: no final response in time (RFC 3261 section 17.1.2.2 Timer F,
 *   or the phone's own bound)
 * - `auth-failed`: the server refused our credentials (403, or 401 again
 *   after we answered a fresh challenge, RFC 3261 section 22.2)
 * - `refused`: any other final failure response
 * - `no-challenge`: a 401/407 without a digest challenge we can answer
 *   (no MD5/SHA-256 with qop=auth or RFC 2069 form)
 * - `stopped`: the phone was stopped while the request was pending
 */
export type PhoneErrorCode = 'unreachable' | 'timeout' | 'auth-failed' | 'refused' | 'no-challenge' | 'stopped';

/** A typed failure of a phone request; `status` is the SIP status when a response caused it. */
export class PhoneError extends Error {
  override readonly name = 'PhoneError';
  readonly code: PhoneErrorCode;
  readonly status: number | undefined;

  constructor(code: PhoneErrorCode, message: string, status?: number) {
    super(message);
    this.code = code;
    this.status = status;
  }
}
