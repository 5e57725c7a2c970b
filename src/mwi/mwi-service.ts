import { randomBytes } from 'node:crypto';
import {
  VOICEMAIL_SOURCE,
  type LampStamp,
  type MwiCounts,
  type MwiSourceRecord,
  type MwiStore,
} from '../storage/ports.js';
import { sameCounts, sumCounts } from './mwi-counts.js';

/** The aggregate of a mailbox's sources (what the lamp shows). */
function total(sources: ReadonlyMap<string, MwiSourceRecord>): MwiCounts {
  return sumCounts(Array.from(sources.values(), (s) => s.counts));
}

/** Mailboxes kept in memory at most. */
const CACHE_MAX = 100_000;

/** The lamp of one mailbox: the aggregate of all sources, and a version that rises on every change. */
export interface MailboxMwi {
  mailbox: string;
  counts: MwiCounts;
  messagesWaiting: boolean;
  version: number;
  /** When the lamp last changed (epoch ms; 0 = never): the Lync category's publishTime. */
  changedAt: number;
}

/** Listener of lamp changes (the fan-out). */
export type MwiListener = (state: MailboxMwi) => void;

/** An update from one source (it replaces that source's counts whole). */
export interface MwiUpdate {
  mailbox: string;
  source: string;
  /** null removes the source's counts. */
  counts: MwiCounts | null;
  account?: string | null;
  expiresAt?: number | null;
  etag?: string | null;
}

interface Cached {
  sources: Map<string, MwiSourceRecord>;
  counts: MwiCounts;
  version: number;
  changedAt: number;
  /** When this process last wrote the mailbox (0: never). */
  writtenAt: number;
}

/**
 * The MWI state service: counts per (mailbox, source), the aggregate the
 * lamp shows, a version per mailbox, kept in the {@link MwiStore} (write
 * first, then tell the listeners: nothing acknowledged is lost). Changes
 * written by another process on the same store (the CLI) are picked up by
 * {@link pollExternal}.
 */
/**
 * The cache entry of every mailbox that never had a lamp (no source, version
 * 0): one shared object, so that 100,000 subscribers to empty mailboxes cost
 * a map entry each rather than an object, a Map and a counts object each
 * (about 380 bytes at 20,000 subscriptions). Never changed in place:
 * {@link MwiService.update} replaces it with an entry of the mailbox's own.
 */
const NEVER_LIT: Readonly<Cached> = Object.freeze({
  sources: new Map<string, MwiSourceRecord>(),
  counts: Object.freeze(sumCounts([])),
  version: 0,
  changedAt: 0,
  writtenAt: 0,
});

export class MwiService {
  private readonly cache = new Map<string, Cached>();
  private readonly listeners: MwiListener[] = [];
  private readonly updateListeners: ((u: MwiUpdate) => void)[] = [];
  private lastChangeId: number;
  /** Tags our entries in the change feed, so that {@link pollExternal} skips them. */
  private readonly origin = randomBytes(8).toString('hex');
  /** Per mailbox, the last voicemail change queued: they run one after another. */
  private readonly voicemailQueue = new Map<string, Promise<unknown>>();
  /** Per mailbox, the version a voicemail change in flight writes: {@link update} goes past it. */
  private readonly reserved = new Map<string, number>();

  /**
   * @param announce write each change to the store's change feed, so other
   *   processes on the same store (a server, when this is the CLI) hear of it.
   *   The server needs not: nothing polls it (yet; a server pool will).
   */
  constructor(
    private readonly store: MwiStore,
    private readonly now: () => number = Date.now,
    private readonly announce = true,
  ) {
    this.lastChangeId = store.latestMwiChangeId();
  }

  onChange(l: MwiListener): void {
    this.listeners.push(l);
  }

  /** Every accepted update, changed lamp or not (for metrics). */
  onUpdate(l: (u: MwiUpdate) => void): void {
    this.updateListeners.push(l);
  }

