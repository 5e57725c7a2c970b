/**
 * One SIP-over-WebSocket connection (RFC 7118): one SIP message per
 * WebSocket message (section 5, no Content-Length framing), idle timeout,
 * write backlog limit. CRLFCRLF text frames (the keep-alive of SIP.js and
 * others, after RFC 5626 section 3.5.1) are answered with a CRLF frame.
 */
import { isUtf8 } from 'node:buffer';
import type { WebSocket, RawData } from 'ws';
import { IdleWatch } from './idle-watch.js';
import type { TransportLimits } from './limits.js';
import type { Clock } from '../../base/clock.js';
import { TransportError } from './transport-error.js';
import type { Endpoint } from './types.js';

const CRLF = Buffer.from('\r\n', 'latin1');

/** What a connection reports to its transport. */
export interface WsConnectionOwner {
  onWsMessage(conn: WsConnection, data: Buffer): void;
  /** Called exactly once when the WebSocket closed. */
  onWsClosed(conn: WsConnection): void;
  onWsWarning(conn: WsConnection, code: string, message: string, cause?: unknown): void;
}

/** A SIP flow over one accepted WebSocket. */
export class WsConnection {
  private readonly idle: IdleWatch;
  private closing = false;
  private closedReported = false;

  constructor(
    readonly flowId: string,
    readonly ws: WebSocket,
    readonly remote: Endpoint,
    readonly local: Endpoint,
    private readonly limits: TransportLimits,
    clock: Clock,
    private readonly owner: WsConnectionOwner,
  ) {
    this.idle = new IdleWatch(clock, limits.idleTimeoutMs, () => this.close('idle-timeout', 'no traffic'));
    ws.on('message', this.onMessage);
    ws.on('ping', this.onActivity);
    ws.on('pong', this.onActivity);
    ws.on('error', this.onError);
    ws.on('close', this.onClose);
  }

  get isClosed(): boolean {
    return this.closing || this.ws.readyState !== this.ws.OPEN;
  }

  /**
   * Sends one SIP message as one WebSocket message: a text frame when the
   * bytes are valid UTF-8 (RFC 7118 section 5), else a binary frame.
   */
  send(data: Buffer): Promise<void> {
    if (this.isClosed) return Promise.reject(new TransportError('flow-failed', `connection ${this.flowId} is closed`));
    if (this.ws.bufferedAmount + data.length > this.limits.maxWriteBufferBytes) {
      this.close('congested', 'peer does not read; write backlog over the limit');
      return Promise.reject(new TransportError('congested', `connection ${this.flowId}: write backlog over the limit`));
    }
    this.idle.touch();
    return new Promise<void>((resolve, reject) => {
      this.ws.send(data, { binary: !isUtf8(data) }, (err) => {
        if (err)
          reject(new TransportError('send-failed', `send on ${this.flowId} failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  /** Closes at once (terminate); the owner hears `onWsClosed`. */
  close(code?: string, message?: string): void {
    if (this.closing) return;
    this.closing = true;
    if (code !== undefined) this.owner.onWsWarning(this, code, message ?? code);
    this.idle.stop();
    this.ws.terminate();
  }

  private readonly onMessage = (raw: RawData): void => {
    if (this.closing) return;
    this.idle.touch();
    const data = toBuffer(raw);
    if (data.length === 0) return;
    const first = data[0];
    if (first === 0x0d || first === 0x0a) {
      if (data.length === 4 && data.equals(PING)) {
        this.ws.send(CRLF, { binary: false });
        return;
      }
      if (isOnlyCrlf(data)) return;
    }
    this.owner.onWsMessage(this, data);
  };

  private readonly onActivity = (): void => {
    this.idle.touch();
  };

  private readonly onError = (err: Error): void => {
    // ws closes the connection after an error (e.g. 1009 message too big).
    if (!this.closing) this.owner.onWsWarning(this, wsErrorCode(err), err.message, err);
  };

  private readonly onClose = (): void => {
    this.closing = true;
    this.idle.stop();
    if (this.closedReported) return;
    this.closedReported = true;
    this.owner.onWsClosed(this);
  };
}

const PING = Buffer.from('\r\n\r\n', 'latin1');

function wsErrorCode(err: Error): string {
  return (err as NodeJS.ErrnoException).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too-large' : 'socket-error';
}

function toBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}

function isOnlyCrlf(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}
