/**
 * Common part of the connection-oriented transports TCP and TLS
 * (RFC 3261 section 18): listening, admission limits, outbound connects with
 * a timeout, connection reuse and flows.
 *
 * - RFC 3261 section 18.2.2: a response goes back over the connection the
 *   request came in on (the flow id); if it is gone, over another connection
 *   to the destination, opened if needed.
 * - Without a flow id, an open connection to or from the destination
 *   address:port is reused, in either direction (inbound connections are
 *   indexed by their source address and port; RFC 5923 spirit), else one is
 *   opened. Concurrent sends to one destination share one connect.
 */
import type { Server, Socket } from 'node:net';
import { isIP } from 'node:net';
import { isWildcardAddress, normalizeAddress, peerKey } from './address.js';
import { ConnectionTable } from './connection-table.js';
import { nextFlowId } from './flow-id.js';
import { resolveLimits, type TransportLimits } from './limits.js';
import { StreamConnection, type StreamConnectionOwner } from './stream-connection.js';
import { RealClock, type Clock } from '../../base/clock.js';
import { TransportError } from './transport-error.js';
import type {
  Endpoint,
  SendOptions,
  Transport,
  TransportDelegate,
  TransportProtocol,
  TransportWarning,
} from './types.js';

/** Options shared by {@link TcpTransport} and {@link TlsTransport}. */
export interface StreamTransportOptions {
  /** Address to listen on (IPv4, IPv6 or wildcard); default 0.0.0.0. */
  address?: string;
  /** Port to listen on; 0 picks a free one (see `local.port` after start). Default 0. */
  port?: number;
  /** Resource limits; unset ones take {@link DEFAULT_TRANSPORT_LIMITS}. */
  limits?: Partial<TransportLimits>;
  /** Clock for idle, partial-message and connect timeouts; default a {@link RealClock}. */
  clock?: Clock;
  delegate?: TransportDelegate;
}

/** Base class of the stream transports; subclasses supply the server and the dialer. */
export abstract class StreamTransport implements Transport, StreamConnectionOwner {
  abstract readonly protocol: TransportProtocol;
  delegate: TransportDelegate | undefined;
  protected readonly limits: TransportLimits;
  protected readonly clock: Clock;
  protected readonly table: ConnectionTable<StreamConnection>;
  private readonly bindAddress: string;
  private readonly bindPort: number;
  private server: Server | undefined;
  private boundPort = 0;
  private readonly connecting = new Map<string, Promise<StreamConnection>>();
  private readonly dialling = new Set<Socket>();
  /** Accepted raw sockets (TLS: also those still handshaking), destroyed on stop. */
  private readonly accepted = new Set<Socket>();
  private state: 'new' | 'started' | 'stopped' = 'new';

  constructor(opts: StreamTransportOptions = {}) {
    this.bindAddress = normalizeAddress(opts.address ?? '0.0.0.0');
    this.bindPort = opts.port ?? 0;
    this.limits = resolveLimits(opts.limits);
    this.clock = opts.clock ?? new RealClock();
    this.delegate = opts.delegate;
    this.table = new ConnectionTable(this.limits.maxConnectionsPerIp, this.limits.maxConnections);
  }

  /** Creates the listening server; call {@link onRawConnection} for each accepted socket. */
  protected abstract createServer(): Server;
  /**
   * Opens an outbound socket to `host:port`, from `localAddress` when set
   * (the bound address, when it is not a wildcard and of the same family).
   */
  protected abstract dial(host: string, port: number, localAddress: string | undefined): Socket;
  /** The socket event that means "ready to carry SIP". */
  protected abstract readonly readyEvent: 'connect' | 'secureConnect';

  get local(): Endpoint {
    return { protocol: this.protocol, address: this.bindAddress, port: this.boundPort || this.bindPort };
  }

