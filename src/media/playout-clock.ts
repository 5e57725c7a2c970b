/**
 * The one clock that paces the RTP of every call (never a timer per call).
 *
 * Time is cut into ticks of {@link PlayoutClockOptions.tickMs} (10 ms) on a
 * fixed grid from the clock's origin. While any sender is active the clock
 * wakes up on each tick and hands every active sender the current tick
 * index; each sends the packets due by its own schedule (one per ptime,
 * RFC 3551 section 4.2 / RFC 4566 section 6 a=ptime). The next wake-up is
 * computed from the grid, not from the last wake-up, so late timers do not
 * add up to drift. Every {@link PlayoutClockOptions.housekeepingMs} it also
 * runs the per-call checks (RTP timeout, RTCP reports, a DTMF end that never
 * came) of every attached session: one timer for all calls.
 *
 * Driven by an injected {@link Clock}: the server gives it
 * {@link monotonicClock} (performance.now(), sub-millisecond and never set
 * back), tests a FakeClock.
 */
import { performance } from 'node:perf_hooks';
import type { Clock, TimerHandle } from '../base/clock.js';

/** A sender the clock drives: sends what is due up to and including `tick`. */
export interface PlayoutTask {
  playoutTick(tick: number): void;
}

/** A session the clock checks every housekeeping interval. */
export interface HousekeepingTask {
  housekeeping(nowMs: number): void;
}

export interface PlayoutClockOptions {
  /** Grid step in ms; ptimes are whole multiples of it (default 10). */
  tickMs?: number;
  /** How often sessions are checked (default 500 ms). */
  housekeepingMs?: number;
  /** How much overdue audio a sender sends at once after a stall before it skips forward (default 100 ms). */
  maxCatchUpMs?: number;
  /** A task threw: the others still run (default: ignored, counted in {@link PlayoutClock.taskErrors}). */
  onTaskError?: (error: unknown) => void;
}

/** A timer that fires up to this early still counts as on time (timers have 1 ms resolution). */
const EARLY_MS = 1;

/** A {@link Clock} on `performance.now()`: monotonic, fractional ms; timers are unref'd as RealClock's. */
export function monotonicClock(): Clock {
  return {
    now: () => performance.now(),
    setTimeout: (fn, ms) => {
      const t = setTimeout(fn, ms > 0 ? ms : 0);
      t.unref();
      return t;
    },
    clearTimeout: (handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout),
  };
}

export class PlayoutClock {
  readonly tickMs: number;
  readonly housekeepingMs: number;
  /** Overdue ticks a sender may still catch up on. */
  readonly maxCatchUpTicks: number;
  /** Where tick 0 is, in the clock's time. */
  readonly origin: number;
  /** Ticks run, times a sender skipped forward after a stall, tasks that threw, the latest wake-up (ms). */
  ticks = 0;
  underruns = 0;
  taskErrors = 0;
  maxLateMs = 0;
  private readonly senders = new Set<PlayoutTask>();
  private readonly sessions = new Set<HousekeepingTask>();
  private readonly onTaskError: ((error: unknown) => void) | undefined;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private nextHousekeepingAt = Infinity;
  private readonly run = (): void => this.tick();

  constructor(
    readonly clock: Clock,
    options: PlayoutClockOptions = {},
  ) {
    this.tickMs = options.tickMs ?? 10;
    this.housekeepingMs = options.housekeepingMs ?? 500;
    this.maxCatchUpTicks = Math.max(1, Math.round((options.maxCatchUpMs ?? 100) / this.tickMs));
    this.onTaskError = options.onTaskError;
    this.origin = clock.now();
  }

  now(): number {
    return this.clock.now();
  }

  /** The tick `now` falls in (a tick is due once the clock reaches its start, less {@link EARLY_MS}). */
  currentTick(now = this.clock.now()): number {
    return Math.floor((now - this.origin + EARLY_MS) / this.tickMs);
  }

  /** When a tick starts, in the clock's time. */
  tickTime(tick: number): number {
    return this.origin + tick * this.tickMs;
  }

  /** Senders active now. */
  get activeSenders(): number {
    return this.senders.size;
  }

  /** Start driving a sender; returns the first tick it should send on (the next one on the grid). */
  activate(task: PlayoutTask): number {
    const now = this.clock.now();
    const first = Math.ceil((now - this.origin - EARLY_MS) / this.tickMs);
    this.senders.add(task);
    this.schedule(now, this.tickTime(first));
    return first;
  }

  deactivate(task: PlayoutTask): void {
    this.senders.delete(task);
  }

  /** Check a session every housekeeping interval until {@link detach}. */
  attach(task: HousekeepingTask): void {
    const now = this.clock.now();
    if (this.sessions.size === 0) this.nextHousekeepingAt = now + this.housekeepingMs;
    this.sessions.add(task);
    this.schedule(now, Infinity);
  }

  detach(task: HousekeepingTask): void {
    this.sessions.delete(task);
  }

  /** A sender skipped forward after a stall. */
  countUnderrun(): void {
    this.underruns++;
  }

  /**
   * Run the tick at once if it is due: called by receivers for every packet,
   * with the time they read anyway. libuv runs timers only between polls,
   * and under load one poll hands over every socket that became readable
   * (1,000 calls at ptime 20: 50,000 datagrams/s, up to a few thousand per
   * poll, 10-20 ms of work), so a tick due in the middle would wait for all
   * of them; checked per packet, it waits for one.
   */
  poll(now: number): void {
    if (now + EARLY_MS < this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.tick();
  }

  /** Stop ticking and forget every task (server shutdown). */
  close(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.senders.clear();
    this.sessions.clear();
  }

  private tick(): void {
    const now = this.clock.now();
    if (now - this.timerAt > this.maxLateMs) this.maxLateMs = now - this.timerAt;
    this.timer = undefined;
    this.timerAt = Infinity;
    this.ticks++;
    const tick = this.currentTick(now);
    for (const s of this.senders) {
      try {
        s.playoutTick(tick);
      } catch (e) {
        this.failed(e);
      }
    }
    if (now >= this.nextHousekeepingAt) {
      this.nextHousekeepingAt = Math.max(this.nextHousekeepingAt + this.housekeepingMs, now + 1);
      for (const s of this.sessions) {
        try {
          s.housekeeping(now);
        } catch (e) {
          this.failed(e);
        }
      }
    }
    this.schedule(this.clock.now(), Infinity);
  }

  private failed(e: unknown): void {
    this.taskErrors++;
    this.onTaskError?.(e);
  }

  /** Arm the one timer for the earliest of `at`, the next tick (while senders are active) and housekeeping. */
  private schedule(now: number, at: number): void {
    let due = at;
    if (this.senders.size > 0) due = Math.min(due, this.tickTime(this.currentTick(now) + 1));
    if (this.sessions.size > 0) due = Math.min(due, this.nextHousekeepingAt);
    if (due === Infinity || due >= this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAt = due;
    this.timer = this.clock.setTimeout(this.run, Math.ceil(due - now));
  }
}
