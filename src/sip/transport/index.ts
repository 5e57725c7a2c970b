/** The SIP transport layer (RFC 3261 section 18, RFC 5626, RFC 7118, RFC 3581). */
export type {
  Endpoint,
  InboundData,
  SendOptions,
  Transport,
  TransportDelegate,
  TransportProtocol,
  TransportWarning,
} from './types.js';
export { TransportError, type TransportErrorCode } from './transport-error.js';
export { DEFAULT_TRANSPORT_LIMITS, resolveLimits, type TransportLimits } from './limits.js';
export { normalizeAddress, peerKey } from './address.js';
export { nextFlowId } from './flow-id.js';
export { UdpTransport, type UdpTransportOptions } from './udp-transport.js';
export { StreamTransport, type StreamTransportOptions } from './stream-transport.js';
export { TcpTransport, type TcpTransportOptions } from './tcp-transport.js';
export { TlsTransport, type TlsTransportOptions, type TlsPeerInfo } from './tls-transport.js';
export { WsTransport, type WsTransportOptions } from './ws-transport.js';
export {
  LoopbackNetwork,
  LoopbackTransport,
  type LoopbackNetworkOptions,
  type LoopbackPacket,
  type LoopbackTransportOptions,
} from './loopback.js';
export { TransportLayer, type TransportLayerOptions } from './transport-layer.js';
export { isStunBindingRequest, stunBindingResponse } from './stun.js';
