/**
 * The server (UAS / registrar / proxy) side of SIP digest authentication:
 * RFC 3261 section 22 with the RFC 8760 algorithms (SHA-256 and MD5) and the
 * RFC 7616 semantics of qop, nonce-count and stale.
 *
 * @module
 */

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { DigestParseError, formatChallenge, parseCredentials, type DigestCredentials } from './auth-header.js';
import { computeDigestResponse } from './digest-response.js';
import { DIGEST_ALGORITHMS, digestHexLength, isHex, parseDigestAlgorithm, type DigestAlgorithm } from './ha1.js';
import { NonceCountTracker } from './nonce-count-tracker.js';
import { DEFAULT_NONCE_TTL_MS, NonceIssuer, type NowClock } from './nonce.js';

/** Options of {@link DigestServer}. */
export interface DigestServerOptions {
  /** the protection realm (RFC 3261 section 22.1), e.g. the SIP domain */
  realm: string;
  /** nonce HMAC key, >= 16 random bytes; persist it (and share it in a pool) */
  secret: Buffer;
  /** default: `Date.now` */
  clock?: NowClock;
  /** nonce lifetime, default 300 000 ms */
  nonceTtlMs?: number;
  /** algorithms offered, in order; default `['SHA-256', 'MD5']` (RFC 8760 section 2.4) */
  algorithms?: DigestAlgorithm[];
  /** cap on nonces whose nonce-counts are tracked (see nonce-count-tracker.ts), default 20 000 */
  maxTrackedNonces?: number;
  /**
   * Accept credentials without `qop` (RFC 2069 form)? Default false: openum
   * always offers `qop="auth"`, and without qop there is no cnonce/nc, so
   * the only replay defence is to make the nonce single-use (what is done
   * when this is true: a second use answers `replay` with stale=true).
   */
  allowRfc2069?: boolean;
}

/** Why {@link DigestServer.verify} refused. */
export type DigestFailureReason =
  /** no credentials (or none of the Digest scheme): challenge */
  | 'missing'
  /** unparseable credentials, or a `response` of the wrong shape: 400 or challenge */
  | 'malformed'
  /** credentials for another realm: challenge */
  | 'realm'
  /** right password, expired nonce: challenge with stale=true */
  | 'stale'
  /** right password, nonce-count already used: challenge with stale=true */
  | 'replay'
  /** a nonce this server never issued (forged, tampered, other secret): challenge */
  | 'bad-nonce'
  /** unknown user or wrong password: indistinguishable on purpose; challenge (or 403) */
  | 'failed'
  /** algorithm not offered (including `*-sess`): challenge */
  | 'algorithm'
  /** qop other than `auth`, or none while RFC 2069 is not allowed: challenge */
  | 'qop';

/**
 * Result of {@link DigestServer.verify}.
 *
 * `stale: true` (RFC 7616 section 3.3, RFC 2617 section 3.2.1) means the
 * client proved it knows the password but its nonce can no longer be used
 * (expired, nonce-count replayed, or evicted): the caller should challenge
 * with `challenge({ stale: true })`, and the client then retries with the new
 * nonce WITHOUT asking its user for credentials again. It is never set for a
 * wrong password or an unknown user.
 */
export type DigestResult =
  | { ok: true; username: string; algorithm: DigestAlgorithm }
  | { ok: false; reason: DigestFailureReason; stale: boolean };

/** What {@link DigestServer.verify} needs of a request. */
export interface DigestVerifyRequest {
  /** the request method (RFC 3261 section 22.4: HA2 uses it) */
  method: string;
  /**
   * The `Authorization` (UAS/registrar) or `Proxy-Authorization` (proxy)
   * value(s). Given several (RFC 3261 section 22.3), the first for this
   * realm is verified.
   */
  authorization: string | readonly string[] | undefined;
  /**
   * The stored HA1 (hex, see computeHa1) of a user for an algorithm, or
   * undefined when unknown. Called for every otherwise well-formed request,
   * so an unknown user costs the same work as a known one.
   */
  lookupHa1: (username: string, algorithm: DigestAlgorithm) => string | undefined;
}

function fail(reason: DigestFailureReason, stale = false): DigestResult {
  return { ok: false, reason, stale };
}

/**
 * Issues digest challenges and verifies credentials (RFC 3261 section 22.4,
 * RFC 8760 section 2, RFC 7616 section 3). Nonces are stateless and
 * HMAC-authenticated (nonce.ts); nonce-counts are tracked per nonce in a
 * bounded sliding window (nonce-count-tracker.ts).
 *
 * The `uri` parameter is hashed as given; comparing it with the Request-URI
 * (RFC 3261 section 22.4 asks for it) is left to the caller.
 */
export class DigestServer {
  readonly realm: string;
  readonly algorithms: readonly DigestAlgorithm[];
  private readonly clock: NowClock;
  private readonly nonces: NonceIssuer;
  private readonly counts: NonceCountTracker;
  private readonly allowRfc2069: boolean;
  /** a random HA1 per algorithm, hashed against for unknown users */
  private readonly dummyHa1: Record<DigestAlgorithm, string>;

