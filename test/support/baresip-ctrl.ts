/**
 * baresip's ctrl_tcp module (netstrings of JSON, baresip 1.0): send
 * commands (`dial`, `sndcode` = an RFC 4733 key, `hangup`) and watch events
 * (CALL_ESTABLISHED, CALL_CLOSED) to keep time with a call.
 */
import { connect, type Socket } from 'node:net';
import { Arrivals } from './arrivals.js';

/** An event or response baresip sent. */
export type CtrlMessage = Record<string, unknown>;

export class BaresipCtrl {
  private readonly arrivals = new Arrivals<CtrlMessage>();
  private buf = Buffer.alloc(0);

  private constructor(private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => this.onData(d));
    sock.on('error', () => undefined);
  }

  /** Connect to ctrl_tcp_listen, retrying while baresip starts (bounded by `timeoutMs`). */
  static async connect(port: number, timeoutMs = 10_000): Promise<BaresipCtrl> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const sock = await new Promise<Socket>((resolve, reject) => {
          const s = connect(port, '127.0.0.1', () => resolve(s));
          s.once('error', reject);
        });
        return new BaresipCtrl(sock);
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** Send a command as a netstring. */
  command(command: string, params?: string): void {
    const json = Buffer.from(JSON.stringify({ command, ...(params !== undefined && { params }), token: 'openum' }));
    this.sock.write(Buffer.concat([Buffer.from(`${json.length}:`), json, Buffer.from(',')]));
  }

  /** Press keys one by one (RFC 4733), `gapMs` apart. */
  async keys(keys: string, gapMs = 400): Promise<void> {
    for (const k of keys) {
      this.command('sndcode', k);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  }

  /** The first event of `type` (already received or within `timeoutMs`). */
  event(type: string, timeoutMs: number): Promise<CtrlMessage | undefined> {
    return this.arrivals.first((m) => m['type'] === type, timeoutMs);
  }

  /** Everything received so far. */
  get received(): readonly CtrlMessage[] {
    return this.arrivals.items;
  }

  close(): void {
    this.sock.destroy();
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const colon = this.buf.indexOf(0x3a);
      if (colon < 0) return;
      const len = Number(this.buf.subarray(0, colon).toString('latin1'));
      if (!Number.isInteger(len) || this.buf.length < colon + 1 + len + 1) return;
      const body = this.buf.subarray(colon + 1, colon + 1 + len).toString('utf8');
      this.buf = this.buf.subarray(colon + 1 + len + 1);
      try {
        this.arrivals.push(JSON.parse(body) as CtrlMessage);
      } catch {
        // not JSON: ignored
      }
    }
  }
}
