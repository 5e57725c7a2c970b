/**
 * Token buckets per key (user, address) with a bounded number of keys: the
 * churn cap that keeps one misbehaving client (baresip 1.0.0's mwi module
 * re-subscribing in a tight loop, upstream issue 2726) from taking the server
 * from everyone else.
 *
 * Each key may spend `burst` tokens at once and earns `perSecond` more each
 * second. Keys idle long enough to be full again are forgotten, and at most
 * `maxKeys` are tracked (the oldest go first), so memory stays bounded even
 * under a spray of source addresses.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly maxKeys = 50_000,
  ) {}

  /** Take one token for `key` at time `now` (ms); false when the key is over its rate. */
  take(key: string, now: number): boolean {
    let b = this.buckets.get(key);
    if (b) {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
      // Keep recently used keys at the end (Map order) so eviction takes the stalest.
      this.buckets.delete(key);
      this.buckets.set(key, b);
    } else {
      if (this.buckets.size >= this.maxKeys) this.evict(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /**
   * Forget the keys whose bucket is full again (idle for burst/perSecond
   * seconds): they would behave exactly as a new key. Called once a second,
   * so 100,000 users who subscribed once hold no bucket an hour later.
   * Keys are in least-recently-used order, so the scan stops at the first
   * key still refilling.
   */
  prune(now: number): void {
    const refill = (this.burst / this.perSecond) * 1000;
    for (const [k, b] of this.buckets) {
      if (now - b.at < refill) break;
      this.buckets.delete(k);
    }
  }

  /** Keys tracked now. */
  get size(): number {
    return this.buckets.size;
  }

  private evict(now: number): void {
    const refill = (this.burst / this.perSecond) * 1000;
    for (const [k, b] of this.buckets) {
      if (this.buckets.size < this.maxKeys) break;
      if (now - b.at >= refill || this.buckets.size >= this.maxKeys) this.buckets.delete(k);
    }
  }
}
