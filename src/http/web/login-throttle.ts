/**
 * Failed sign-ins per client address (issue 10 section 2; OWASP
 * Authentication Cheat Sheet, "login throttling"): after `limit` failures
 * within `windowMs` from one address, further attempts are refused (429)
 * until the oldest failure leaves the window. A sliding window of
 * timestamps, written by hand: it is a dozen lines.
 */

/** Addresses tracked at most; beyond, the stalest is forgotten. */
const MAX_ADDRESSES = 10_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly now: () => number,
    readonly limit = 10,
    readonly windowMs = 60_000,
  ) {}

  /** Seconds until `address` may try again, or 0 when it may now. */
  retryAfter(address: string): number {
    const times = this.recent(address);
    if (times.length < this.limit) return 0;
    const oldest = times[times.length - this.limit] ?? this.now();
    return Math.max(1, Math.ceil((oldest + this.windowMs - this.now()) / 1000));
  }

  /** Count a failed sign-in from `address`. */
  failed(address: string): void {
    const times = this.recent(address);
    times.push(this.now());
    this.failures.delete(address);
    this.failures.set(address, times.slice(-this.limit));
    if (this.failures.size > MAX_ADDRESSES) {
      const stalest = this.failures.keys().next().value;
      if (stalest !== undefined) this.failures.delete(stalest);
    }
  }

  private recent(address: string): number[] {
    const since = this.now() - this.windowMs;
    const times = (this.failures.get(address) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(address);
    return times;
  }
}
