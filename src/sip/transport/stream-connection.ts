/**
 * One TCP or TLS connection carrying SIP (RFC 3261 section 18.3): frames the
 * byte stream with a {@link StreamFramer}, answers RFC 5626 section 3.5.1
 * CRLFCRLF pings with a CRLF pong, and enforces the per-connection limits
 * (idle timeout, partial-message timeout, message size, write backlog).
 */
import type { Socket } from 'node:net';
import { StreamFramer } from '../message/stream-framer.js';
import { IdleWatch } from './idle-watch.js';
import type { TransportLimits } from './limits.js';
import type { Clock, TimerHandle } from '../../base/clock.js';
import { TransportError } from './transport-error.js';
import type { Endpoint, TransportProtocol } from './types.js';

const CRLF = Buffer.from('\r\n', 'latin1');

/** What a connection reports to the transport that owns it. */
export interface StreamConnectionOwner {
  onMessage(conn: StreamConnection, data: Buffer): void;
  /** Called exactly once, after the socket closed for whatever reason. */
  onClosed(conn: StreamConnection): void;
  onWarning(conn: StreamConnection, code: string, message: string, cause?: unknown): void;
}

/** Construction parameters of a {@link StreamConnection}. */
export interface StreamConnectionParams {
  flowId: string;
  protocol: TransportProtocol;
  remote: Endpoint;
  local: Endpoint;
  outbound: boolean;
  limits: TransportLimits;
  clock: Clock;
  owner: StreamConnectionOwner;
}

/** A framed SIP connection over a connected `net.Socket` or `tls.TLSSocket`. */
export class StreamConnection {
  readonly flowId: string;
  readonly protocol: TransportProtocol;
  readonly remote: Endpoint;
  readonly local: Endpoint;
  /** True when we opened it. */
  readonly outbound: boolean;
  private readonly framer: StreamFramer;
  private readonly idle: IdleWatch;
  private readonly limits: TransportLimits;
  private readonly clock: Clock;
  private readonly owner: StreamConnectionOwner;
  private partialSince = -1;
  private partialTimer: TimerHandle | undefined = undefined;
  private closing = false;
  private closedReported = false;

  constructor(
    readonly socket: Socket,
    p: StreamConnectionParams,
  ) {
    this.flowId = p.flowId;
    this.protocol = p.protocol;
    this.remote = Object.freeze({ ...p.remote });
    this.local = Object.freeze({ ...p.local });
    this.outbound = p.outbound;
    this.limits = p.limits;
    this.clock = p.clock;
    this.owner = p.owner;
    this.framer = new StreamFramer({ maxMessageSize: p.limits.maxMessageSize });
    this.idle = new IdleWatch(p.clock, p.limits.idleTimeoutMs, () => this.close('idle-timeout', 'no traffic'));
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    // A half-closed peer cannot receive our responses in a useful way; close fully.
    socket.on('end', this.onEnd);
  }

  /** True once closing started; sends then fail with 'flow-failed'. */
  get isClosed(): boolean {
    return this.closing || this.socket.destroyed;
  }

  /**
   * Writes one framed message. Resolves when the bytes were handed to the
   * kernel; rejects with a TransportError ('flow-failed', 'congested' or
   * 'send-failed').
   */
  send(data: Buffer): Promise<void> {
    if (this.isClosed) {
      return Promise.reject(new TransportError('flow-failed', `connection ${this.flowId} is closed`));
    }
    if (this.socket.writableLength + data.length > this.limits.maxWriteBufferBytes) {
      this.close('congested', 'peer does not read; write backlog over the limit');
      return Promise.reject(new TransportError('congested', `connection ${this.flowId}: write backlog over the limit`));
    }
    this.idle.touch();
    return new Promise<void>((resolve, reject) => {
      this.socket.write(data, (err) => {
        if (err)
          reject(new TransportError('send-failed', `write on ${this.flowId} failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  /** Closes the connection at once (destroys the socket); the owner hears `onClosed`. */
  close(code?: string, message?: string): void {
    if (this.closing) return;
    this.closing = true;
    if (code !== undefined) this.owner.onWarning(this, code, message ?? code);
    this.stopTimers();
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closing) return;
    this.idle.touch();
    const events = this.framer.push(chunk);
    let completed = false;
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e === undefined) continue;
      switch (e.type) {
        case 'message':
          completed = true;
          this.owner.onMessage(this, e.data);
          if (this.closing) return;
          break;
        case 'ping':
          // RFC 5626 section 3.5.1: answer a CRLFCRLF ping with a CRLF pong.
          this.socket.write(CRLF);
          break;
        case 'pong':
          break;
        case 'error':
          this.close(e.reason, `framing error: ${e.reason}`);
          return;
      }
    }
    this.trackPartial(completed);
  };

  /** Arms the partial-message timeout while a message is incomplete (lazy, like IdleWatch). */
  private trackPartial(completedOne: boolean): void {
    if (this.framer.bufferedBytes === 0) {
      this.partialSince = -1;
      return;
    }
    if (this.partialSince < 0 || completedOne) this.partialSince = this.clock.now();
    if (this.partialTimer === undefined) {
      this.partialTimer = this.clock.setTimeout(this.checkPartial, this.limits.partialMessageTimeoutMs);
    }
  }

  private readonly checkPartial = (): void => {
    this.partialTimer = undefined;
    if (this.closing || this.partialSince < 0) return;
    const elapsed = this.clock.now() - this.partialSince;
    const limit = this.limits.partialMessageTimeoutMs;
    if (elapsed >= limit) {
      this.close('partial-timeout', `message incomplete after ${elapsed} ms`);
    } else {
      this.partialTimer = this.clock.setTimeout(this.checkPartial, limit - elapsed);
    }
  };

  private readonly onError = (err: Error): void => {
    // 'close' follows; report only.
    if (!this.closing) this.owner.onWarning(this, 'socket-error', err.message, err);
  };

  private readonly onEnd = (): void => {
    this.close();
  };

  private readonly onClose = (): void => {
    this.closing = true;
    this.stopTimers();
    if (this.closedReported) return;
    this.closedReported = true;
    this.owner.onClosed(this);
  };

  private stopTimers(): void {
    this.idle.stop();
    if (this.partialTimer !== undefined) {
      this.clock.clearTimeout(this.partialTimer);
      this.partialTimer = undefined;
    }
  }
}
