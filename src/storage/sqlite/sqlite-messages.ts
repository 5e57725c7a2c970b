import type Database from 'better-sqlite3';
import { VOICEMAIL_SOURCE, type GreetingKind, type LampStamp, type MessageRecord, type MwiCounts } from '../ports.js';

interface MessageRow {
  id: string;
  mailbox: string;
  caller_number: string | null;
  caller_name: string | null;
  received_at: number;
  duration_ms: number;
  urgent: number;
  read: number;
  call_id: string | null;
  reason: string | null;
  audio_path: string;
  audio_bytes: number;
  origin: string;
}

function toMessage(r: MessageRow): MessageRecord {
  return {
    id: r.id,
    mailbox: r.mailbox,
    callerNumber: r.caller_number,
    callerName: r.caller_name,
    receivedAt: r.received_at,
    durationMs: r.duration_ms,
    urgent: r.urgent === 1,
    read: r.read === 1,
    callId: r.call_id,
    reason: r.reason,
    audioPath: r.audio_path,
    audioBytes: r.audio_bytes,
    origin: r.origin === 'api' ? 'api' : 'call',
  };
}

/** The change feed of other processes' interest: the last 10,000 entries are kept (as sqlite-mwi.ts does). */
const FEED_KEEP = 10_000;

/**
 * The voicemail tables of the SQLite adapter: messages and greetings, and
 * the mailbox's `voicemail` MWI source recomputed from the messages. Every
 * method is synchronous and runs inside the caller's transaction
 * ({@link DurableWrite}), so a message and its lamp commit together.
 */
