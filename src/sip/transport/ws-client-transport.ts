/**
 * SIP over WebSocket (RFC 7118), client side, with the `ws` package: one
 * connection to one server URL (`ws://host:port/sip` or `wss://...`), as a
 * browser or softphone has.
 *
 * - RFC 7118 section 4: the handshake offers the `sip` subprotocol and the
 *   server must select it, else the connection is refused.
 * - RFC 7118 section 5: one SIP message per WebSocket message, text frames
 *   for UTF-8 (binary otherwise); CRLFCRLF pings from the server are
 *   answered with CRLF, bare CRLF frames ignored.
 * - Every send goes over this connection, whatever the destination (a
 *   WebSocket client can reach nobody else); when the connection closed, the
 *   next send opens a new one (a new flow: RFC 5626 section 4.4.1 recovery
 *   is the caller's business).
 */
import { isUtf8 } from 'node:buffer';
import type { ConnectionOptions } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { normalizeAddress } from './address.js';
import { nextFlowId } from './flow-id.js';
import { resolveLimits, type TransportLimits } from './limits.js';
import { TransportError } from './transport-error.js';
import type { Endpoint, SendOptions, Transport, TransportDelegate, TransportWarning } from './types.js';

/** Options of {@link WsClientTransport}. */
export interface WsClientTransportOptions {
  /** `ws://HOST:PORT/PATH` or `wss://...`. */
  url: string;
  /** `maxMessageSize` (max payload) and `connectTimeoutMs` (handshake) apply. */
  limits?: Partial<TransportLimits>;
  /** wss: certificate checks, e.g. `{ ca }` or `{ rejectUnauthorized: false }`. */
  tls?: Pick<ConnectionOptions, 'ca' | 'rejectUnauthorized' | 'servername'>;
  delegate?: TransportDelegate;
}

const CRLF = Buffer.from('\r\n', 'latin1');
const PING = Buffer.from('\r\n\r\n', 'latin1');

/** The WebSocket client transport (ws or wss). */
export class WsClientTransport implements Transport {
  readonly protocol: 'ws' | 'wss';
  delegate: TransportDelegate | undefined;
  private readonly url: URL;
  private readonly limits: TransportLimits;
  private readonly tls: WsClientTransportOptions['tls'];
  private ws: WebSocket | undefined;
  private flowId: string | undefined;
  private localEndpoint: Endpoint;
  private remoteEndpoint: Endpoint;
  private connecting: Promise<void> | undefined;
  private state: 'new' | 'started' | 'stopped' = 'new';

