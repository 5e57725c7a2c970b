/**
 * UDP ports for the media of calls, out of the range of `--rtp-ports`
 * (default 10000-20000).
 *
 * RTP goes on an even port and RTCP on the next, odd one (RFC 3550 section
 * 11); with rtcp-mux (RFC 5761 section 5.1.1) both share the RTP port, but
 * the odd port stays reserved so that a pool entry fits either kind of call.
 * Ports are handed out round-robin: a port freed by a call that just ended
 * is the last to be reused, so late packets of that call do not land in a
 * new one. A port some other program holds (EADDRINUSE) is skipped.
 */
import { createSocket, type Socket, type SocketType } from 'node:dgram';
import { isIP } from 'node:net';
import { CodedError } from '../base/coded-error.js';

/** `exhausted`: every port of the range is in use; `bind`: the address cannot be bound; `range`: a bad range. */
export type PortPoolErrorCode = 'exhausted' | 'bind' | 'range';

/** The only error {@link PortPool.open} and {@link parsePortRange} throw. */
export class PortPoolError extends CodedError<PortPoolErrorCode> {
  override readonly name = 'PortPoolError';
}

/** The sockets of one call. The owner attaches the `error` and `message` listeners. */
export interface RtpPorts {
  /** The RTP socket, bound to {@link port}; with rtcp-mux it carries RTCP too. */
  readonly rtp: Socket;
  /** The RTCP socket on port + 1, undefined with rtcp-mux. */
  readonly rtcp: Socket | undefined;
  readonly port: number;
  /** Close both sockets and give the port back to the pool; idempotent. */
  close(): void;
}

/** `LO-HI` as given to `--rtp-ports`: 1 <= LO < HI <= 65535, room for at least one even/odd pair. */
export function parsePortRange(text: string): { lo: number; hi: number } {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  if (!m) throw new PortPoolError('range', `not a port range LO-HI: ${JSON.stringify(text)}`);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  checkRange(lo, hi);
  return { lo, hi };
}

function checkRange(lo: number, hi: number): void {
  const ok = Number.isInteger(lo) && Number.isInteger(hi) && lo >= 1 && hi <= 65535 && lo < hi;
  if (!ok || lo + (lo & 1) + 1 > hi) {
    throw new PortPoolError('range', `port range ${lo}-${hi} holds no even/odd pair within 1-65535`);
  }
}

function bindSocket(type: SocketType, address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type, ipv6Only: type === 'udp6' });
    const onError = (e: Error): void => {
      try {
        s.close();
      } catch {
        // never bound: nothing to close
      }
      reject(e);
    };
    s.once('error', onError);
    s.bind({ port, address, exclusive: true }, () => {
      s.off('error', onError);
      resolve(s);
    });
  });
}

function closeQuietly(s: Socket | undefined): void {
  try {
    s?.close();
  } catch {
    // already closed
  }
}

const inUseError = (e: unknown): boolean => (e as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';

/** The even ports of a range, handed out round-robin, each with its odd neighbour. */
export class PortPool {
  /** First and last even port handed out (last + 1 <= HI). */
  readonly first: number;
  readonly last: number;
  private readonly inUse = new Set<number>();
  private cursor: number;

  constructor(lo = 10000, hi = 20000) {
    checkRange(lo, hi);
    this.first = lo + (lo & 1);
    this.last = (hi - 1) & ~1;
    this.cursor = this.first;
  }

  /** How many calls the range holds. */
  get size(): number {
    return (this.last - this.first) / 2 + 1;
  }

  /** How many calls hold ports now. */
  get inUseCount(): number {
    return this.inUse.size;
  }

  /**
   * Bind the next free port (and port + 1 for RTCP unless `rtcpMux`) on
   * `bindAddress`, IPv4 or IPv6 (an IPv6 socket is IPv6-only). Throws
   * {@link PortPoolError} `exhausted` when every port of the range is in
   * use or taken, `bind` when the address itself cannot be bound.
   */
  async open(bindAddress: string, rtcpMux = false): Promise<RtpPorts> {
    const family = isIP(bindAddress);
    if (family === 0) throw new PortPoolError('bind', `not an IP address: ${bindAddress}`);
    const type: SocketType = family === 6 ? 'udp6' : 'udp4';
    for (let tried = 0; tried < this.size; tried++) {
      const port = this.cursor;
      this.cursor = port + 2 > this.last ? this.first : port + 2;
      if (this.inUse.has(port)) continue;
      this.inUse.add(port); // reserved across the awaits below: concurrent opens skip it
      let rtp: Socket | undefined;
      try {
        rtp = await bindSocket(type, bindAddress, port);
        const rtcp = rtcpMux ? undefined : await bindSocket(type, bindAddress, port + 1);
        return this.handle(rtp, rtcp, port);
      } catch (e) {
        closeQuietly(rtp);
        this.inUse.delete(port);
        if (!inUseError(e)) {
          throw new PortPoolError('bind', `cannot bind ${bindAddress}:${port}: ${(e as Error).message}`);
        }
      }
    }
    throw new PortPoolError('exhausted', `no free RTP port in ${this.first}-${this.last + 1}`);
  }

  private handle(rtp: Socket, rtcp: Socket | undefined, port: number): RtpPorts {
    let closed = false;
    return {
      rtp,
      rtcp,
      port,
      close: () => {
        if (closed) return;
        closed = true;
        closeQuietly(rtp);
        closeQuietly(rtcp);
        this.inUse.delete(port);
      },
    };
  }
}
