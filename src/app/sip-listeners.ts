import type { Server as HttpServer } from 'node:http';
import { TcpTransport, TlsTransport, UdpTransport, WsTransport, type Transport } from '../sip/transport/index.js';
import type { HostPort } from './host-port.js';

/** Transports started for the server, with the ports actually bound. */
export interface StartedListeners {
  transports: Transport[];
}

/**
 * UDP and TCP on one HOST:PORT (RFC 3261 section 18: a server listens on
 * both). With port 0 we pick a free UDP port and take the same number for
 * TCP, trying again a few times if TCP finds it taken.
 */
export async function startUdpAndTcp(at: HostPort): Promise<[UdpTransport, TcpTransport]> {
  for (let attempt = 0; ; attempt++) {
    const udp = new UdpTransport({ address: at.host, port: at.port, socketBufferBytes: 4 * 1024 * 1024 });
    await udp.start();
    const tcp = new TcpTransport({ address: at.host, port: udp.local.port });
    try {
      await tcp.start();
      return [udp, tcp];
    } catch (e) {
      await udp.stop();
      if (at.port !== 0 || attempt >= 20) throw e;
    }
  }
}

/** The TLS listener (`--sips`). */
export async function startTls(at: HostPort, cert: Buffer, key: Buffer): Promise<TlsTransport> {
  const tls = new TlsTransport({ address: at.host, port: at.port, cert, key });
  await tls.start();
  return tls;
}

/** SIP over WebSocket at `/sip` on the HTTP server (RFC 7118). */
export async function startWs(server: HttpServer): Promise<WsTransport> {
  const ws = new WsTransport({ server, path: '/sip' });
  await ws.start();
  return ws;
}
