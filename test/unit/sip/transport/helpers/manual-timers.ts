/**
 * A TimerSource whose time only moves on `advance` (tests never sleep).
 * Kept here, not shared with the transaction layer's FakeClock, so the
 * transport tests depend on nothing but the transport.
 */
import type { TimerSource } from '../../../../../src/sip/transport/timer-source.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

export class ManualTimers implements TimerSource {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, Pending>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward, running due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      let next: [number, Pending] | undefined;
      for (const e of this.timers) {
        if (e[1].at > target) continue;
        if (next === undefined || e[1].at < next[1].at || (e[1].at === next[1].at && e[1].seq < next[1].seq)) next = e;
      }
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = target;
  }
}
