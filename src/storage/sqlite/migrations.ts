import type Database from 'better-sqlite3';

/**
 * Schema migrations, applied in order and recorded in `PRAGMA user_version`.
 * Append only: a released migration is never edited.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     name TEXT PRIMARY KEY,
     extension TEXT UNIQUE,
     display_name TEXT,
     mwi_enabled INTEGER NOT NULL DEFAULT 1,
     unsolicited_mwi INTEGER NOT NULL DEFAULT 1,
     realm TEXT NOT NULL,
     ha1_md5 TEXT NOT NULL,
     ha1_sha256 TEXT NOT NULL,
     pin_hash TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE bindings (
     user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
     key TEXT NOT NULL,
     contact TEXT NOT NULL,
     uri TEXT NOT NULL,
     instance_id TEXT,
     call_id TEXT NOT NULL,
     cseq INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     source_protocol TEXT NOT NULL,
     source_address TEXT NOT NULL,
     source_port INTEGER NOT NULL,
     flow_id TEXT,
     user_agent TEXT,
     q REAL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (user, key)
   );
   CREATE INDEX bindings_expiry ON bindings(expires_at);
   CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

/** Bring the database to the newest schema inside one transaction per step. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    const step = db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    });
    step();
  }
}
