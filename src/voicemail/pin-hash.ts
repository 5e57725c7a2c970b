import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Voicemail PINs are kept as scrypt hashes (RFC 7914), never in clear:
 * `scrypt$N$r$p$SALT$HASH` with SALT and HASH in base64url. Both helpers
 * are asynchronous (libuv's thread pool): a hash costs tens of
 * milliseconds, which must not stall the event loop that plays audio.
 */

const COST = { N: 16_384, r: 8, p: 1 };
const KEY_BYTES = 32;
/** scrypt needs 128 * N * r bytes: refuse parameters of a stored hash that would need more. */
const MAX_MEM = 64 * 1024 * 1024;

function derive(pin: string, salt: Buffer, bytes: number, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, bytes, { ...cost, maxmem: MAX_MEM + 1024 * 1024 }, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

/** Hash a PIN with a fresh 16-byte salt. */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, KEY_BYTES, COST);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** The same hash, computed synchronously: for a CLI command (`openum user add --pin`), never on the server's loop. */
export function hashPinSync(pin: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(pin, salt, KEY_BYTES, { ...COST, maxmem: MAX_MEM + 1024 * 1024 });
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface Parsed {
  cost: { N: number; r: number; p: number };
  salt: Buffer;
  key: Buffer;
}

/** Read a stored hash: this module's form, or the older `scrypt$SALT$HASH` (hex, default cost) `user add` wrote. */
function parse(hash: string): Parsed | undefined {
  const f = hash.split('$');
  if (f[0] !== 'scrypt') return undefined;
  if (f.length === 3) {
    const hex = /^(?:[0-9a-f]{2})+$/;
    if (!hex.test(f[1] as string) || !hex.test(f[2] as string)) return undefined;
    return { cost: COST, salt: Buffer.from(f[1] as string, 'hex'), key: Buffer.from(f[2] as string, 'hex') };
  }
  if (f.length !== 6) return undefined;
  const [N, r, p] = f.slice(1, 4).map((x) => (/^\d{1,9}$/.test(x) ? Number(x) : NaN)) as [number, number, number];
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || !(r >= 1 && r <= 32) || !(p >= 1 && p <= 16) || 128 * N * r > MAX_MEM) return undefined;
  const b64 = /^[A-Za-z0-9_-]+$/;
  if (!b64.test(f[4] as string) || !b64.test(f[5] as string)) return undefined;
  return {
    cost: { N, r, p },
    salt: Buffer.from(f[4] as string, 'base64url'),
    key: Buffer.from(f[5] as string, 'base64url'),
  };
}

/** Whether `pin` matches a stored hash (constant-time compare); false for a hash it cannot read. */
export async function verifyPin(pin: string, hash: string): Promise<boolean> {
  const h = parse(hash);
  if (!h || h.salt.length < 8 || h.key.length < 16 || h.key.length > 64) return false;
  const key = await derive(pin, h.salt, h.key.length, h.cost);
  return timingSafeEqual(key, h.key);
}
