/**
 * SIP over WebSocket (RFC 7118), server side, with the `ws` package.
 *
 * - Attached to an existing `http.Server` (ws) or `https.Server` (wss): only
 *   upgrade requests for the configured path (default `/sip`) are taken; other
 *   paths are left alone for other listeners.
 * - RFC 7118 section 4: the handshake must negotiate the `sip` subprotocol;
 *   an upgrade request that does not offer it is refused with 400.
 * - RFC 7118 section 5: each WebSocket message carries exactly one SIP
 *   message; the max message size is the WebSocket max payload (bigger ->
 *   close 1009).
 * - A server cannot open WebSocket connections to clients: `send` needs the
 *   flow id or an open connection to/from the destination, else it rejects
 *   with TransportError 'no-flow' (RFC 7118 section 5; RFC 5626 flows).
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isWildcardAddress, normalizeAddress } from './address.js';
import { ConnectionTable } from './connection-table.js';
import { nextFlowId } from './flow-id.js';
import { resolveLimits, type TransportLimits } from './limits.js';
import { RealClock, type Clock } from '../../base/clock.js';
import { TransportError } from './transport-error.js';
import type { Endpoint, SendOptions, Transport, TransportDelegate, TransportWarning } from './types.js';
import { WsConnection, type WsConnectionOwner } from './ws-connection.js';

/** Options of {@link WsTransport}. */
export interface WsTransportOptions {
  /** The HTTP(S) server whose 'upgrade' events to serve (not started or stopped by this transport). */
  server: HttpServer | HttpsServer;
  /** Request path served (query ignored); default `/sip`. */
  path?: string;
  /** 'ws' or 'wss'; default 'wss' for an `https.Server`, else 'ws'. */
  protocol?: 'ws' | 'wss';
  limits?: Partial<TransportLimits>;
  clock?: Clock;
  delegate?: TransportDelegate;
}

/** The WebSocket transport (ws or wss). */
export class WsTransport implements Transport, WsConnectionOwner {
  readonly protocol: 'ws' | 'wss';
  delegate: TransportDelegate | undefined;
  private readonly server: HttpServer | HttpsServer;
  private readonly path: string;
  private readonly limits: TransportLimits;
  private readonly clock: Clock;
  private readonly table: ConnectionTable<WsConnection>;
  private wss: WebSocketServer | undefined;
  private state: 'new' | 'started' | 'stopped' = 'new';

  constructor(opts: WsTransportOptions) {
    this.server = opts.server;
    this.path = opts.path ?? '/sip';
    this.protocol = opts.protocol ?? (opts.server instanceof HttpsServer ? 'wss' : 'ws');
    this.limits = resolveLimits(opts.limits);
    this.clock = opts.clock ?? new RealClock();
    this.delegate = opts.delegate;
    this.table = new ConnectionTable(this.limits.maxConnectionsPerIp, this.limits.maxConnections);
  }

  /** The HTTP server's listening endpoint (port 0 until it listens). */
  get local(): Endpoint {
    const a = this.server.address();
    if (a !== null && typeof a === 'object')
      return { protocol: this.protocol, address: normalizeAddress(a.address), port: a.port };
    return { protocol: this.protocol, address: '0.0.0.0', port: 0 };
  }

