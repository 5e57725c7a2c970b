import type Database from 'better-sqlite3';
import type { MwiSourceRecord, MwiStore } from '../ports.js';

interface SourceRow {
  mailbox: string;
  source: string;
  new: number;
  old: number;
  urgent_new: number;
  urgent_old: number;
  account: string | null;
  updated_at: number;
  expires_at: number | null;
  etag: string | null;
}

function toRecord(r: SourceRow): MwiSourceRecord {
  return {
    mailbox: r.mailbox,
    source: r.source,
    counts: { new: r.new, old: r.old, urgentNew: r.urgent_new, urgentOld: r.urgent_old },
    account: r.account,
    updatedAt: r.updated_at,
    expiresAt: r.expires_at,
    etag: r.etag,
  };
}

/** The MWI tables of the SQLite adapter: sources, versions, change feed. */
export class SqliteMwi implements MwiStore {
  private readonly s;
  /** Runs inside the caller's transaction (the adapter's write batch). */
  private readonly apply: (c: Parameters<MwiStore['applyMwiChange']>[0]) => void;

  constructor(db: Database.Database) {
    this.s = {
      list: db.prepare('SELECT * FROM mwi_sources WHERE mailbox = ? ORDER BY source'),
      listAll: db.prepare('SELECT * FROM mwi_sources ORDER BY mailbox, source'),
      expired: db.prepare('SELECT * FROM mwi_sources WHERE expires_at IS NOT NULL AND expires_at <= ?'),
      version: db.prepare('SELECT version, changed_at FROM mwi_versions WHERE mailbox = ?'),
      upsert:
        db.prepare(`INSERT INTO mwi_sources (mailbox, source, new, old, urgent_new, urgent_old, account, updated_at, expires_at, etag)
        VALUES (@mailbox, @source, @new, @old, @urgent_new, @urgent_old, @account, @updated_at, @expires_at, @etag)
        ON CONFLICT(mailbox, source) DO UPDATE SET new = excluded.new, old = excluded.old, urgent_new = excluded.urgent_new,
        urgent_old = excluded.urgent_old, account = excluded.account, updated_at = excluded.updated_at,
        expires_at = excluded.expires_at, etag = excluded.etag`),
      del: db.prepare('DELETE FROM mwi_sources WHERE mailbox = ? AND source = ?'),
      setVersion:
        db.prepare(`INSERT INTO mwi_versions (mailbox, version, changed_at) VALUES (?, ?, ?) ON CONFLICT(mailbox)
        DO UPDATE SET version = excluded.version, changed_at = excluded.changed_at`),
      change: db.prepare('INSERT INTO mwi_changes (mailbox, origin, at) VALUES (?, ?, ?)'),
      since: db.prepare('SELECT id, mailbox, origin FROM mwi_changes WHERE id > ? ORDER BY id LIMIT ?'),
      latest: db.prepare('SELECT coalesce(max(id), 0) AS id FROM mwi_changes'),
      trim: db.prepare('DELETE FROM mwi_changes WHERE id <= ?'),
    };
    this.apply = (c: Parameters<MwiStore['applyMwiChange']>[0]): void => {
      if (c.record) {
        const r = c.record;
        this.s.upsert.run({
          mailbox: r.mailbox,
          source: r.source,
          new: r.counts.new,
          old: r.counts.old,
          urgent_new: r.counts.urgentNew,
          urgent_old: r.counts.urgentOld,
          account: r.account,
          updated_at: r.updatedAt,
          expires_at: r.expiresAt,
          etag: r.etag,
        });
      } else {
        this.s.del.run(c.mailbox, c.source);
      }
      this.s.setVersion.run(c.mailbox, c.version, c.changedAt);
      if (c.announce === false) return;
      const id = Number(this.s.change.run(c.mailbox, c.origin, Date.now()).lastInsertRowid);
      // The feed only serves other processes catching up: keep the last 10,000 entries.
      if (id % 1000 === 0) this.s.trim.run(id - 10_000);
    };
  }

  listMwiSources(mailbox: string): MwiSourceRecord[] {
    return (this.s.list.all(mailbox) as SourceRow[]).map(toRecord);
  }

  listAllMwiSources(): MwiSourceRecord[] {
    return (this.s.listAll.all() as SourceRow[]).map(toRecord);
  }

  listExpiredMwiSources(now: number): MwiSourceRecord[] {
    return (this.s.expired.all(now) as SourceRow[]).map(toRecord);
  }

  getMwiVersion(mailbox: string): { version: number; changedAt: number } {
    const r = this.s.version.get(mailbox) as { version: number; changed_at: number } | undefined;
    return { version: r?.version ?? 0, changedAt: r?.changed_at ?? 0 };
  }

  applyMwiChange(change: Parameters<MwiStore['applyMwiChange']>[0]): void {
    this.apply(change);
  }

  /** Entries by other origins are returned; our own only advance the position (id). */
  mwiChangesSince(afterId: number, limit: number, exceptOrigin: string): { id: number; mailbox: string }[] {
    const rows = this.s.since.all(afterId, limit) as { id: number; mailbox: string; origin: string }[];
    return rows.map((r) => ({ id: r.id, mailbox: r.origin === exceptOrigin ? '' : r.mailbox }));
  }

  latestMwiChangeId(): number {
    return (this.s.latest.get() as { id: number }).id;
  }
}
