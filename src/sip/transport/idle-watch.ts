/**
 * Cheap per-connection inactivity timer. Instead of re-arming a timer on
 * every packet, traffic only records a timestamp; the single pending timer
 * re-arms itself for the remaining time when it fires early. One timer per
 * connection per timeout period, no allocation per message.
 */
import type { Clock, TimerHandle } from '../../base/clock.js';

/** Calls `onIdle` once when no {@link touch} happened for `timeoutMs`. */
export class IdleWatch {
  private last: number;
  private handle: TimerHandle | undefined = undefined;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly onIdle: () => void,
  ) {
    this.last = clock.now();
    if (timeoutMs > 0 && Number.isFinite(timeoutMs)) this.arm(timeoutMs);
  }

  /** Records activity now. */
  touch(): void {
    this.last = this.clock.now();
  }

  /** Cancels the watch for good. */
  stop(): void {
    this.stopped = true;
    if (this.handle !== undefined) {
      this.clock.clearTimeout(this.handle);
      this.handle = undefined;
    }
  }

  private arm(ms: number): void {
    this.handle = this.clock.setTimeout(this.check, ms);
  }

  private readonly check = (): void => {
    this.handle = undefined;
    if (this.stopped) return;
    const idle = this.clock.now() - this.last;
    if (idle >= this.timeoutMs) {
      this.stopped = true;
      this.onIdle();
    } else {
      this.arm(this.timeoutMs - idle);
    }
  };
}
