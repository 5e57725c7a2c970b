import type { Clock, TimerHandle } from '../../base/clock.js';
import { DueHeap, type DueEntry } from './due-heap.js';
import { backoffDelay, type RetryPolicy } from './retry-policy.js';

/** What became of one item, for metrics and logs. */
export type DeliveryOutcome = 'delivered' | 'retry' | 'failed' | 'dropped';

/** The result of one attempt: done, or not (and whether trying again may help). */
export type AttemptResult = { ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number };

/** Facts that go with an outcome. */
export interface OutcomeDetail {
  /** Attempts made so far (0 for an item dropped before its first). */
  attempt: number;
  /** Why the last attempt failed ('retry', 'failed'), or why an item was dropped. */
  reason?: string;
  /** For 'retry': the wait before the next attempt. */
  delayMs?: number;
}

export interface RetryQueueOptions<T> {
  clock: Clock;
  policy: RetryPolicy;
  /** One attempt (`attempt` counts from 1). A rejection counts as a failure worth retrying. */
  attempt(item: T, attempt: number): Promise<AttemptResult>;
  onOutcome?(outcome: DeliveryOutcome, item: T, detail: OutcomeDetail): void;
  /** Items held at most, in flight included; beyond, the oldest waiting one is dropped. Default 10,000. */
  maxPending?: number;
  /** Attempts under way at once. Default 4. */
  concurrency?: number;
  /** In [0, 1); the back-off's jitter. */
  random?: () => number;
}

interface Entry<T> extends DueEntry {
  readonly item: T;
  attempts: number;
  inFlight: boolean;
}

/**
 * An in-memory delivery queue: each item is tried until it succeeds, fails
 * for good, or runs out of attempts, with back-off between attempts (see
 * {@link RetryPolicy}). One timer for the whole queue (the earliest due
 * entry, from a heap), a bounded number of attempts in flight, a bounded
 * number of items held. Nothing survives a restart: a notification is a
 * courtesy, the message itself is stored.
 */
export class RetryQueue<T> {
  /** Insertion order is age order: the first waiting entry is the one dropped. */
  private readonly entries = new Set<Entry<T>>();
  private readonly due = new DueHeap<Entry<T>>();
  private readonly maxPending: number;
  private readonly concurrency: number;
  private readonly random: () => number;
  private inFlight = 0;
  private seq = 0;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private stopped = false;
  private droppedCount = 0;

  constructor(private readonly opts: RetryQueueOptions<T>) {
    this.maxPending = Math.max(1, opts.maxPending ?? 10_000);
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.random = opts.random ?? Math.random;
  }

  /** Items held: waiting, due, or in flight. */
  get pending(): number {
    return this.entries.size;
  }

  /** Items dropped because the queue was full, since the start. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Queue an item; its first attempt starts now if a slot is free. */
  push(item: T): void {
    if (this.stopped) return;
    if (this.entries.size >= this.maxPending && !this.dropOldestWaiting()) {
      this.drop(item, 0);
      return;
    }
    const e: Entry<T> = {
      item,
      attempts: 0,
      inFlight: false,
      dueAt: this.opts.clock.now(),
      seq: this.seq++,
      heapIndex: -1,
    };
    this.entries.add(e);
    this.due.push(e);
    this.pump();
  }

  /** Forget every item and cancel the timer; attempts in flight finish, unheeded. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.entries.clear();
    this.due.clear();
  }

  private dropOldestWaiting(): boolean {
    for (const e of this.entries) {
      if (e.inFlight) continue;
      this.entries.delete(e);
      this.due.remove(e);
      this.drop(e.item, e.attempts);
      return true;
    }
    return false;
  }

  private drop(item: T, attempt: number): void {
    this.droppedCount++;
    this.report('dropped', item, { attempt, reason: `queue full (${this.maxPending})` });
  }

  /** Start what is due while slots are free, then arm the timer for the next due entry. */
  private pump(): void {
    if (this.stopped) return;
    const now = this.opts.clock.now();
    for (
      let top = this.due.peek();
      top && this.inFlight < this.concurrency && top.dueAt <= now;
      top = this.due.peek()
    ) {
      this.due.pop();
      this.start(top);
    }
    const next = this.inFlight < this.concurrency ? (this.due.peek()?.dueAt ?? Infinity) : Infinity;
    if (next === this.timerAt) return;
    if (this.timer !== undefined) this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = next;
    if (next === Infinity) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, next - now);
  }

  private start(e: Entry<T>): void {
    e.inFlight = true;
    e.attempts++;
    this.inFlight++;
    let p: Promise<AttemptResult>;
    try {
      p = this.opts.attempt(e.item, e.attempts);
    } catch (err) {
      p = Promise.reject(err as Error);
    }
    p.then(
      (r) => this.settle(e, r),
      (err: unknown) => this.settle(e, { ok: false, retry: true, reason: errorText(err) }),
    );
  }

  private settle(e: Entry<T>, r: AttemptResult): void {
    this.inFlight--;
    e.inFlight = false;
    if (this.stopped || !this.entries.has(e)) return;
    const policy = this.opts.policy;
    if (r.ok) {
      this.entries.delete(e);
      this.report('delivered', e.item, { attempt: e.attempts });
    } else if (!r.retry || e.attempts >= policy.maxAttempts || (r.retryAfterMs ?? 0) > policy.maxRetryAfterMs) {
      this.entries.delete(e);
      const why = !r.retry
        ? r.reason
        : e.attempts >= policy.maxAttempts
          ? `${r.reason} (after ${e.attempts} attempts)`
          : `${r.reason} (Retry-After beyond ${policy.maxRetryAfterMs / 1000} s)`;
      this.report('failed', e.item, { attempt: e.attempts, reason: why });
    } else {
      const delayMs = Math.max(backoffDelay(policy, e.attempts, this.random), r.retryAfterMs ?? 0);
      e.dueAt = this.opts.clock.now() + delayMs;
      e.seq = this.seq++;
      this.due.push(e);
      this.report('retry', e.item, { attempt: e.attempts, reason: r.reason, delayMs });
    }
    this.pump();
  }

  private report(outcome: DeliveryOutcome, item: T, detail: OutcomeDetail): void {
    try {
      this.opts.onOutcome?.(outcome, item, detail);
    } catch {
      // a metrics or log hook must not stop the queue
    }
  }
}

/** An error's message, else its text. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
