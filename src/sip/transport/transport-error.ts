/**
 * The one error type transports reject with. RFC 3261 section 18.4: a
 * transport failure is reported to the transaction layer, which treats it
 * like a 503 (section 8.1.3.1 / 17.1.4).
 */

/** Why a send, connect or start failed. */
export type TransportErrorCode =
  /** No open flow for the given id / peer, and the transport cannot open one (ws, wss). */
  | 'no-flow'
  /** `strictFlow` was asked and the flow is gone (RFC 5626 section 5.3: 430 Flow Failed upstream). */
  | 'flow-failed'
  /** No transport for the destination's protocol. */
  | 'no-transport'
  | 'connect-failed'
  | 'connect-timeout'
  | 'send-failed'
  /** The message exceeds what the transport can carry (e.g. a UDP datagram over 65507 bytes). */
  | 'too-large'
  /** The connection limit was reached. */
  | 'too-many-connections'
  /** The peer does not read: too many bytes are waiting to be written; the connection is closed. */
  | 'congested'
  | 'bind-failed'
  | 'not-started'
  | 'stopped';

/** A typed transport failure. `cause` holds the underlying socket error, if any. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
