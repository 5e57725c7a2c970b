/**
 * Sessions of the web inbox (issue 10 section 2): a random 256-bit id in an
 * HttpOnly cookie, kept server-side in memory with an idle expiry, and a CSRF
 * token per session that every state-changing request must echo in a header
 * (the synchronizer token pattern, OWASP CSRF Prevention Cheat Sheet). Written
 * by hand: no session plugin is installed, and the whole job is a map and
 * two random strings.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A session ends after this long without a request from its page (30 minutes; the event stream does not count). */
export const DEFAULT_IDLE_MS = 30 * 60_000;
/** Sessions kept at most; the oldest goes first when a login would exceed it. */
const MAX_SESSIONS = 10_000;

/** One signed-in person. */
export interface WebSession {
  /** The SIP user name, which is the mailbox. */
  readonly user: string;
  /** The CSRF token the page must send back in `X-Openum-CSRF`. */
  readonly csrf: string;
}

interface Entry extends WebSession {
  lastSeen: number;
  readonly ended: Set<() => void>;
}

/** The id the map is keyed by: a hash, so no lookup ever compares secret ids directly. */
function key(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** 256 random bits, base64url (43 characters). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison of a presented token with the expected one (lengths are not secret). */
export function sameToken(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(presented, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The server-side session table (one per HTTP app). */
export class WebSessions {
  private readonly byKey = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    readonly idleMs = DEFAULT_IDLE_MS,
  ) {}

  /** Number of live sessions (expired ones are dropped lazily). */
  get size(): number {
    return this.byKey.size;
  }

  /** Start a session for `user`; returns its id (the cookie's value) and the session. */
  create(user: string): { id: string; session: WebSession } {
    this.sweep();
    while (this.byKey.size >= MAX_SESSIONS) {
      const oldest = this.byKey.keys().next().value;
      if (oldest === undefined) break;
      this.endKey(oldest);
    }
    const id = randomToken();
    const entry: Entry = { user, csrf: randomToken(), lastSeen: this.now(), ended: new Set() };
    this.byKey.set(key(id), entry);
    return { id, session: entry };
  }

  /** The live session of a cookie value, its idle time restarted; undefined when unknown or expired. */
  get(id: string | undefined): WebSession | undefined {
    if (!id) return undefined;
    const k = key(id);
    const e = this.byKey.get(k);
    if (!e) return undefined;
    if (this.now() - e.lastSeen >= this.idleMs) {
      this.endKey(k);
      return undefined;
    }
    e.lastSeen = this.now();
    return e;
  }

  /** Is the session still live? Unlike `get`, this does not restart its idle time (the event stream's check). */
  alive(id: string): boolean {
    const e = this.byKey.get(key(id));
    return !!e && this.now() - e.lastSeen < this.idleMs;
  }

  /** End a session (logout); its `onEnd` listeners run. False when there was none. */
  end(id: string | undefined): boolean {
    if (!id) return false;
    const k = key(id);
    if (!this.byKey.has(k)) return false;
    this.endKey(k);
    return true;
  }

  /** Run `listener` once when the session ends (logout, expiry, eviction); returns a remover. */
  onEnd(id: string, listener: () => void): () => void {
    const e = this.byKey.get(key(id));
    if (!e) {
      listener();
      return () => undefined;
    }
    e.ended.add(listener);
    return () => e.ended.delete(listener);
  }

  /** Drop every expired session. */
  sweep(): void {
    const now = this.now();
    for (const [k, e] of this.byKey) if (now - e.lastSeen >= this.idleMs) this.endKey(k);
  }

  private endKey(k: string): void {
    const e = this.byKey.get(k);
    if (!e) return;
    this.byKey.delete(k);
    for (const l of e.ended) l();
    e.ended.clear();
  }
}
