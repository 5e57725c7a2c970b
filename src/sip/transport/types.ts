/**
 * The shared vocabulary of the SIP transport layer (RFC 3261 section 18).
 *
 * Transports move framed bytes only: a {@link Transport} hands every complete
 * SIP message it receives to its {@link TransportDelegate} as
 * {@link InboundData}; parsing happens above, in the transaction layer's
 * caller. Connection-oriented transports identify each connection with a
 * flow id (RFC 5626 section 3: a "flow" is the bidirectional path between a
 * UA and a server), so that responses and flow-bound requests can go back on
 * the very connection a request came in on (RFC 3261 section 18.2.2).
 */

/** The transports of RFC 3261 section 18 plus WebSocket (RFC 7118). Lower-case. */
export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/**
 * One end of a path: protocol, IP address (IPv6 without brackets) and port.
 * `address` may be a host name for sending; received data always carries
 * literal addresses (IPv4-mapped IPv6 addresses are reported as plain IPv4).
 */
export interface Endpoint {
  protocol: TransportProtocol;
  address: string;
  port: number;
}

/**
 * One complete SIP message as received.
 * - `source`: the peer's address and port as seen on the socket (RFC 3261
 *   section 18.2.1: the source of the packet, used for `received`/`rport`).
 * - `local`: the transport's listening endpoint; for stream transports bound to
 *   a wildcard address the actual local interface address of the connection.
 * - `flowId`: set for connection-oriented transports (tcp, tls, ws, wss);
 *   pass it back to `send` to answer on the same connection.
 */
/**
 * Treat the endpoints as read-only: transports share one frozen object per
 * connection (stream) or socket (`local`) to avoid an allocation per message.
 */
export interface InboundData {
  data: Buffer;
  source: Endpoint;
  local: Endpoint;
  flowId?: string;
}

/** Diagnostics from a transport: a refused/closed connection, a socket error, a dropped datagram. */
export interface TransportWarning {
  protocol: TransportProtocol;
  /** Short stable code, e.g. 'garbage', 'too-large', 'idle-timeout', 'partial-timeout', 'per-ip-limit', 'socket-error'. */
  code: string;
  message: string;
  flowId?: string;
  remote?: Endpoint;
  cause?: unknown;
}

/**
 * What a transport calls upwards (SIP.js-style delegate rather than events).
 * Exceptions thrown by the delegate are caught by the transport and reported
 * through `onWarning` (code 'delegate-error'); they never crash a socket handler.
 */
export interface TransportDelegate {
  /** A complete SIP message arrived (RFC 3261 section 18.2.1 / 18.1.2). */
  onData(d: InboundData): void;
  /**
   * A connection went away (closed by the peer, idle, error, limits or stop).
   * RFC 5626 section 5.3: the registrar drops contacts bound to this flow.
   */
  onFlowClosed?(flowId: string): void;
  /** Optional diagnostics for logging; never required. */
  onWarning?(w: TransportWarning): void;
}

/** Options of one send. */
export interface SendOptions {
  /**
   * RFC 5626 section 5.3: a request for a flow-bound contact must go over that
   * flow or fail (430 Flow Failed upstream). With `strictFlow`, an unknown or
   * closed `flowId` rejects with `TransportError('flow-failed')` instead of
   * falling back to connection reuse / a new connection (RFC 3261 18.2.2).
   */
  strictFlow?: boolean;
}

/**
 * A SIP transport (RFC 3261 section 18): listens on one local endpoint and
 * sends framed SIP messages. `send` rejects only with a `TransportError`.
 */
export interface Transport {
  readonly protocol: TransportProtocol;
  /** The listening endpoint (after `start`, with the actual port when 0 was asked). */
  readonly local: Endpoint;
  /** Receiver of inbound data; set by the TransportLayer when the transport is added. */
  delegate?: TransportDelegate | undefined;
  start(): Promise<void>;
  /** Closes the listener and every connection; always resolves. */
  stop(): Promise<void>;
  send(dest: Endpoint, data: Buffer, flowId?: string, opts?: SendOptions): Promise<void>;
  /** True while the flow (connection) with this id is open on this transport. */
  hasFlow?(flowId: string): boolean;
  /** Closes one flow; false when unknown. */
  closeFlow?(flowId: string): boolean;
  /**
   * RFC 5923 section 5 (connection reuse, `alias` Via parameter): also reach
   * `peer` over this flow, e.g. the sent-by of a Via carrying `;alias`.
   */
  aliasFlow?(flowId: string, peer: Endpoint): boolean;
}
