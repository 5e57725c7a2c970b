/**
 * Random tokens for tags and branches (RFC 3261 sections 19.3, 8.1.1.7).
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

/**
 * A cryptographically random token of `bytes` random bytes (default 12 =
 * 96 bits, above the 32 bits RFC 3261 19.3 asks of a tag), base64url so
 * every char is a token char. A branch is `'z9hG4bK' + randomToken()`.
 */
export function randomToken(bytes = 12): string {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 256) throw new RangeError('randomToken: bytes must be 1..256');
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const s = pool.toString('base64url', offset, offset + bytes);
  offset += bytes;
  return s;
}
