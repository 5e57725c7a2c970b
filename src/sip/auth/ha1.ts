/**
 * The digest hash functions and HA1, the value a server STORES instead of a
 * password (RFC 7616 section 3.4.2, RFC 8760 section 2).
 *
 * `HA1 = H(username ":" realm ":" password)`, hex, where H is MD5 or SHA-256
 * over the UTF-8 bytes. A leaked HA1 lets one authenticate to that realm but
 * does not reveal the password; store one HA1 per offered algorithm.
 *
 * The `-sess` variants (`MD5-sess`, `SHA-256-sess`, RFC 7616 section 3.4.2)
 * are NOT supported: they derive a per-nonce HA1 and buy nothing for SIP,
 * which RFC 3261 and RFC 8760 do not require; no common SIP UA needs them.
 * A challenge never offers them and credentials naming them are rejected.
 *
 * @module
 */

import { createHash } from 'node:crypto';

/** The digest algorithms openum implements (RFC 8760 section 2.2 and 2.3). */
export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** All implemented algorithms, in the order RFC 8760 section 2.4 offers them: SHA-256 first. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

/** Thrown by {@link computeHa1} for an algorithm it does not implement. */
export class UnsupportedDigestAlgorithmError extends Error {
  override readonly name = 'UnsupportedDigestAlgorithmError';
  readonly algorithm: string;

  constructor(algorithm: string) {
    const sess = algorithm.toLowerCase().endsWith('-sess');
    super(
      sess
        ? `digest algorithm ${algorithm} is not supported: -sess variants are not implemented (use MD5 or SHA-256)`
        : `digest algorithm ${algorithm} is not supported (use MD5 or SHA-256)`,
    );
    this.algorithm = algorithm;
  }
}

/**
 * Maps an `algorithm` token (case-insensitive, RFC 7616 section 3.3) to the
 * implemented algorithm, or `undefined` for anything else, `-sess` included.
 */
export function parseDigestAlgorithm(token: string): DigestAlgorithm | undefined {
  if (token.length === 3 && token.toUpperCase() === 'MD5') return 'MD5';
  if (token.length === 7 && token.toUpperCase() === 'SHA-256') return 'SHA-256';
  return undefined;
}

/** Number of hex digits of an `H(...)` value: 32 for MD5, 64 for SHA-256. */
export function digestHexLength(algorithm: DigestAlgorithm): number {
  return algorithm === 'MD5' ? 32 : 64;
}

/** `H(data)`: lower-case hex of MD5 or SHA-256 over the UTF-8 bytes of `data` (RFC 7616 section 3.4.1). */
export function digestHash(algorithm: DigestAlgorithm, data: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256')
    .update(data, 'utf8')
    .digest('hex');
}

/** True when `s` is exactly `length` hexadecimal digits (either case). */
export function isHex(s: string, length: number): boolean {
  if (s.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i) | 0x20;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/**
 * Computes the HA1 to store for a user (RFC 7616 section 3.4.2, RFC 3261
 * section 22.4): `H(username ":" realm ":" password)` as lower-case hex.
 *
 * @throws UnsupportedDigestAlgorithmError for anything but `MD5` and
 *   `SHA-256` (notably `*-sess`), should an untyped caller pass one.
 */
export function computeHa1(username: string, realm: string, password: string, algorithm: DigestAlgorithm): string {
  if (algorithm !== 'MD5' && algorithm !== 'SHA-256') {
    throw new UnsupportedDigestAlgorithmError(String(algorithm));
  }
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}
