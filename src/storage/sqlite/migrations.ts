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
  `CREATE TABLE mwi_sources (
     mailbox TEXT NOT NULL,
     source TEXT NOT NULL,
     new INTEGER NOT NULL, old INTEGER NOT NULL, urgent_new INTEGER NOT NULL, urgent_old INTEGER NOT NULL,
     account TEXT,
     updated_at INTEGER NOT NULL,
     expires_at INTEGER,
     etag TEXT,
     PRIMARY KEY (mailbox, source)
   );
   CREATE UNIQUE INDEX mwi_sources_etag ON mwi_sources(etag) WHERE etag IS NOT NULL;
   CREATE INDEX mwi_sources_expiry ON mwi_sources(expires_at) WHERE expires_at IS NOT NULL;
   CREATE TABLE mwi_versions (mailbox TEXT PRIMARY KEY, version INTEGER NOT NULL, changed_at INTEGER NOT NULL DEFAULT 0);
   CREATE TABLE mwi_changes (id INTEGER PRIMARY KEY AUTOINCREMENT, mailbox TEXT NOT NULL, origin TEXT NOT NULL, at INTEGER NOT NULL);
   CREATE TABLE subscriptions (
     id TEXT PRIMARY KEY,
     event TEXT NOT NULL,
     resource TEXT NOT NULL,
     subscriber TEXT NOT NULL,
     dialog TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     source_protocol TEXT NOT NULL, source_address TEXT NOT NULL, source_port INTEGER NOT NULL,
     flow_id TEXT,
     local_contact TEXT NOT NULL,
     package_state TEXT,
     seq_ceiling INTEGER NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE tokens (
     id TEXT PRIMARY KEY,
     hash TEXT NOT NULL UNIQUE,
     scope TEXT NOT NULL,
     mailbox TEXT,
     created_at INTEGER NOT NULL
   );`,
  `CREATE INDEX bindings_flow ON bindings(flow_id) WHERE flow_id IS NOT NULL;`,
  // 4: voicemail messages and greetings; a user's go with the user (their audio is swept later).
  `CREATE TABLE messages (
     id TEXT PRIMARY KEY,
     mailbox TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
     caller_number TEXT,
     caller_name TEXT,
     received_at INTEGER NOT NULL,
     duration_ms INTEGER NOT NULL,
     urgent INTEGER NOT NULL,
     read INTEGER NOT NULL,
     call_id TEXT,
     reason TEXT,
     audio_path TEXT NOT NULL,
     audio_bytes INTEGER NOT NULL,
     origin TEXT NOT NULL
   );
   CREATE INDEX messages_mailbox ON messages(mailbox, received_at);
   CREATE TABLE greetings (
     mailbox TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
     kind TEXT NOT NULL,
     audio_path TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (mailbox, kind)
   );`,
  // 5: where a user's new messages are e-mailed (null: nowhere).
  `ALTER TABLE users ADD COLUMN email TEXT;`,
  // 6: whether the menu asks for the PIN when the user calls from their own (digest-authenticated) phone.
  `ALTER TABLE users ADD COLUMN own_phone_pin INTEGER NOT NULL DEFAULT 1;`,
  // 7: the NT hash ([MS-NLMP] NTOWFv1) for NTLM over HTTP; null until the password is set again.
  `ALTER TABLE users ADD COLUMN nt_hash TEXT;`,
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
