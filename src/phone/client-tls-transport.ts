/**
 * SIP over TLS for a UA that only dials out (RFC 3261 section 26.2: the
 * phone opens the connection, the server answers and notifies over it).
 * The TLS transport of src/sip/transport needs a listener, and a listener
 * a certificate the phone does not have: here the listener is a plain TCP
 * socket that takes no connections (the Contact's port stays ours, but all
 * traffic uses the flow the phone opened).
 */
import { createServer, type Server } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { TlsTransport, type TransportLimits } from '../sip/transport/index.js';

/** Options of {@link ClientTlsTransport}. */
export interface ClientTlsTransportOptions {
  /** Local address (the source of outbound connections when it is not a wildcard). */
  address?: string;
  limits?: Partial<TransportLimits>;
  /** Certificate checks of the server, e.g. `{ ca }`; verification is on by default. */
  clientOptions?: ConnectionOptions;
}

/** TLS, outbound connections only. */
export class ClientTlsTransport extends TlsTransport {
  constructor(opts: ClientTlsTransportOptions = {}) {
    super({
      port: 0,
      cert: Buffer.alloc(0),
      key: Buffer.alloc(0),
      ...(opts.address !== undefined && { address: opts.address }),
      ...(opts.limits !== undefined && { limits: opts.limits }),
      ...(opts.clientOptions !== undefined && { clientOptions: opts.clientOptions }),
    });
  }

  /** A listener that refuses every connection: nobody is meant to dial the phone over TLS. */
  protected override createServer(): Server {
    return createServer((socket) => socket.destroy());
  }
}
