/**
 * SIP over TCP (RFC 3261 section 18): `node:net` server and client sockets,
 * framed with Content-Length (section 18.3), connection reuse and limits
 * from {@link StreamTransport}.
 */
import { connect, createServer, type NetConnectOpts, type Server, type Socket } from 'node:net';
import { StreamTransport, type StreamTransportOptions } from './stream-transport.js';

/** Options of {@link TcpTransport}. */
export type TcpTransportOptions = StreamTransportOptions;

/** The TCP transport. */
export class TcpTransport extends StreamTransport {
  readonly protocol = 'tcp' as const;
  protected readonly readyEvent = 'connect' as const;

  constructor(opts: TcpTransportOptions = {}) {
    super(opts);
  }

  protected createServer(): Server {
    const server = createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 });
    server.on('connection', (socket: Socket) => {
      if (this.admitRaw(socket)) this.adopt(socket, false);
    });
    return server;
  }

  protected dial(host: string, port: number, localAddress: string | undefined): Socket {
    const opts: NetConnectOpts = { host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 };
    if (localAddress !== undefined) opts.localAddress = localAddress;
    return connect(opts);
  }
}
