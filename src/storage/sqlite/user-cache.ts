import type { DigestAlgorithm } from '../../sip/auth/index.js';
import type { UserRecord } from '../ports.js';

/** Separates the packed fields. A user with a NUL or U+0001 in a field is simply not cached. */
const SEP = '\u0000';
/** Marks a null field. */
const NULL = '\u0001';
const MD5_HEX = /^[0-9a-f]{32}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Flag bit: the two HA1s are the last 48 chars, as bytes (latin1), half the size of their hex. */
const BINARY_HA1 = 4;
const HA1_BYTES = 16 + 32;
/** Flag bit: the menu skips the PIN on the user's own phone (`ownPhonePin` false). */
const NO_OWN_PHONE_PIN = 8;
/** Flag bit: the NT hash is the last 16 chars, as bytes (latin1), after the HA1s' bytes if any. */
const BINARY_NT = 16;
const NT_BYTES = 16;

function packUser(u: UserRecord): string | undefined {
  const texts = [
    u.name,
    u.extension,
    u.displayName,
    u.realm,
    u.ha1.MD5,
    u.ha1['SHA-256'],
    u.pinHash,
    u.email,
    u.ntHash,
  ];
  if (texts.some((f) => f !== null && (f.includes(SEP) || f.includes(NULL)))) return undefined;
  const opt = (v: string | null): string => v ?? NULL;
  const binary = MD5_HEX.test(u.ha1.MD5) && SHA256_HEX.test(u.ha1['SHA-256']);
  const binaryNt = u.ntHash !== null && MD5_HEX.test(u.ntHash);
  const flags =
    (u.mwiEnabled ? 1 : 0) +
    (u.unsolicitedMwi ? 2 : 0) +
    (binary ? BINARY_HA1 : 0) +
    (u.ownPhonePin ? 0 : NO_OWN_PHONE_PIN) +
    (binaryNt ? BINARY_NT : 0);
  const head = [
    u.name,
    opt(u.extension),
    opt(u.displayName),
    flags,
    u.realm,
    binary ? '' : u.ha1.MD5,
    binary ? '' : u.ha1['SHA-256'],
    opt(u.pinHash),
    u.createdAt,
    opt(u.email),
    binaryNt ? '' : opt(u.ntHash),
  ].join(SEP);
  // The bytes go last and are cut off by length, so they may hold any value, the separators too.
  const tail = (binary ? u.ha1.MD5 + u.ha1['SHA-256'] : '') + (binaryNt ? u.ntHash : '');
  return tail === '' ? head : head + SEP + Buffer.from(tail, 'hex').toString('latin1');
}

function unpackUser(p: string): UserRecord {
  const flags = Number(p.split(SEP, 4)[3]);
  const tailLength = ((flags & BINARY_HA1) !== 0 ? HA1_BYTES : 0) + ((flags & BINARY_NT) !== 0 ? NT_BYTES : 0);
  const f = (tailLength === 0 ? p : p.slice(0, p.length - tailLength - 1)).split(SEP);
  const bytes = Buffer.from(p.slice(p.length - tailLength), 'latin1');
  let md5 = f[5] ?? '';
  let sha = f[6] ?? '';
  if ((flags & BINARY_HA1) !== 0) {
    md5 = bytes.subarray(0, 16).toString('hex');
    sha = bytes.subarray(16, HA1_BYTES).toString('hex');
  }
  const opt = (v: string | undefined): string | null => (v === NULL || v === undefined ? null : v);
  const ntHash = (flags & BINARY_NT) !== 0 ? bytes.subarray(tailLength - NT_BYTES).toString('hex') : opt(f[10]);
  const ha1: Record<DigestAlgorithm, string> = { MD5: md5, 'SHA-256': sha };
  return {
    name: f[0] ?? '',
    extension: opt(f[1]),
    displayName: opt(f[2]),
    mwiEnabled: (flags & 1) !== 0,
    unsolicitedMwi: (flags & 2) !== 0,
    realm: f[4] ?? '',
    ha1,
    ntHash,
    pinHash: opt(f[7]),
    email: opt(f[9]),
    ownPhonePin: (flags & NO_OWN_PHONE_PIN) === 0,
    createdAt: Number(f[8]),
  };
}

/**
 * The users read cache: each user as ONE flat string (unpacked into a fresh
 * UserRecord on every hit, well under a microsecond), and null for a name
 * known not to exist. A UserRecord object with its HA1 object and nine
 * strings cost about 450 bytes per user at 20,000 subscribers, more than
 * the subscription itself (bench/mwi/README.md). Bounded: the least
 * recently added go first.
 */
export class UserCache {
  private readonly map = new Map<string, string | null>();

  constructor(private readonly max: number) {}

  /** The cached user (a fresh object), null when known absent, undefined when not cached. */
  get(key: string): UserRecord | null | undefined {
    const p = this.map.get(key);
    return p === undefined ? undefined : p === null ? null : unpackUser(p);
  }

  set(key: string, u: UserRecord | null): void {
    if (this.map.size >= this.max) {
      let n = this.map.size - this.max + 64;
      for (const k of this.map.keys()) {
        this.map.delete(k);
        if (--n <= 0) break;
      }
    }
    const p = u === null ? null : packUser(u);
    if (p !== undefined) this.map.set(key, p);
  }

  clear(): void {
    this.map.clear();
  }
}
