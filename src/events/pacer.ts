import type { Clock, TimerHandle } from '../base/clock.js';

/**
 * Sends queued work at a bounded rate, coalescing by key: enqueueing a key
 * already waiting does not queue it twice (the work runs once, with whatever
 * state is current then). This is what keeps "resend the state to every
 * endpoint" after a restart or a registration storm from becoming a storm
 * itself (PROTOCOLS.md section 2; Asterisk's MWI queue limits).
 */
export class Pacer<K> {
  private readonly queue: K[] = [];
  private head = 0;
  private readonly waiting = new Set<K>();
  private timer: TimerHandle | undefined;
  private readonly perTick: number;

  /**
   * @param ratePerSecond how many jobs may run per second
   * @param run the job; exceptions are the caller's to catch
   */
  constructor(
    private readonly clock: Clock,
    ratePerSecond: number,
    private readonly run: (key: K) => void,
    private readonly tickMs = 20,
  ) {
    this.perTick = Math.max(1, Math.round((ratePerSecond * tickMs) / 1000));
  }

  /** Jobs waiting. */
  get size(): number {
    return this.waiting.size;
  }

  enqueue(key: K): void {
    if (this.waiting.has(key)) return;
    this.waiting.add(key);
    this.queue.push(key);
    this.timer ??= this.clock.setTimeout(this.tick, 0);
  }

  /** Drop a key that no longer needs work (e.g. the endpoint went away). */
  forget(key: K): void {
    this.waiting.delete(key);
  }

  stop(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.head = 0;
    this.waiting.clear();
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    let n = 0;
    while (n < this.perTick && this.head < this.queue.length) {
      const key = this.queue[this.head++] as K;
      if (!this.waiting.delete(key)) continue;
      n++;
      this.run(key);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.head < this.queue.length) this.timer = this.clock.setTimeout(this.tick, this.tickMs);
  };
}
