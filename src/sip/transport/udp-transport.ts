/**
 * SIP over UDP (RFC 3261 section 18, RFC 3581), with `node:dgram`.
 *
 * - One datagram is one message (section 18.1.1); no flow ids.
 * - Datagrams larger than `maxMessageSize` are dropped (the socket receives
 *   up to 64 KiB).
 * - Bare CRLF datagrams (keep-alives some UAs send on UDP) are ignored.
 * - STUN Binding requests (RFC 5626 section 4.4.2 / 8.4, the UDP keep-alive
 *   of SIP Outbound) are answered on the SIP port.
 * - The socket family (udp4/udp6) follows the bind address; a `::` socket is
 *   dual-stack and IPv4 peers are reported as plain IPv4.
 * - RFC 3261 section 18.1.1's "over 1300 bytes -> use TCP" rule for requests
 *   is the sender's choice above this layer; this transport sends any size
 *   the OS accepts (EMSGSIZE -> TransportError 'too-large').
 * - `local` is the bound endpoint: with a wildcard bind the exact destination
 *   address of a datagram is not known (no IP_PKTINFO in Node).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { isIPv6Address, normalizeAddress } from './address.js';
import { resolveLimits, type TransportLimits } from './limits.js';
import { isStunBindingRequest, looksLikeStun, stunBindingResponse } from './stun.js';
import { TransportError } from './transport-error.js';
import type { Endpoint, SendOptions, Transport, TransportDelegate, TransportWarning } from './types.js';

/** Options of {@link UdpTransport}. */
export interface UdpTransportOptions {
  /** Bind address; IPv6 (incl. `::`) makes a udp6 socket. Default 0.0.0.0. */
  address?: string;
  /** Bind port; 0 picks a free one. Default 0. */
  port?: number;
  /** Only `maxMessageSize` applies to UDP. */
  limits?: Partial<TransportLimits>;
  /** SO_RCVBUF / SO_SNDBUF request in bytes (default 1 MiB; the OS may cap it). */
  socketBufferBytes?: number;
  /** Answer STUN Binding requests (default true). */
  stun?: boolean;
  delegate?: TransportDelegate;
}

/** The UDP transport. */
export class UdpTransport implements Transport {
  readonly protocol = 'udp' as const;
  delegate: TransportDelegate | undefined;
  private readonly bindAddress: string;
  private readonly bindPort: number;
  private readonly ipv6: boolean;
  private readonly limits: TransportLimits;
  private readonly bufferBytes: number;
  private readonly stun: boolean;
  private socket: Socket | undefined;
  private localEndpoint: Endpoint;
  private state: 'new' | 'started' | 'stopped' = 'new';

  constructor(opts: UdpTransportOptions = {}) {
    this.bindAddress = normalizeAddress(opts.address ?? '0.0.0.0');
    this.bindPort = opts.port ?? 0;
    this.ipv6 = isIPv6Address(this.bindAddress);
    this.limits = resolveLimits(opts.limits);
    this.bufferBytes = opts.socketBufferBytes ?? 1024 * 1024;
    this.stun = opts.stun ?? true;
    this.delegate = opts.delegate;
    this.localEndpoint = Object.freeze({ protocol: 'udp', address: this.bindAddress, port: this.bindPort });
  }

  get local(): Endpoint {
    return this.localEndpoint;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new TransportError('bind-failed', 'udp transport already started');
    const socket = createSocket({ type: this.ipv6 ? 'udp6' : 'udp4' });
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(
          new TransportError('bind-failed', `udp bind ${this.bindAddress}:${this.bindPort} failed: ${err.message}`, {
            cause: err,
          }),
        );
      };
      socket.once('error', onError);
      socket.bind({ address: this.bindAddress, port: this.bindPort, exclusive: true }, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    try {
      socket.setRecvBufferSize(this.bufferBytes);
      socket.setSendBufferSize(this.bufferBytes);
    } catch {
      // The OS refused the size; its default stays.
    }
    socket.on('error', (err) => this.warn({ code: 'socket-error', message: err.message, cause: err }));
    socket.on('message', this.onMessage);
    this.localEndpoint = Object.freeze({ protocol: 'udp', address: this.bindAddress, port: socket.address().port });
    this.state = 'started';
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    const wasStarted = this.state === 'started';
    this.state = 'stopped';
    const socket = this.socket;
    if (socket === undefined || !wasStarted) return;
    await new Promise<void>((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  /** Sends one datagram (RFC 3261 section 18.1.1 / 18.2.2). `flowId` is ignored. */
  send(dest: Endpoint, data: Buffer, _flowId?: string, _opts?: SendOptions): Promise<void> {
    const socket = this.socket;
    if (this.state !== 'started' || socket === undefined) {
      return Promise.reject(
        new TransportError(this.state === 'new' ? 'not-started' : 'stopped', 'udp transport is not running'),
      );
    }
    let host = normalizeAddress(dest.address);
    // A dual-stack udp6 socket reaches IPv4 peers through IPv4-mapped addresses.
    if (this.ipv6 && isIPv4(host)) host = `::ffff:${host}`;
    return new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => {
        const code = (err as NodeJS.ErrnoException).code === 'EMSGSIZE' ? 'too-large' : 'send-failed';
        reject(new TransportError(code, `udp send to ${host}:${dest.port} failed: ${err.message}`, { cause: err }));
      };
      try {
        socket.send(data, dest.port, host, (err) => {
          if (err === null || err === undefined) resolve();
          else fail(err);
        });
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    if (msg.length === 0) return;
    const first = msg[0] as number;
    if (first === 0x0d || first === 0x0a) {
      if (isOnlyCrlf(msg)) return; // keep-alive
    } else if (first < 4 && looksLikeStun(msg)) {
      this.answerStun(msg, rinfo);
      return;
    }
    const source: Endpoint = { protocol: 'udp', address: normalizeAddress(rinfo.address), port: rinfo.port };
    if (msg.length > this.limits.maxMessageSize) {
      this.warn({ code: 'too-large', message: `datagram of ${msg.length} bytes dropped`, remote: source });
      return;
    }
    const d = this.delegate;
    if (d === undefined) return;
    try {
      d.onData({ data: msg, source, local: this.localEndpoint });
    } catch (err) {
      this.warn({
        code: 'delegate-error',
        message: err instanceof Error ? err.message : String(err),
        remote: source,
        cause: err,
      });
    }
  };

  private answerStun(msg: Buffer, rinfo: RemoteInfo): void {
    if (!this.stun || !isStunBindingRequest(msg)) return;
    const response = stunBindingResponse(msg, normalizeAddress(rinfo.address), rinfo.port);
    if (response === undefined || this.socket === undefined) return;
    try {
      this.socket.send(response, rinfo.port, rinfo.address, (err) => {
        if (err) this.warn({ code: 'socket-error', message: `stun response: ${err.message}`, cause: err });
      });
    } catch {
      // Socket closing: nothing to answer with.
    }
  }

  private warn(w: Omit<TransportWarning, 'protocol'>): void {
    const d = this.delegate;
    if (d?.onWarning === undefined) return;
    try {
      d.onWarning({ protocol: 'udp', ...w });
    } catch {
      // A failing logger must not break the transport.
    }
  }
}

function isOnlyCrlf(msg: Buffer): boolean {
  for (let i = 0; i < msg.length; i++) {
    const c = msg[i];
    if (c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}
