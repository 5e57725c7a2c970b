/** Raw TCP/TLS client sockets for poking a transport from outside. */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { GUARD_MS } from './recorder.js';

/** A connected plain TCP socket that records what it receives. */
export class RawClient {
  received = Buffer.alloc(0);
  closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(readonly socket: Socket) {
    socket.on('data', (b: Buffer) => {
      this.received = Buffer.concat([this.received, b]);
      this.notify();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static async tcp(port: number, host = '127.0.0.1'): Promise<RawClient> {
    const s = connect({ port, host });
    const c = new RawClient(s);
    await c.until(() => !s.connecting || c.closed, 'tcp connect');
    if (c.closed) throw new Error('connection closed during connect');
    return c;
  }

  static async tls(port: number, host = '127.0.0.1'): Promise<RawClient> {
    const s: TLSSocket = tlsConnect({ port, host, rejectUnauthorized: false });
    let ready = false;
    s.once('secureConnect', () => {
      ready = true;
    });
    const c = new RawClient(s);
    await c.until(() => ready || c.closed, 'tls connect');
    if (c.closed) throw new Error('connection closed during handshake');
    return c;
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  text(): string {
    return this.received.toString('latin1');
  }

  close(): void {
    this.socket.destroy();
  }

  until(cond: () => boolean, what: string, ms = GUARD_MS): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!cond()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      this.waiters.add(check);
      // 'connect' is not observed by data/close; poll once on connect too.
      this.socket.once('connect', check);
      this.socket.once('secureConnect', check);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}
