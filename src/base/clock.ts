/**
 * The one injectable time source of openum, shared by every layer.
 *
 * RFC 3261 section 17 drives every transaction with timers (A..K, plus L and
 * M from RFC 6026); the stream transports time out idle connections,
 * connects and half-received messages (RFC 3261 section 18.3 framing); the
 * notifier, the MWI fan-out and the phone pace and refresh with timers too.
 * None of them reads the global timer functions: each takes a
 * {@link Clock}, so unit and scenario tests run with a {@link FakeClock} and
 * never sleep.
 */

/** Opaque handle of a scheduled timer; only the clock that made it may clear it. */
export type TimerHandle = object;

/** A source of time and one-shot timers (milliseconds). */
export interface Clock {
  /** Current time in milliseconds. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds (negative is treated as 0). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; clearing an already fired or cleared timer is a no-op. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Clock backed by Node's timers. Timers are `unref`'d so pending SIP
 * retransmissions and transport timeouts never keep the process alive on
 * their own.
 */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, ms > 0 ? ms : 0);
    t.unref();
    return t;
  }

  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as NodeJS.Timeout);
  }
}

/** One scheduled timer of a {@link FakeClock}. */
class FakeTimer {
  /** Position in the heap, -1 once fired or cleared. */
  index = -1;
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fn: () => void,
  ) {}
}

/**
 * Deterministic clock for tests: time only moves when {@link advance} is
 * called. Due timers run in time order (ties in scheduling order), including
 * timers scheduled by running timers, each seeing `now()` equal to its due
 * time. Backed by a binary min-heap with O(log n) insert and removal, so tens
 * of thousands of pending timers are cheap.
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly heap: FakeTimer[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** Number of timers scheduled and not yet fired or cleared. */
  get pending(): number {
    return this.heap.length;
  }

  /** Due time of the earliest pending timer, or undefined. */
  nextDue(): number | undefined {
    return this.heap[0]?.at;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = ms > 0 ? ms : 0;
    const t = new FakeTimer(this.current + delay, this.seq++, fn);
    t.index = this.heap.length;
    this.heap.push(t);
    this.siftUp(t.index);
    return t;
  }

  clearTimeout(handle: TimerHandle): void {
    if (!(handle instanceof FakeTimer) || handle.index < 0) return;
    if (this.heap[handle.index] !== handle) return;
    this.removeAt(handle.index);
  }

  /**
   * Moves time forward by `ms`, running every timer due on the way in order.
   * An exception thrown by a timer callback propagates after time has been
   * set to that timer's due time; remaining timers stay scheduled.
   */
  advance(ms: number): void {
    const target = this.current + (ms > 0 ? ms : 0);
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.at > target) break;
      this.removeAt(0);
      this.current = top.at;
      top.fn();
    }
    this.current = target;
  }

  /** Runs timers until none is pending or `limitMs` of fake time has passed. */
  runAll(limitMs = 3_600_000): void {
    const stop = this.current + limitMs;
    for (;;) {
      const at = this.nextDue();
      if (at === undefined || at > stop) return;
      this.advance(at - this.current);
    }
  }

  private less(a: FakeTimer, b: FakeTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private removeAt(i: number): void {
    const heap = this.heap;
    const removed = heap[i] as FakeTimer;
    const last = heap.pop() as FakeTimer;
    removed.index = -1;
    if (last === removed) return;
    heap[i] = last;
    last.index = i;
    this.siftDown(i);
    this.siftUp(last.index);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const item = heap[i] as FakeTimer;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p] as FakeTimer;
      if (!this.less(item, parent)) break;
      heap[i] = parent;
      parent.index = i;
      i = p;
    }
    heap[i] = item;
    item.index = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i] as FakeTimer;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = heap[l] as FakeTimer;
      if (r < n) {
        const right = heap[r] as FakeTimer;
        if (this.less(right, child)) {
          c = r;
          child = right;
        }
      }
      if (!this.less(child, item)) break;
      heap[i] = child;
      child.index = i;
      i = c;
    }
    heap[i] = item;
    item.index = i;
  }
}
