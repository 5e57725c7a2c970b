/**
 * Replay protection for digest nonce-counts (RFC 7616 section 3.4 and
 * section 5.5; RFC 3261 section 22.4): "the server can keep track of the
 * nonce-count values ... and reject a request with a count it has seen".
 *
 * Per nonce, a 32-wide sliding window (the IPsec anti-replay scheme of
 * RFC 4303 section 3.4.3): the highest `nc` seen plus a bitmap of the 31
 * below it. A new higher `nc` always passes; a lower one passes once if it
 * is still inside the window, so DIFFERENT requests reordered over UDP are
 * accepted; a repeated `nc`, or one older than the window, is a replay.
 * (A retransmission of the SAME request never gets here: the transaction
 * layer absorbs it.)
 *
 * Memory is bounded:
 * - entries are only created for requests whose digest already verified, so
 *   only authenticated users can add entries;
 * - an entry whose nonce has expired is dropped (the stateless nonce check
 *   rejects that nonce as stale anyway, so forgetting it is safe);
 * - at most `maxEntries` nonces are tracked (LRU order: a Map re-inserted on
 *   use). Evicting a live entry raises a floor: a nonce issued at or before
 *   the newest issue time ever evicted, and not tracked, is answered
 *   `evicted` (the server says stale, the client retries with a fresh nonce
 *   without asking its user). So eviction never re-opens a replay; its only
 *   cost, under overload, is one extra round trip for some clients.
 *
 * Without qop (RFC 2069 form, only if the server allows it) there is no
 * nonce-count: such a nonce is single-use.
 *
 * @module
 */

/** Default cap on tracked nonces (about 150 bytes each). */
export const DEFAULT_MAX_TRACKED_NONCES = 20_000;

/** Width of the out-of-order window, in nonce-counts. */
export const NC_WINDOW = 32;

/**
 * Result of {@link NonceCountTracker.use}: `ok` (first use of this count),
 * `replay` (count seen before, or older than the window, or a single-use
 * nonce reused), `evicted` (untracked nonce older than the eviction floor).
 */
export type NonceCountCheck = 'ok' | 'replay' | 'evicted';

interface Entry {
  /** highest nc seen; -1 for a single-use (no qop) nonce */
  max: number;
  /** bit d set: nc `max - d` seen */
  bits: number;
  issuedAt: number;
  expiresAt: number;
}

/** Options of {@link NonceCountTracker}. */
export interface NonceCountTrackerOptions {
  /** hard cap on tracked nonces, default {@link DEFAULT_MAX_TRACKED_NONCES} */
  maxEntries?: number;
}

/** Tracks nonce-counts per nonce; see the module comment for the policy. */
export class NonceCountTracker {
  private readonly maxEntries: number;
  private readonly entries = new Map<string, Entry>();
  /** newest issue time among evicted live entries */
  private floor = -Infinity;
  private lastSweep = -Infinity;

  /** @throws RangeError for a cap below 1 */
  constructor(opts: NonceCountTrackerOptions = {}) {
    const max = opts.maxEntries ?? DEFAULT_MAX_TRACKED_NONCES;
    if (!(max >= 1) || !Number.isInteger(max)) throw new RangeError('maxEntries must be a positive integer');
    this.maxEntries = max;
  }

  /** Number of nonces currently tracked. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Records one use of `nonce` with nonce-count `nc` (`null`: no qop, the
   * nonce is single-use) and says whether it is new. Call it only after the
   * digest response has verified, with a nonce that is valid at `now`.
   *
   * @param issuedAt the nonce's issue time (from the nonce itself)
   * @param expiresAt when the nonce stops being valid
   */
  use(nonce: string, nc: number | null, issuedAt: number, expiresAt: number, now: number): NonceCountCheck {
    const e = this.entries.get(nonce);
    if (e === undefined) {
      if (issuedAt <= this.floor) return 'evicted';
      this.makeRoom(now);
      // A key of its own: the nonce was cut from the request's text, and as a slice it would keep the
      // whole message alive for the nonce's lifetime (see own-string.ts).
      this.entries.set(Buffer.from(nonce, 'latin1').toString('latin1'), {
        max: nc ?? -1,
        bits: 1,
        issuedAt,
        expiresAt,
      });
      return 'ok';
    }
    // LRU: move to the back.
    this.entries.delete(nonce);
    this.entries.set(nonce, e);
    if (nc === null || e.max < 0) return 'replay';
    if (nc > e.max) {
      const shift = nc - e.max;
      e.bits = shift >= NC_WINDOW ? 1 : ((e.bits << shift) | 1) >>> 0;
      e.max = nc;
      return 'ok';
    }
    const d = e.max - nc;
    if (d >= NC_WINDOW) return 'replay';
    const bit = (1 << d) >>> 0;
    if ((e.bits & bit) !== 0) return 'replay';
    e.bits = (e.bits | bit) >>> 0;
    return 'ok';
  }

  /** Drops every entry whose nonce has expired at `now`. O(size). */
  sweep(now: number): void {
    this.lastSweep = now;
    for (const [k, e] of this.entries) if (e.expiresAt < now) this.entries.delete(k);
  }

  private makeRoom(now: number): void {
    // Cheap and frequent: the least recently used entries are the likeliest expired.
    for (let n = 0; n < 2; n++) {
      const head = this.entries.entries().next();
      if (head.done === true || head.value[1].expiresAt >= now) break;
      this.entries.delete(head.value[0]);
    }
    if (this.entries.size < this.maxEntries) return;
    // Full sweep at most once a second of clock time, so a full table does not cost O(size) per request.
    if (now - this.lastSweep >= 1000) this.sweep(now);
    while (this.entries.size >= this.maxEntries) {
      const head = this.entries.entries().next();
      if (head.done === true) break;
      const [key, e] = head.value;
      this.entries.delete(key);
      if (e.expiresAt >= now && e.issuedAt > this.floor) this.floor = e.issuedAt;
    }
  }
}
