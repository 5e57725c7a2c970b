/**
 * A TransportDelegate that records everything and lets a test await a
 * condition. Every wait has a guard deadline so a broken test fails in
 * seconds instead of hanging (a deadline, not a sleep).
 */
import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import type { InboundData, TransportDelegate, TransportWarning } from '../../../../../src/sip/transport/types.js';

export const GUARD_MS = 4000;

export class Recorder implements TransportDelegate {
  readonly data: InboundData[] = [];
  readonly closed: string[] = [];
  readonly warnings: TransportWarning[] = [];
  private readonly waiters = new Set<() => void>();

  onData(d: InboundData): void {
    this.data.push(d);
    this.notify();
  }

  onFlowClosed(flowId: string): void {
    this.closed.push(flowId);
    this.notify();
  }

  onWarning(w: TransportWarning): void {
    this.warnings.push(w);
    this.notify();
  }

  /** Texts of the received messages. */
  texts(): string[] {
    return this.data.map((d) => d.data.toString('latin1'));
  }

  /** Resolves once `cond()` holds; rejects after the guard deadline. */
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
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** `once(emitter, event)` with the guard deadline. */
export async function onceGuarded(emitter: EventEmitter, event: string, ms = GUARD_MS): Promise<unknown[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    return await once(emitter, event, { signal: ac.signal });
  } catch (err) {
    if (ac.signal.aborted) throw new Error(`timed out waiting for '${event}'`, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** A framed SIP request with Content-Length (RFC 3261 section 18.3). */
export function sipRequest(n: number, body = '', transport = 'TCP'): Buffer {
  const b = Buffer.from(body, 'utf8');
  return Buffer.concat([
    Buffer.from(
      `OPTIONS sip:u${n}@example.com SIP/2.0\r\n` +
        `Via: SIP/2.0/${transport} client.example.com;branch=z9hG4bK${n}\r\n` +
        `Max-Forwards: 70\r\nTo: <sip:u${n}@example.com>\r\nFrom: <sip:c@example.com>;tag=${n}\r\n` +
        `Call-ID: call-${n}\r\nCSeq: ${n} OPTIONS\r\nContent-Length: ${b.length}\r\n\r\n`,
      'latin1',
    ),
    b,
  ]);
}

/** Polls `cond` on every event-loop turn until it holds; rejects after the guard deadline. */
export async function eventually(cond: () => boolean, what: string, ms = GUARD_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}
