/**
 * Stateless server nonces that cannot be forged (RFC 7616 section 3.3 and
 * section 5.4-5.5 on nonce design; RFC 3261 section 22.4).
 *
 * ```
 * nonce = base64url( timestamp(8, ms, big-endian) | random(16)
 *                    | HMAC-SHA256(secret, timestamp | random | realm) )
 * ```
 * 56 bytes, 75 base64url characters, no padding. The server keeps no state
 * to check a nonce: it recomputes the HMAC (compared in constant time) and
 * reads the issue time. Binding the realm means a nonce from another realm
 * sharing the secret is refused. The secret must be kept across restarts
 * (and shared by all servers of a pool), or outstanding nonces turn invalid.
 *
 * Replay of a nonce within its lifetime is stopped by nonce-count tracking
 * (see nonce-count-tracker.ts), not here.
 *
 * @module
 */

import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';

/** The only thing auth needs of a clock: milliseconds, e.g. `Date.now()` or a FakeClock. */
export interface NowClock {
  now(): number;
}

/** Default nonce lifetime: 300 s. */
export const DEFAULT_NONCE_TTL_MS = 300_000;

const TS_BYTES = 8;
const RANDOM_BYTES = 16;
const MAC_BYTES = 32;
const SIGNED_BYTES = TS_BYTES + RANDOM_BYTES;
const NONCE_BYTES = SIGNED_BYTES + MAC_BYTES;
/** Length of a nonce in base64url characters. */
export const NONCE_LENGTH = Math.ceil((NONCE_BYTES * 4) / 3);
const TWO_32 = 0x1_0000_0000;

/**
 * Outcome of {@link NonceIssuer.check}:
 * - `valid`: issued by us (for this realm) and within its lifetime;
 * - `stale`: issued by us but expired (RFC 7616 section 3.3 `stale`), or
 *   dated more than one lifetime in the future (the clock was stepped back);
 * - `invalid`: not ours (forged, tampered, another secret or realm, garbage).
 */
export type NonceCheck =
  { status: 'valid'; issuedAt: number } | { status: 'stale'; issuedAt: number } | { status: 'invalid' };

/** Options of {@link NonceIssuer}. */
export interface NonceIssuerOptions {
  /** HMAC key, at least 16 bytes of randomness */
  secret: Buffer;
  realm: string;
  clock: NowClock;
  /** lifetime in ms, default {@link DEFAULT_NONCE_TTL_MS} */
  ttlMs?: number;
}

/**
 * Mints and checks HMAC-authenticated nonces (RFC 7616 section 3.3: "the
 * nonce is opaque to the client"; section 5.5: a time-stamped nonce limits
 * replay to its lifetime).
 */
export class NonceIssuer {
  readonly ttlMs: number;
  private readonly secret: Buffer;
  private readonly realm: Buffer;
  private readonly clock: NowClock;

  /** @throws RangeError for a secret under 16 bytes or a non-positive lifetime */
  constructor(opts: NonceIssuerOptions) {
    if (opts.secret.length < 16) throw new RangeError('nonce secret must be at least 16 bytes');
    const ttl = opts.ttlMs ?? DEFAULT_NONCE_TTL_MS;
    if (!(ttl > 0) || !Number.isFinite(ttl)) throw new RangeError('nonce lifetime must be a positive number of ms');
    this.ttlMs = ttl;
    this.secret = Buffer.from(opts.secret);
    this.realm = Buffer.from(opts.realm, 'utf8');
    this.clock = opts.clock;
  }

  /** A new nonce stamped with the clock's current time. */
  issue(): string {
    const buf = Buffer.allocUnsafe(NONCE_BYTES);
    const t = Math.max(0, Math.floor(this.clock.now()));
    buf.writeUInt32BE(Math.floor(t / TWO_32) >>> 0, 0);
    buf.writeUInt32BE(t >>> 0, 4);
    takeRandom(buf, TS_BYTES, RANDOM_BYTES);
    this.mac(buf).copy(buf, SIGNED_BYTES);
    return buf.toString('base64url');
  }

  /**
   * Checks a nonce presented by a client, statelessly. Constant-time in the
   * MAC comparison; anything not exactly a canonical 75-character base64url
   * string is `invalid` without further work.
   *
   * @param now the current time, so the caller can use one reading of the
   *   clock for the whole verification (default: the clock's now)
   */
  check(nonce: string, now: number = this.clock.now()): NonceCheck {
    if (nonce.length !== NONCE_LENGTH) return { status: 'invalid' };
    const buf = Buffer.from(nonce, 'base64url');
    // Node skips characters outside the alphabet: insist on the canonical form.
    if (buf.length !== NONCE_BYTES || buf.toString('base64url') !== nonce) return { status: 'invalid' };
    const mac = this.mac(buf);
    if (!timingSafeEqual(mac, buf.subarray(SIGNED_BYTES))) return { status: 'invalid' };
    const issuedAt = buf.readUInt32BE(0) * TWO_32 + buf.readUInt32BE(4);
    const age = now - issuedAt;
    if (age > this.ttlMs || age < -this.ttlMs) return { status: 'stale', issuedAt };
    return { status: 'valid', issuedAt };
  }

  private mac(buf: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(buf.subarray(0, SIGNED_BYTES)).update(this.realm).digest();
  }
}

/**
 * Cryptographically random bytes from a pool refilled 4 KiB at a time: one
 * OpenSSL call per 256 nonces instead of one each (randomBytes was 3% of a
 * SUBSCRIBE's CPU).
 */
const POOL = Buffer.allocUnsafeSlow(4096);
let poolAt = POOL.length;
function takeRandom(into: Buffer, at: number, n: number): void {
  if (poolAt + n > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  POOL.copy(into, at, poolAt, poolAt + n);
  poolAt += n;
}