  /** Number of open connections (inbound and outbound). */
  get connectionCount(): number {
    return this.table.size;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new TransportError('bind-failed', `${this.protocol} transport already started`);
    const server = this.createServer();
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(
          new TransportError(
            'bind-failed',
            `${this.protocol} listen on ${this.bindAddress}:${this.bindPort} failed: ${err.message}`,
            { cause: err },
          ),
        );
      };
      server.once('error', onError);
      server.listen({ host: this.bindAddress, port: this.bindPort }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.warn({ code: 'server-error', message: err.message, cause: err }));
    const addr = server.address();
    if (addr !== null && typeof addr === 'object') this.boundPort = addr.port;
    this.state = 'started';
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    for (const s of this.dialling) s.destroy();
    this.dialling.clear();
    for (const c of this.table.all()) c.close();
    for (const s of this.accepted) s.destroy();
    this.accepted.clear();
    const server = this.server;
    if (server === undefined || !server.listening) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * RFC 3261 section 18.1.1 / 18.2.2: sends over the flow `flowId` when open,
   * else over an open connection to or from `dest`, else over a new one.
   * With `opts.strictFlow` a missing flow rejects with 'flow-failed'.
   */
  send(dest: Endpoint, data: Buffer, flowId?: string, opts?: SendOptions): Promise<void> {
    if (this.state !== 'started') {
      return Promise.reject(
        new TransportError(
          this.state === 'new' ? 'not-started' : 'stopped',
          `${this.protocol} transport is not running`,
        ),
      );
    }
    if (flowId !== undefined) {
      const conn = this.table.get(flowId);
      if (conn !== undefined && !conn.isClosed) return conn.send(data);
      if (opts?.strictFlow === true) {
        return Promise.reject(new TransportError('flow-failed', `flow ${flowId} is closed`));
      }
    }
    const existing = this.table.findByPeer(dest.address, dest.port);
    if (existing !== undefined && !existing.isClosed) return existing.send(data);
    return this.connect(dest).then((c) => c.send(data));
  }

  hasFlow(flowId: string): boolean {
    return this.table.hasOpenFlow(flowId);
  }

  closeFlow(flowId: string): boolean {
    return this.table.closeFlow(flowId);
  }

  aliasFlow(flowId: string, peer: Endpoint): boolean {
    return this.table.aliasFlow(flowId, peer);
  }

  /** The connection of a flow, for diagnostics and TLS peer checks. */
  connection(flowId: string): StreamConnection | undefined {
    return this.table.get(flowId);
  }

  /** Admission of an accepted raw socket (before any TLS handshake): per-IP and total caps. */
  protected admitRaw(socket: Socket): boolean {
    socket.on('error', noop);
    if (this.state !== 'started') {
      socket.destroy();
      return false;
    }
    const ip = socket.remoteAddress === undefined ? undefined : normalizeAddress(socket.remoteAddress);
    if (ip === undefined) {
      socket.destroy();
      return false;
    }
    if (!this.table.admit(ip)) {
      this.warn({
        code: this.table.admitted >= this.limits.maxConnections ? 'connection-limit' : 'per-ip-limit',
        message: `connection from ${ip} refused: limit reached`,
        remote: { protocol: this.protocol, address: ip, port: socket.remotePort ?? 0 },
      });
      socket.destroy();
      return false;
    }
    this.accepted.add(socket);
    socket.once('close', () => {
      this.accepted.delete(socket);
      this.table.release(ip);
    });
    return true;
  }

  /** Wraps a connected (and for TLS, handshaken) socket as a flow. */
  protected adopt(socket: Socket, outbound: boolean, dest?: Endpoint): StreamConnection | undefined {
    const address = socket.remoteAddress;
    const port = socket.remotePort;
    if (address === undefined || port === undefined || socket.destroyed || this.state !== 'started') {
      socket.destroy();
      return undefined;
    }
    const localAddress =
      isWildcardAddress(this.bindAddress) && socket.localAddress !== undefined
        ? normalizeAddress(socket.localAddress)
        : this.bindAddress;
    const conn = new StreamConnection(socket, {
      flowId: nextFlowId(this.protocol),
      protocol: this.protocol,
      remote: { protocol: this.protocol, address: normalizeAddress(address), port },
      local: { protocol: this.protocol, address: localAddress, port: this.local.port },
      outbound,
      limits: this.limits,
      clock: this.clock,
      owner: this,
    });
    this.table.add(conn);
    if (dest !== undefined && peerKey(dest.address, dest.port) !== peerKey(address, port)) {
      this.table.alias(conn, dest.address, dest.port);
    }
    return conn;
  }

