/**
 * Records the outcomes a sender reports (`onOutcome`) and lets a test wait
 * for the n-th one: the attempts run over real sockets while a FakeClock
 * holds the retry timers, so a test awaits each outcome, then advances time.
 */
export class OutcomeLog<D> {
  readonly events: { outcome: string; detail: D }[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  /** Pass as `onOutcome`. */
  readonly record = (outcome: string, detail: D): void => {
    this.events.push({ outcome, detail });
    const ready = this.waiters.filter((w) => this.events.length >= w.n);
    this.waiters = this.waiters.filter((w) => this.events.length < w.n);
    for (const w of ready) w.resolve();
  };

  /** The outcomes so far, in order. */
  get outcomes(): string[] {
    return this.events.map((e) => e.outcome);
  }

  /** Resolves with the n-th outcome (1-based) once it is reported; rejects after `timeoutMs`. */
  nth(n: number, timeoutMs = 5_000): Promise<{ outcome: string; detail: D }> {
    const have = this.events[n - 1];
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`outcome ${n} never came (have: ${this.outcomes.join(', ') || 'none'})`)),
        timeoutMs,
      );
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.events[n - 1] as { outcome: string; detail: D });
        },
      });
    });
  }
}