  /** The current lamp of a mailbox. */
  get(mailbox: string): MailboxMwi {
    const c = this.load(mailbox);
    return { mailbox, counts: c.counts, messagesWaiting: c.counts.new > 0, version: c.version, changedAt: c.changedAt };
  }

  /** One source's record (e.g. to check a PUBLISH entity-tag). */
  source(mailbox: string, source: string): MwiSourceRecord | undefined {
    return this.load(mailbox).sources.get(source);
  }

  /** Apply an update; returns the lamp after it and whether the lamp changed. */
  update(u: MwiUpdate): { state: MailboxMwi; changed: boolean } {
    let c = this.load(u.mailbox);
    if (c === NEVER_LIT) c = { sources: new Map(), counts: NEVER_LIT.counts, version: 0, changedAt: 0, writtenAt: 0 };
    const prev = c.sources.get(u.source);
    const record: MwiSourceRecord | null =
      u.counts === null
        ? null
        : {
            mailbox: u.mailbox,
            source: u.source,
            counts: { ...u.counts },
            account: u.account ?? prev?.account ?? null,
            updatedAt: this.now(),
            expiresAt: u.expiresAt ?? null,
            etag: u.etag ?? null,
          };
    if (record === null && !prev) return { state: this.get(u.mailbox), changed: false };
    // The store queues the write (group commit) and never throws here, so the cache can change in place.
    if (record) c.sources.set(u.source, record);
    else c.sources.delete(u.source);
    const counts = total(c.sources);
    const changed = !sameCounts(counts, c.counts);
    const version = changed ? Math.max(c.version, this.reserved.get(u.mailbox) ?? 0) + 1 : c.version;
    const changedAt = changed ? this.now() : c.changedAt;
    this.store.applyMwiChange({
      mailbox: u.mailbox,
      source: u.source,
      record,
      version,
      changedAt,
      origin: this.origin,
      announce: this.announce,
    });
    c.counts = counts;
    c.version = version;
    c.changedAt = changedAt;
    c.writtenAt = this.now();
    // Most recently written last, so that the oldest entry is the one to evict.
    this.cache.delete(u.mailbox);
    this.cache.set(u.mailbox, c);
    const state = this.get(u.mailbox);
    for (const l of this.updateListeners) l(u);
    if (changed) for (const l of this.listeners) l(state);
    return { state, changed };
  }

  /**
   * Change our own voicemail's source of a mailbox in the same transaction
   * as its messages: `write` gets the {@link LampStamp} (next version, time,
   * origin) and hands it to the message store (e.g. `addMessage(m, stamp)`),
   * which recomputes the `voicemail` source from the messages and writes it,
   * the version and the change feed with the message; it resolves with the
   * source's new counts, or undefined when nothing changed (no version is
   * used then). The cache and the listeners follow once it is durable.
   *
   * Changes of one mailbox run one after another (two deposits cannot take
   * the same version). Every stored voicemail change moves the lamp (a
   * message added, deleted, read or made urgent changes the aggregate), so
   * its version always rises by one. Should another source's change
   * be published while the write is in flight (the store is asynchronous),
   * that one goes past the reserved version and this one then past it, with
   * the record written again through {@link MwiStore.applyMwiChange}: the
   * versions the listeners see only rise. Rejects as `write` does.
   */
  changeVoicemail(
    mailbox: string,
    write: (stamp: LampStamp) => Promise<MwiCounts | undefined>,
  ): Promise<MailboxMwi | undefined> {
    const run = (this.voicemailQueue.get(mailbox) ?? Promise.resolve()).then(() => this.voicemailTurn(mailbox, write));
    const tail = run.catch(() => undefined);
    this.voicemailQueue.set(mailbox, tail);
    void tail.then(() => {
      if (this.voicemailQueue.get(mailbox) === tail) this.voicemailQueue.delete(mailbox);
    });
    return run;
  }

