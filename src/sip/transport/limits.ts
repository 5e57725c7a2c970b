/**
 * Resource limits of the transports. Every limit protects the server from one
 * misbehaving or hostile peer while it keeps serving the others.
 */

/** Limits of a transport; see {@link DEFAULT_TRANSPORT_LIMITS} for the defaults. */
export interface TransportLimits {
  /**
   * Largest SIP message accepted, headers and body (default 65535 bytes).
   * Streams: a bigger message closes the connection; UDP: the datagram is
   * dropped; WebSocket: the connection is closed with status 1009.
   */
  maxMessageSize: number;
  /**
   * A connection without any traffic in either direction (keep-alives count)
   * for this long is closed (default 600 000 ms = 10 min). RFC 5626 section
   * 4.4.1 keep-alives (every 95-120 s for TCP) keep a live flow open.
   */
  idleTimeoutMs: number;
  /**
   * Once a message has started arriving on a stream it must be complete
   * within this time (default 10 000 ms), else the connection is closed
   * (a slowloris defence). Also the TLS handshake timeout.
   */
  partialMessageTimeoutMs: number;
  /** Concurrent inbound connections from one IP address, per transport (default 64); more are destroyed at once. */
  maxConnectionsPerIp: number;
  /** Concurrent connections per transport, inbound and outbound (default 10 000). The OS file limit applies too. */
  maxConnections: number;
  /** Outbound connect (and TLS handshake) timeout (default 10 000 ms). */
  connectTimeoutMs: number;
  /**
   * Bytes allowed to wait in a connection's write queue (default 4 MiB). A
   * peer that does not read is disconnected instead of growing memory.
   */
  maxWriteBufferBytes: number;
}

/** Defaults of {@link TransportLimits}. */
export const DEFAULT_TRANSPORT_LIMITS: Readonly<TransportLimits> = Object.freeze({
  maxMessageSize: 65535,
  idleTimeoutMs: 600_000,
  partialMessageTimeoutMs: 10_000,
  maxConnectionsPerIp: 64,
  maxConnections: 10_000,
  connectTimeoutMs: 10_000,
  maxWriteBufferBytes: 4 * 1024 * 1024,
});

/** Fills the unset limits with the defaults. */
export function resolveLimits(partial?: Partial<TransportLimits>): TransportLimits {
  return { ...DEFAULT_TRANSPORT_LIMITS, ...partial };
}
