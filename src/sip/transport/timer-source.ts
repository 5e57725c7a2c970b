/**
 * The minimal clock the transports need for idle, partial-message and
 * connect timeouts. Structurally compatible with the transaction layer's
 * `Clock` (src/sip/transaction/clock.ts), so a `FakeClock` can be injected
 * in tests; declared here so the transport does not depend on that layer.
 */

/** A source of time and one-shot timers (milliseconds). */
export interface TimerSource {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers; timers are `unref`'d so they never keep the process alive alone. */
export const realTimers: TimerSource = {
  now: () => Date.now(),
  setTimeout(fn: () => void, ms: number): unknown {
    const t = setTimeout(fn, ms > 0 ? ms : 0);
    t.unref();
    return t;
  },
  clearTimeout(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