  /** @throws RangeError for an empty/unwritable realm, a short secret, or a bad algorithm list */
  constructor(opts: DigestServerOptions) {
    const algorithms = opts.algorithms ?? [...DIGEST_ALGORITHMS];
    if (algorithms.length === 0) throw new RangeError('at least one digest algorithm must be offered');
    for (const a of algorithms) {
      if (!DIGEST_ALGORITHMS.includes(a)) throw new RangeError(`unsupported digest algorithm ${String(a)}`);
    }
    if (new Set(algorithms).size !== algorithms.length) throw new RangeError('duplicate digest algorithm');
    if (opts.realm.length === 0 || /[\r\n]/.test(opts.realm)) throw new RangeError('bad realm');
    this.realm = opts.realm;
    this.algorithms = [...algorithms];
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.nonces = new NonceIssuer({
      secret: opts.secret,
      realm: opts.realm,
      clock: this.clock,
      ttlMs: opts.nonceTtlMs ?? DEFAULT_NONCE_TTL_MS,
    });
    this.counts = new NonceCountTracker(
      opts.maxTrackedNonces === undefined ? {} : { maxEntries: opts.maxTrackedNonces },
    );
    this.allowRfc2069 = opts.allowRfc2069 ?? false;
    this.dummyHa1 = {
      MD5: randomBytes(16).toString('hex'),
      'SHA-256': randomBytes(32).toString('hex'),
    };
  }

  /**
   * The `WWW-Authenticate` (or `Proxy-Authenticate`) values for a 401/407:
   * one per offered algorithm, in the configured order — SHA-256 before MD5
   * by default, as RFC 8760 section 2.4 requires — all with one fresh nonce
   * and `qop="auth"` (RFC 3261 section 22.4, RFC 7616 section 3.3).
   *
   * @param opts.stale set after a `stale: true` result, so the client
   *   retries with the new nonce without re-prompting (RFC 7616 section 3.3)
   */
  challenge(opts: { stale?: boolean } = {}): string[] {
    const nonce = this.nonces.issue();
    return this.algorithms.map((algorithm) =>
      formatChallenge({
        realm: this.realm,
        nonce,
        ...(opts.stale === true ? { stale: true } : {}),
        algorithm,
        qop: ['auth'],
        extensions: new Map(),
      }),
    );
  }

  /**
   * Verifies the credentials of a request (RFC 3261 section 22.4, RFC 7616
   * section 3.4): realm, offered algorithm, qop, nonce authenticity and age,
   * the response (constant-time), then the nonce-count (replay). An unknown
   * user and a wrong password run the same code and give the same result.
   * Never throws for any header content.
   */
  verify(req: DigestVerifyRequest): DigestResult {
    const values = req.authorization;
    if (values === undefined) return fail('missing');
    if (typeof values === 'string') {
      const c = this.parse(values);
      if (c === 'missing' || c === 'malformed') return fail(c);
      if (c.realm !== this.realm) return fail('realm');
      return this.verifyCredentials(req, c);
    }
    let firstFailure: DigestFailureReason = 'missing';
    for (const v of values) {
      const c = this.parse(v);
      if (typeof c !== 'string' && c.realm === this.realm) return this.verifyCredentials(req, c);
      const reason = typeof c === 'string' ? c : 'realm';
      if (reason !== 'missing' && firstFailure === 'missing') firstFailure = reason;
    }
    return fail(firstFailure);
  }

  private parse(value: string): DigestCredentials | 'missing' | 'malformed' {
    try {
      return parseCredentials(value);
    } catch (e: unknown) {
      if (e instanceof DigestParseError) {
        return e.code === 'scheme' || e.code === 'empty' ? 'missing' : 'malformed';
      }
      throw e;
    }
  }

  private verifyCredentials(req: DigestVerifyRequest, c: DigestCredentials): DigestResult {
    const algorithm = c.algorithm === undefined ? 'MD5' : parseDigestAlgorithm(c.algorithm);
    if (algorithm === undefined || !this.algorithms.includes(algorithm)) return fail('algorithm');
    let nc: number | null = null;
    if (c.qop !== undefined) {
      if (c.qop.length !== 4 || c.qop.toLowerCase() !== 'auth') return fail('qop');
      // parseCredentials guarantees nc (8 hex digits) and cnonce with qop.
      nc = Number.parseInt(c.nc ?? '', 16);
    } else if (!this.allowRfc2069) {
      return fail('qop');
    }
    const hexLength = digestHexLength(algorithm);
    if (!isHex(c.response, hexLength)) return fail('malformed');

    const now = this.clock.now();
    const nonce = this.nonces.check(c.nonce, now);
    if (nonce.status === 'invalid') return fail('bad-nonce');

    // From here on, an unknown user and a wrong password take the same path.
    const stored = req.lookupHa1(c.username, algorithm);
    const known = stored !== undefined && isHex(stored, hexLength);
    const expected = computeDigestResponse({
      algorithm,
      ha1: known ? stored.toLowerCase() : this.dummyHa1[algorithm],
      nonce: c.nonce,
      method: req.method,
      uri: c.uri,
      ...(c.qop === undefined ? {} : { qop: c.qop, nc: c.nc ?? '', cnonce: c.cnonce ?? '' }),
    });
    const match = timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(c.response.toLowerCase(), 'latin1'));
    if (!match || !known) return fail('failed');

    if (nonce.status === 'stale') return fail('stale', true);
    const use = this.counts.use(c.nonce, nc, nonce.issuedAt, nonce.issuedAt + this.nonces.ttlMs, now);
    if (use === 'replay') return fail('replay', true);
    if (use === 'evicted') return fail('stale', true);
    return { ok: true, username: c.username, algorithm };
  }
}