  onMessage(conn: StreamConnection, data: Buffer): void {
    const d = this.delegate;
    if (d === undefined) return;
    try {
      d.onData({ data, source: conn.remote, local: conn.local, flowId: conn.flowId });
    } catch (err) {
      this.warn({
        code: 'delegate-error',
        message: errorMessage(err),
        flowId: conn.flowId,
        remote: conn.remote,
        cause: err,
      });
    }
  }

  onClosed(conn: StreamConnection): void {
    this.table.remove(conn);
    const d = this.delegate;
    if (d?.onFlowClosed === undefined) return;
    try {
      d.onFlowClosed(conn.flowId);
    } catch (err) {
      this.warn({ code: 'delegate-error', message: errorMessage(err), flowId: conn.flowId, cause: err });
    }
  }

  onWarning(conn: StreamConnection, code: string, message: string, cause?: unknown): void {
    this.warn({ code, message, flowId: conn.flowId, remote: conn.remote, cause });
  }

  protected warn(w: Omit<TransportWarning, 'protocol'>): void {
    const d = this.delegate;
    if (d?.onWarning === undefined) return;
    try {
      d.onWarning({ protocol: this.protocol, ...w });
    } catch {
      // A failing logger must not break the transport.
    }
  }

  /** The bound address as the source of outbound connections, when it fits the destination. */
  private sourceAddressFor(host: string): string | undefined {
    if (isWildcardAddress(this.bindAddress)) return undefined;
    const family = isIP(host);
    return family !== 0 && family === isIP(this.bindAddress) ? this.bindAddress : undefined;
  }

  /** One connect per destination at a time; later sends wait for it. */
  private connect(dest: Endpoint): Promise<StreamConnection> {
    const key = peerKey(dest.address, dest.port);
    const pending = this.connecting.get(key);
    if (pending !== undefined) return pending;
    const p = this.open(dest).finally(() => this.connecting.delete(key));
    this.connecting.set(key, p);
    return p;
  }

  private open(dest: Endpoint): Promise<StreamConnection> {
    return new Promise<StreamConnection>((resolve, reject) => {
      if (!this.table.admit(undefined)) {
        reject(new TransportError('too-many-connections', `${this.protocol}: connection limit reached`));
        return;
      }
      const host = normalizeAddress(dest.address);
      const target = isIP(host) === 6 ? `[${host}]:${dest.port}` : `${host}:${dest.port}`;
      let socket: Socket;
      try {
        socket = this.dial(host, dest.port, this.sourceAddressFor(host));
      } catch (err) {
        this.table.release(undefined);
        reject(
          new TransportError('connect-failed', `${this.protocol} connect to ${target} failed: ${errorMessage(err)}`, {
            cause: err,
          }),
        );
        return;
      }
      this.dialling.add(socket);
      let settled = false;
      const fail = (err: TransportError): void => {
        if (settled) return;
        settled = true;
        this.clock.clearTimeout(timer);
        this.dialling.delete(socket);
        socket.destroy();
        reject(err);
      };
      const timer = this.clock.setTimeout(() => {
        fail(
          new TransportError(
            'connect-timeout',
            `${this.protocol} connect to ${target} timed out after ${this.limits.connectTimeoutMs} ms`,
          ),
        );
      }, this.limits.connectTimeoutMs);
      socket.once('close', () => {
        this.table.release(undefined);
        fail(new TransportError('connect-failed', `${this.protocol} connection to ${target} closed during connect`));
      });
      socket.on('error', (err) => {
        fail(
          new TransportError('connect-failed', `${this.protocol} connect to ${target} failed: ${err.message}`, {
            cause: err,
          }),
        );
      });
      socket.once(this.readyEvent, () => {
        if (settled) return;
        if (this.state !== 'started') {
          fail(new TransportError('stopped', `${this.protocol} transport stopped during connect`));
          return;
        }
        settled = true;
        this.clock.clearTimeout(timer);
        this.dialling.delete(socket);
        const conn = this.adopt(socket, true, dest);
        if (conn === undefined)
          reject(
            new TransportError('connect-failed', `${this.protocol} connection to ${target} closed during connect`),
          );
        else resolve(conn);
      });
    });
  }
}

function noop(): void {}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