  /** Throws TransportError('connect-failed') for a URL that is not ws: or wss:. */
  constructor(opts: WsClientTransportOptions) {
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      throw new TransportError('connect-failed', `bad WebSocket URL ${JSON.stringify(opts.url)}`);
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      throw new TransportError('connect-failed', `a WebSocket URL starts with ws: or wss:, not ${url.protocol}`);
    }
    this.url = url;
    this.protocol = url.protocol === 'wss:' ? 'wss' : 'ws';
    this.limits = resolveLimits(opts.limits);
    this.tls = opts.tls;
    this.delegate = opts.delegate;
    const port = url.port === '' ? (this.protocol === 'wss' ? 443 : 80) : Number(url.port);
    this.remoteEndpoint = { protocol: this.protocol, address: normalizeAddress(url.hostname), port };
    this.localEndpoint = { protocol: this.protocol, address: '0.0.0.0', port: 0 };
  }

  /** Our end of the current (or last) connection; `0.0.0.0:0` before the first. */
  get local(): Endpoint {
    return this.localEndpoint;
  }

  /** The server's end, as connected (the URL's host and port before). */
  get remote(): Endpoint {
    return this.remoteEndpoint;
  }

  /** Connects; rejects with TransportError ('connect-failed', 'connect-timeout') when the server cannot be reached. */
  async start(): Promise<void> {
    if (this.state !== 'new')
      throw new TransportError('bind-failed', `${this.protocol} client transport already started`);
    this.state = 'started';
    try {
      await this.connect();
    } catch (e) {
      this.state = 'stopped';
      throw e;
    }
  }

  /** Closes the connection; always resolves. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    const ws = this.ws;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.terminate();
    });
  }

  /** Sends one SIP message to the server (see the module documentation). */
  send(_dest: Endpoint, data: Buffer, flowId?: string, opts?: SendOptions): Promise<void> {
    if (this.state !== 'started') {
      return Promise.reject(
        new TransportError(
          this.state === 'new' ? 'not-started' : 'stopped',
          `${this.protocol} client transport is not running`,
        ),
      );
    }
    const ws = this.ws;
    const open = ws !== undefined && ws.readyState === WebSocket.OPEN;
    if (flowId !== undefined && opts?.strictFlow === true && (!open || flowId !== this.flowId)) {
      return Promise.reject(new TransportError('flow-failed', `flow ${flowId} is closed`));
    }
    if (open) return this.write(ws, data);
    return this.connect().then(() => {
      const now = this.ws;
      if (now === undefined || now.readyState !== WebSocket.OPEN)
        throw new TransportError('connect-failed', 'connection closed at once');
      return this.write(now, data);
    });
  }

  hasFlow(flowId: string): boolean {
    return flowId === this.flowId && this.ws?.readyState === WebSocket.OPEN;
  }

  closeFlow(flowId: string): boolean {
    if (flowId !== this.flowId || this.ws === undefined) return false;
    this.ws.terminate();
    return true;
  }

  private write(ws: WebSocket, data: Buffer): Promise<void> {
    if (ws.bufferedAmount + data.length > this.limits.maxWriteBufferBytes) {
      ws.terminate();
      return Promise.reject(new TransportError('congested', 'server does not read; write backlog over the limit'));
    }
    return new Promise<void>((resolve, reject) => {
      ws.send(data, { binary: !isUtf8(data) }, (err) => {
        if (err)
          reject(new TransportError('send-failed', `${this.protocol} send failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  /** One connect at a time; later sends wait for it. */
  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(this.url, 'sip', {
        perMessageDeflate: false,
        maxPayload: this.limits.maxMessageSize,
        handshakeTimeout: this.limits.connectTimeoutMs,
        ...this.tls,
      });
      let opened = false;
      ws.on('upgrade', (res: IncomingMessage) => {
        const s = res.socket;
        if (s.localAddress !== undefined && s.localPort !== undefined) {
          this.localEndpoint = {
            protocol: this.protocol,
            address: normalizeAddress(s.localAddress),
            port: s.localPort,
          };
        }
        if (s.remoteAddress !== undefined && s.remotePort !== undefined) {
          this.remoteEndpoint = {
            protocol: this.protocol,
            address: normalizeAddress(s.remoteAddress),
            port: s.remotePort,
          };
        }
      });
      ws.on('open', () => {
        if (ws.protocol.toLowerCase() !== 'sip') {
          ws.terminate();
          reject(
            new TransportError(
              'connect-failed',
              `${this.url.href}: the server did not select the sip subprotocol (RFC 7118 section 4)`,
            ),
          );
          return;
        }
        if (this.state !== 'started') {
          ws.terminate();
          reject(new TransportError('stopped', `${this.protocol} client transport stopped during connect`));
          return;
        }
        opened = true;
        this.ws = ws;
        this.flowId = nextFlowId(this.protocol);
        resolve();
      });
      ws.on('message', (raw: RawData) => this.onMessage(ws, raw));
      ws.on('error', (err: Error) => {
        if (!opened) {
          const code = /time(d)? ?out/i.test(err.message) ? 'connect-timeout' : 'connect-failed';
          reject(
            new TransportError(code, `${this.protocol} connect to ${this.url.href} failed: ${err.message}`, {
              cause: err,
            }),
          );
        } else {
          this.warn({ code: 'socket-error', message: err.message, cause: err });
        }
      });
      ws.on('close', () => {
        if (!opened) {
          reject(
            new TransportError(
              'connect-failed',
              `${this.protocol} connection to ${this.url.href} closed during connect`,
            ),
          );
          return;
        }
        if (this.ws !== ws) return;
        const flow = this.flowId;
        this.ws = undefined;
        this.flowId = undefined;
        if (flow !== undefined) this.closed(flow);
      });
    });
  }

  private onMessage(ws: WebSocket, raw: RawData): void {
    if (this.ws !== ws || this.flowId === undefined) return;
    const data = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
    if (data.length === 0) return;
    const first = data[0];
    if (first === 0x0d || first === 0x0a) {
      if (data.equals(PING)) {
        ws.send(CRLF, { binary: false });
        return;
      }
      if (isOnlyCrlf(data)) return;
    }
    const d = this.delegate;
    if (d === undefined) return;
    try {
      d.onData({ data, source: this.remoteEndpoint, local: this.localEndpoint, flowId: this.flowId });
    } catch (err) {
      this.warn({ code: 'delegate-error', message: err instanceof Error ? err.message : String(err), cause: err });
    }
  }

  private closed(flowId: string): void {
    try {
      this.delegate?.onFlowClosed?.(flowId);
    } catch (err) {
      this.warn({
        code: 'delegate-error',
        message: err instanceof Error ? err.message : String(err),
        flowId,
        cause: err,
      });
    }
  }

  private warn(w: Omit<TransportWarning, 'protocol'>): void {
    try {
      this.delegate?.onWarning?.({ protocol: this.protocol, ...w });
    } catch {
      // A failing logger must not break the transport.
    }
  }
}

function isOnlyCrlf(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}
