import type { DigestAlgorithm } from '../../sip/auth/index.js';
import type { UserRecord } from '../ports.js';

/** Separates the packed fields. A user with a NUL or U+0001 in a field is simply not cached. */
const SEP = '\u0000';
/** Marks a null field. */
const NULL = '\u0001';

const UNPACKABLE = /[\u0000\u0001]/;

function packUser(u: UserRecord): string | undefined {
  const opt = (v: string | null): string => v ?? NULL;
  const texts = [u.name, u.extension, u.displayName, u.realm, u.ha1.MD5, u.ha1['SHA-256'], u.pinHash];
  if (texts.some((f) => f !== null && UNPACKABLE.test(f))) return undefined;
  return [u.name, opt(u.extension), opt(u.displayName), (u.mwiEnabled ? 1 : 0) + (u.unsolicitedMwi ? 2 : 0), u.realm,
    u.ha1.MD5, u.ha1['SHA-256'], opt(u.pinHash), u.createdAt].join(SEP);
}

function unpackUser(p: string): UserRecord {
  const f = p.split(SEP);
  const opt = (v: string | undefined): string | null => (v === NULL || v === undefined ? null : v);
  const flags = Number(f[3]);
  const ha1: Record<DigestAlgorithm, string> = { MD5: f[5] ?? '', 'SHA-256': f[6] ?? '' };
  return {
    name: f[0] ?? '', extension: opt(f[1]), displayName: opt(f[2]), mwiEnabled: (flags & 1) !== 0, unsolicitedMwi: (flags & 2) !== 0,
    realm: f[4] ?? '', ha1, pinHash: opt(f[7]), createdAt: Number(f[8]),
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