  private async voicemailTurn(
    mailbox: string,
    write: (stamp: LampStamp) => Promise<MwiCounts | undefined>,
  ): Promise<MailboxMwi | undefined> {
    const stamp: LampStamp = {
      mailbox,
      version: this.load(mailbox).version + 1,
      changedAt: this.now(),
      origin: this.origin,
      announce: this.announce,
    };
    this.reserved.set(mailbox, stamp.version);
    let counts: MwiCounts | undefined;
    try {
      counts = await write(stamp);
    } finally {
      this.reserved.delete(mailbox);
    }
    if (counts === undefined) return undefined;
    // Loaded again: the entry may have been evicted or re-read while the write was in flight.
    let c = this.load(mailbox);
    if (c === NEVER_LIT) c = { sources: new Map(), counts: NEVER_LIT.counts, version: 0, changedAt: 0, writtenAt: 0 };
    const record: MwiSourceRecord | null =
      counts.new + counts.old === 0
        ? null
        : {
            mailbox,
            source: VOICEMAIL_SOURCE,
            counts: { ...counts },
            account: null,
            updatedAt: stamp.changedAt,
            expiresAt: null,
            etag: null,
          };
    if (record) c.sources.set(VOICEMAIL_SOURCE, record);
    else c.sources.delete(VOICEMAIL_SOURCE);
    let { version, changedAt } = stamp;
    if (c.version >= version) {
      version = c.version + 1;
      changedAt = this.now();
      this.store.applyMwiChange({
        mailbox,
        source: VOICEMAIL_SOURCE,
        record,
        version,
        changedAt,
        origin: this.origin,
        announce: this.announce,
      });
    }
    c.counts = total(c.sources);
    c.version = version;
    c.changedAt = changedAt;
    c.writtenAt = this.now();
    this.cache.delete(mailbox);
    this.cache.set(mailbox, c);
    const state = this.get(mailbox);
    for (const l of this.updateListeners) l({ mailbox, source: VOICEMAIL_SOURCE, counts: record && record.counts });
    for (const l of this.listeners) l(state);
    return state;
  }

  /** Remove publications whose time ran out (RFC 3903 section 6: an expired publication is gone). */
  expirePublications(): number {
    const now = this.now();
    let n = 0;
    for (const r of this.store.listExpiredMwiSources(now)) {
      this.update({ mailbox: r.mailbox, source: r.source, counts: null });
      n++;
    }
    return n;
  }

  /** Learn of changes another process wrote to the store (e.g. `openum mwi set`), and tell the listeners. */
  pollExternal(): number {
    const touched = new Set<string>();
    for (;;) {
      const changes = this.store.mwiChangesSince(this.lastChangeId, 5000, this.origin);
      for (const ch of changes) {
        this.lastChangeId = ch.id;
        if (ch.mailbox !== '') touched.add(ch.mailbox);
      }
      if (changes.length < 5000) break;
    }
    for (const mailbox of touched) {
      const before = this.cache.get(mailbox);
      this.cache.delete(mailbox);
      const after = this.load(mailbox);
      if (!before || before.version !== after.version) {
        const state = this.get(mailbox);
        for (const l of this.listeners) l(state);
      }
    }
    return touched.size;
  }

  /**
   * Keep the cache bounded: the oldest entry goes, unless it changed in the
   * last second (its write may still wait in the store's group commit, and a
   * re-read would not see it).
   */
  private evictOldest(): void {
    if (this.cache.size < CACHE_MAX) return;
    const [key, oldest] = this.cache.entries().next().value as [string, Cached];
    if (this.now() - oldest.writtenAt > 1000) this.cache.delete(key);
  }

  private load(mailbox: string): Cached {
    let c = this.cache.get(mailbox);
    if (!c) {
      const rows = this.store.listMwiSources(mailbox);
      const v = this.store.getMwiVersion(mailbox);
      if (rows.length === 0 && v.version === 0 && v.changedAt === 0) {
        c = NEVER_LIT as Cached;
      } else {
        const sources = new Map(rows.map((r) => [r.source, r]));
        c = { sources, counts: total(sources), ...v, writtenAt: 0 };
      }
      this.evictOldest();
      this.cache.set(mailbox, c);
    }
    return c;
  }
}