export class SqliteMessages {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      insert: db.prepare(`INSERT INTO messages (id, mailbox, caller_number, caller_name, received_at, duration_ms,
        urgent, read, call_id, reason, audio_path, audio_bytes, origin) VALUES (@id, @mailbox, @caller_number,
        @caller_name, @received_at, @duration_ms, @urgent, @read, @call_id, @reason, @audio_path, @audio_bytes, @origin)`),
      get: db.prepare('SELECT * FROM messages WHERE id = ?'),
      list: db.prepare('SELECT * FROM messages WHERE mailbox = ? ORDER BY received_at DESC, id'),
      count: db.prepare('SELECT count(*) AS n FROM messages WHERE mailbox = ?'),
      setRead: db.prepare('UPDATE messages SET read = ? WHERE id = ? AND mailbox = ? AND read <> ?'),
      setUrgent: db.prepare('UPDATE messages SET urgent = ? WHERE id = ? AND mailbox = ? AND urgent <> ?'),
      del: db.prepare('DELETE FROM messages WHERE id = ? AND mailbox = ? RETURNING *'),
      counts: db.prepare(`SELECT coalesce(sum(read = 0), 0) AS new, coalesce(sum(read = 1), 0) AS old,
        coalesce(sum(read = 0 AND urgent = 1), 0) AS urgent_new, coalesce(sum(read = 1 AND urgent = 1), 0) AS urgent_old
        FROM messages WHERE mailbox = ?`),
      paths: db.prepare('SELECT audio_path FROM messages UNION SELECT audio_path FROM greetings').pluck(),
      putSource:
        db.prepare(`INSERT INTO mwi_sources (mailbox, source, new, old, urgent_new, urgent_old, account, updated_at, expires_at, etag)
        VALUES (@mailbox, @source, @new, @old, @urgent_new, @urgent_old, NULL, @updated_at, NULL, NULL)
        ON CONFLICT(mailbox, source) DO UPDATE SET new = excluded.new, old = excluded.old, urgent_new = excluded.urgent_new,
        urgent_old = excluded.urgent_old, account = NULL, updated_at = excluded.updated_at, expires_at = NULL, etag = NULL`),
      delSource: db.prepare('DELETE FROM mwi_sources WHERE mailbox = ? AND source = ?'),
      // Never lower a newer version (an async adapter may commit after a later change of another source).
      setVersion:
        db.prepare(`INSERT INTO mwi_versions (mailbox, version, changed_at) VALUES (?, ?, ?) ON CONFLICT(mailbox)
        DO UPDATE SET changed_at = CASE WHEN excluded.version > mwi_versions.version THEN excluded.changed_at
        ELSE mwi_versions.changed_at END, version = max(mwi_versions.version, excluded.version)`),
      getVersion: db.prepare('SELECT version FROM mwi_versions WHERE mailbox = ?').pluck(),
      feed: db.prepare('INSERT INTO mwi_changes (mailbox, origin, at) VALUES (?, ?, ?)'),
      trimFeed: db.prepare('DELETE FROM mwi_changes WHERE id <= ?'),
      putGreeting: db.prepare(`INSERT INTO greetings (mailbox, kind, audio_path, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT(mailbox, kind) DO UPDATE SET audio_path = excluded.audio_path, updated_at = excluded.updated_at`),
      getGreeting: db.prepare('SELECT audio_path FROM greetings WHERE mailbox = ? AND kind = ?').pluck(),
      delGreeting: db.prepare('DELETE FROM greetings WHERE mailbox = ? AND kind = ? RETURNING audio_path').pluck(),
    };
  }

  add(m: MessageRecord, lamp: LampStamp): MwiCounts {
    if (m.mailbox !== lamp.mailbox) throw new Error(`message of ${m.mailbox} stamped for ${lamp.mailbox}`);
    this.s.insert.run({
      id: m.id,
      mailbox: m.mailbox,
      caller_number: m.callerNumber,
      caller_name: m.callerName,
      received_at: m.receivedAt,
      duration_ms: m.durationMs,
      urgent: m.urgent ? 1 : 0,
      read: m.read ? 1 : 0,
      call_id: m.callId,
      reason: m.reason,
      audio_path: m.audioPath,
      audio_bytes: m.audioBytes,
      origin: m.origin,
    });
    return this.writeLamp(lamp);
  }

  setFlag(id: string, flag: 'read' | 'urgent', on: boolean, lamp: LampStamp): MwiCounts | undefined {
    const v = on ? 1 : 0;
    const stmt = flag === 'read' ? this.s.setRead : this.s.setUrgent;
    if (stmt.run(v, id, lamp.mailbox, v).changes === 0) return undefined;
    return this.writeLamp(lamp);
  }

  delete(id: string, lamp: LampStamp): { message: MessageRecord; counts: MwiCounts } | undefined {
    const row = this.s.del.get(id, lamp.mailbox) as MessageRow | undefined;
    if (!row) return undefined;
    return { message: toMessage(row), counts: this.writeLamp(lamp) };
  }

  get(id: string): MessageRecord | undefined {
    const row = this.s.get.get(id) as MessageRow | undefined;
    return row && toMessage(row);
  }

  list(mailbox: string): MessageRecord[] {
    return (this.s.list.all(mailbox) as MessageRow[]).map(toMessage);
  }

  count(mailbox: string): number {
    return (this.s.count.get(mailbox) as { n: number }).n;
  }

  audioPaths(): Set<string> {
    return new Set(this.s.paths.all() as string[]);
  }

  putGreeting(mailbox: string, kind: GreetingKind, audioPath: string, now: number): string | undefined {
    const before = this.getGreeting(mailbox, kind);
    this.s.putGreeting.run(mailbox, kind, audioPath, now);
    return before === audioPath ? undefined : before;
  }

  getGreeting(mailbox: string, kind: GreetingKind): string | undefined {
    return this.s.getGreeting.get(mailbox, kind) as string | undefined;
  }

  deleteGreeting(mailbox: string, kind: GreetingKind): string | undefined {
    return this.s.delGreeting.get(mailbox, kind) as string | undefined;
  }

  /**
   * Before a user's rows go (with the user, ON DELETE CASCADE): put out the
   * lamp their messages lit, under a new version announced to every process
   * (origin `storage`), so that a running server hears of it.
   */
  dropLamp(mailbox: string, now: number): void {
    if (this.s.delSource.run(mailbox, VOICEMAIL_SOURCE).changes === 0) return;
    const version = ((this.s.getVersion.get(mailbox) as number | undefined) ?? 0) + 1;
    this.writeVersion({ mailbox, version, changedAt: now, origin: 'storage' });
  }

  /** The mailbox's `voicemail` source from its messages (no row when it has none), its version and the feed. */
  private writeLamp(lamp: LampStamp): MwiCounts {
    const r = this.s.counts.get(lamp.mailbox) as { new: number; old: number; urgent_new: number; urgent_old: number };
    const counts: MwiCounts = { new: r.new, old: r.old, urgentNew: r.urgent_new, urgentOld: r.urgent_old };
    if (counts.new + counts.old === 0) {
      this.s.delSource.run(lamp.mailbox, VOICEMAIL_SOURCE);
    } else {
      this.s.putSource.run({ mailbox: lamp.mailbox, source: VOICEMAIL_SOURCE, ...r, updated_at: lamp.changedAt });
    }
    this.writeVersion(lamp);
    return counts;
  }

  private writeVersion(lamp: LampStamp): void {
    this.s.setVersion.run(lamp.mailbox, lamp.version, lamp.changedAt);
    if (lamp.announce === false) return;
    const id = Number(this.s.feed.run(lamp.mailbox, lamp.origin, Date.now()).lastInsertRowid);
    if (id % 1000 === 0) this.s.trimFeed.run(id - FEED_KEEP);
  }
}
