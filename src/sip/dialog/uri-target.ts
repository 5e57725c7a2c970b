/**
 * Where to send a request for a SIP/SIPS URI, without DNS: the subset of
 * RFC 3263 section 4 that needs no NAPTR/SRV lookup.
 */
import { parseUri, SipParseError, SipUri } from '../message/index.js';
import { DialogError } from './errors.js';

/** Transport protocols of the transport layer. */
export type TargetProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** A transport, host and port to send to (`address` may be a host name: resolve its A/AAAA). */
export interface UriTarget {
  protocol: TargetProtocol;
  /** IPv4 address, IPv6 address WITHOUT brackets, or a host name as written */
  address: string;
  port: number;
}

/**
 * Default ports: 5060 for SIP over UDP/TCP, 5061 for TLS (RFC 3261 19.1.2);
 * the HTTP ports for WebSocket, RFC 7118 defining none (RFC 6455 section 3).
 */
const DEFAULT_PORT: Readonly<Record<TargetProtocol, number>> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };

function protocolOf(uri: SipUri, secure: boolean): TargetProtocol {
  const sips = uri.scheme === 'sips' || secure;
  const t = uri.transport;
  switch (t) {
    case undefined:
      // RFC 3263 4.1: no transport parameter and a numeric host (or no
      // NAPTR/SRV lookup): UDP for sip, TCP (i.e. TLS) for sips.
      return sips ? 'tls' : 'udp';
    case 'udp':
      if (sips) throw new DialogError('unsupported-transport', 'SIPS over UDP is not possible (RFC 3261 26.2.2)');
      return 'udp';
    case 'tcp':
    case 'tls': // RFC 3261 25.1 transport-param "tls" (deprecated, still seen)
      return sips || t === 'tls' ? 'tls' : 'tcp';
    case 'ws': // RFC 7118 defines only "ws"; sips:...;transport=ws means WSS
    case 'wss': // not in RFC 7118, sent by some clients
      return sips || t === 'wss' ? 'wss' : 'ws';
    default:
      throw new DialogError('unsupported-transport', `unsupported transport ${JSON.stringify(t)}`);
  }
}

function unbracket(host: string): string {
  return host.charCodeAt(0) === 91 && host.charCodeAt(host.length - 1) === 93 ? host.slice(1, -1) : host;
}

/**
 * Transport, address and port for a SIP or SIPS URI (RFC 3263 section 4,
 * without DNS):
 * - protocol from the `transport` parameter (udp, tcp, tls, ws, wss); a
 *   sips: URI means TLS (WSS over WebSocket); no parameter: UDP for sip,
 *   TLS for sips;
 * - address from `maddr` when present (RFC 3261 19.1.1: it overrides the
 *   host), else the host, IPv6 without brackets; a host name is returned as
 *   is for the caller to resolve (A/AAAA);
 * - port from the URI, else 5060, 5061 for TLS, 80/443 for WS/WSS.
 *
 * `secure` (a dialog's secure flag, RFC 3261 12.1.1) upgrades to TLS/WSS.
 *
 * Out of scope: RFC 3263 NAPTR and SRV lookups. A host name without port
 * is sent to the default port of the transport, which is right for the
 * contacts of registered endpoints and for peers configured by address.
 * A WebSocket client's contact (an `*.invalid` host, RFC 7118) cannot be
 * reached this way: such requests must reuse the client's connection.
 *
 * Throws SipParseError('uri') for a malformed URI, DialogError
 * ('unsupported-uri' for tel: and other schemes, 'unsupported-transport').
 */
export function resolveUriTarget(uri: string, secure = false): UriTarget {
  const u = parseUri(uri);
  if (!(u instanceof SipUri)) throw new DialogError('unsupported-uri', `cannot send to a ${u.scheme}: URI`);
  const protocol = protocolOf(u, secure);
  const maddr = u.params.get('maddr');
  if (maddr === null || maddr === '') throw new SipParseError('uri', 'empty maddr parameter');
  const address = unbracket(maddr ?? u.host);
  return { protocol, address, port: u.port ?? DEFAULT_PORT[protocol] };
}
