/**
 * SIP over TLS (RFC 3261 section 18 and 26.2; sips: per RFC 5630), with
 * `node:tls`. The server certificate and key are PEM buffers (see
 * src/app/tls-credentials.ts). Framing, reuse and limits come from
 * {@link StreamTransport}; the TLS handshake must finish within the
 * partial-message timeout.
 */
import type { Server, Socket } from 'node:net';
import { isIP } from 'node:net';
import { connect, createServer, type ConnectionOptions, type TLSSocket, type TlsOptions } from 'node:tls';
import { StreamTransport, type StreamTransportOptions } from './stream-transport.js';

/** Options of {@link TlsTransport}. */
export interface TlsTransportOptions extends StreamTransportOptions {
  /** Server certificate chain, PEM. */
  cert: Buffer;
  /** Server private key, PEM. */
  key: Buffer;
  /**
   * Extra server options, e.g. `{ requestCert: true, ca }` for mutual TLS with
   * trusted peers. Handshake timeout defaults to the partial-message timeout.
   */
  serverOptions?: TlsOptions;
  /**
   * Options for outbound connections, e.g. `{ ca }` or `{ rejectUnauthorized: false }`
   * in tests. Certificates are verified by default; SNI is sent when the
   * destination is a host name.
   */
  clientOptions?: ConnectionOptions;
}

/** Identity of the TLS peer of a flow (for trust decisions above the transport). */
export interface TlsPeerInfo {
  /** True when the peer's certificate verified against the configured CAs. */
  authorized: boolean;
  /** Subject common name, if any. */
  commonName?: string;
  /** subjectAltName entries as node reports them, e.g. `DNS:sip.example.com`. */
  subjectAltNames: string[];
}

/** The TLS transport. */
export class TlsTransport extends StreamTransport {
  readonly protocol = 'tls' as const;
  protected readonly readyEvent = 'secureConnect' as const;
  private readonly cert: Buffer;
  private readonly key: Buffer;
  private readonly serverOptions: TlsOptions;
  private readonly clientOptions: ConnectionOptions;

  constructor(opts: TlsTransportOptions) {
    super(opts);
    this.cert = opts.cert;
    this.key = opts.key;
    this.serverOptions = opts.serverOptions ?? {};
    this.clientOptions = opts.clientOptions ?? {};
  }

  /** TLS identity of the peer of an open flow; undefined for unknown flows or no certificate. */
  peerInfo(flowId: string): TlsPeerInfo | undefined {
    const conn = this.connection(flowId);
    if (conn === undefined) return undefined;
    const socket = conn.socket as TLSSocket;
    const cert = socket.getPeerCertificate();
    if (cert === null || typeof cert !== 'object' || Object.keys(cert).length === 0) return undefined;
    const cn = cert.subject?.CN;
    const info: TlsPeerInfo = {
      authorized: socket.authorized,
      subjectAltNames:
        typeof cert.subjectaltname === 'string' ? cert.subjectaltname.split(', ').filter((s) => s.length > 0) : [],
    };
    if (typeof cn === 'string') info.commonName = cn;
    return info;
  }

  protected createServer(): Server {
    const server = createServer({
      handshakeTimeout: this.limits.partialMessageTimeoutMs,
      ...this.serverOptions,
      cert: this.cert,
      key: this.key,
    });
    // Raw TCP connections are admitted (per-IP / total caps) before the handshake.
    server.on('connection', (raw: Socket) => {
      this.admitRaw(raw);
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      this.adopt(socket, false);
    });
    server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
      this.warn({ code: 'tls-handshake', message: err.message, cause: err });
      socket.destroy();
    });
    return server;
  }

  protected dial(host: string, port: number, localAddress: string | undefined): Socket {
    // tls.connect hands these options to net.Socket#connect, which honours localAddress.
    const opts: ConnectionOptions & { localAddress?: string } = { ...this.clientOptions, host, port };
    if (localAddress !== undefined && opts.localAddress === undefined) opts.localAddress = localAddress;
    if (isIP(host) === 0 && opts.servername === undefined) opts.servername = host;
    const socket = connect(opts);
    socket.setNoDelay(true);
    return socket;
  }
}