  /** Number of open WebSocket connections. */
  get connectionCount(): number {
    return this.table.size;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new TransportError('bind-failed', `${this.protocol} transport already started`);
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: this.limits.maxMessageSize,
      handleProtocols: (protocols) => pickSip(protocols) ?? false,
    });
    this.server.on('upgrade', this.onUpgrade);
    this.state = 'started';
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasStarted = this.state === 'started';
    this.state = 'stopped';
    if (!wasStarted) return;
    this.server.off('upgrade', this.onUpgrade);
    for (const c of this.table.all()) c.close();
    const wss = this.wss;
    if (wss !== undefined) await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  /** Sends over the flow, or an open connection to/from `dest`; never connects (see class doc). */
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
      const c = this.table.get(flowId);
      if (c !== undefined && !c.isClosed) return c.send(data);
      if (opts?.strictFlow === true)
        return Promise.reject(new TransportError('flow-failed', `flow ${flowId} is closed`));
    }
    const c = this.table.findByPeer(dest.address, dest.port);
    if (c !== undefined && !c.isClosed) return c.send(data);
    return Promise.reject(
      new TransportError('no-flow', `${this.protocol}: no connection to ${dest.address}:${dest.port}`),
    );
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

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if ((q < 0 ? url : url.slice(0, q)) !== this.path) return; // someone else's path
    socket.on('error', noop);
    const wss = this.wss;
    if (this.state !== 'started' || wss === undefined) {
      refuse(socket, 503);
      return;
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim());
    if (pickSip(offered) === undefined) {
      this.warn({
        code: 'no-subprotocol',
        message: 'WebSocket upgrade without the sip subprotocol refused (RFC 7118 section 4)',
      });
      refuse(socket, 400, 'The "sip" WebSocket subprotocol is required (RFC 7118).');
      return;
    }
    const ip = req.socket.remoteAddress === undefined ? undefined : normalizeAddress(req.socket.remoteAddress);
    if (ip === undefined || !this.table.admit(ip)) {
      this.warn({ code: 'per-ip-limit', message: `WebSocket connection from ${ip ?? '?'} refused: limit reached` });
      refuse(socket, 503);
      return;
    }
    socket.once('close', () => this.table.release(ip));
    wss.handleUpgrade(req, socket, head, (ws) => this.onOpen(ws, req));
  };

  private onOpen(ws: WebSocket, req: IncomingMessage): void {
    const s = req.socket;
    if (this.state !== 'started' || s.remoteAddress === undefined || s.remotePort === undefined) {
      ws.terminate();
      return;
    }
    const local = this.local;
    if (isWildcardAddress(local.address) && s.localAddress !== undefined)
      local.address = normalizeAddress(s.localAddress);
    const remote: Endpoint = {
      protocol: this.protocol,
      address: normalizeAddress(s.remoteAddress),
      port: s.remotePort,
    };
    const conn = new WsConnection(
      nextFlowId(this.protocol),
      ws,
      Object.freeze(remote),
      Object.freeze(local),
      this.limits,
      this.clock,
      this,
    );
    this.table.add(conn);
  }

  onWsMessage(conn: WsConnection, data: Buffer): void {
    const d = this.delegate;
    if (d === undefined) return;
    try {
      d.onData({ data, source: conn.remote, local: conn.local, flowId: conn.flowId });
    } catch (err) {
      this.warn({
        code: 'delegate-error',
        message: err instanceof Error ? err.message : String(err),
        flowId: conn.flowId,
        cause: err,
      });
    }
  }

  onWsClosed(conn: WsConnection): void {
    this.table.remove(conn);
    const d = this.delegate;
    if (d?.onFlowClosed === undefined) return;
    try {
      d.onFlowClosed(conn.flowId);
    } catch (err) {
      this.warn({
        code: 'delegate-error',
        message: err instanceof Error ? err.message : String(err),
        flowId: conn.flowId,
        cause: err,
      });
    }
  }

  onWsWarning(conn: WsConnection, code: string, message: string, cause?: unknown): void {
    this.warn({ code, message, flowId: conn.flowId, remote: conn.remote, cause });
  }

  private warn(w: Omit<TransportWarning, 'protocol'>): void {
    const d = this.delegate;
    if (d?.onWarning === undefined) return;
    try {
      d.onWarning({ protocol: this.protocol, ...w });
    } catch {
      // A failing logger must not break the transport.
    }
  }
}

/** The offered spelling of the `sip` subprotocol (compared case-insensitively), if offered. */
function pickSip(offered: Iterable<string>): string | undefined {
  for (const p of offered) if (p.toLowerCase() === 'sip') return p;
  return undefined;
}

/** Answers an upgrade request with an HTTP error and closes the socket. */
function refuse(socket: Duplex, status: number, body?: string): void {
  const text = body ?? STATUS_CODES[status] ?? 'Error';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

function noop(): void {}
