/**
 * Guessing a voicemail PIN is the classic toll-fraud attack (Asterisk's
 * `maxlogins`, Exchange UM's PIN lockout): after `maxFailures` wrong PINs for
 * one mailbox within `windowMs`, that mailbox refuses every PIN for
 * `lockMs`, whoever calls. Kept in memory: a restart forgives, a node pool
 * shares nothing (each node locks on its own).
 */
export class PinGuard {
  private readonly failures = new Map<string, { count: number; firstAt: number; lockedUntil: number }>();

  constructor(
    private readonly now: () => number,
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
    private readonly lockMs = 15 * 60_000,
  ) {}

  /** Whether a PIN may be tried for `mailbox` now. */
  allowed(mailbox: string): boolean {
    const f = this.failures.get(mailbox);
    return !f || f.lockedUntil <= this.now();
  }

  /** A wrong PIN. Returns true when this one locked the mailbox. */
  failed(mailbox: string): boolean {
    const now = this.now();
    let f = this.failures.get(mailbox);
    if (!f || now - f.firstAt > this.windowMs) {
      f = { count: 0, firstAt: now, lockedUntil: 0 };
      this.failures.set(mailbox, f);
    }
    f.count++;
    if (f.count < this.maxFailures) return false;
    f.lockedUntil = now + this.lockMs;
    f.count = 0;
    f.firstAt = now;
    return true;
  }

  /** A right PIN: the count starts again. */
  succeeded(mailbox: string): void {
    const f = this.failures.get(mailbox);
    if (f && f.lockedUntil <= this.now()) this.failures.delete(mailbox);
  }

  /** Forget entries that no longer matter (call now and then). */
  prune(): void {
    const now = this.now();
    for (const [k, f] of this.failures)
      if (f.lockedUntil <= now && now - f.firstAt > this.windowMs) this.failures.delete(k);
  }
}
