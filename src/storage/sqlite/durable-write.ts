import type Database from 'better-sqlite3';
import type { WriteBatch } from './write-batch.js';

/**
 * Transactions that must be durable when they resolve, and in order with
 * the group commit: the voicemail's writes (a message and its lamp, a
 * greeting, a PIN). They are rare (one per call at most), so each is its
 * own transaction, run at once:
 *
 * - first every write the {@link WriteBatch} holds is committed, so that an
 *   MWI change queued earlier (an older version of the same mailbox) cannot
 *   land after this one;
 * - then the transaction commits with `synchronous = FULL`, which in WAL
 *   mode syncs the WAL at the commit (the adapter otherwise runs `NORMAL`,
 *   durable against a crash of the process but not of the machine). So a
 *   message the caller was told is saved survives a power cut too, and the
 *   sync covers the batch committed just before it.
 */
export class DurableWrite {
  constructor(
    private readonly db: Database.Database,
    private readonly batch: WriteBatch,
  ) {}

  /** Run `fn` in one durable transaction; rejects (nothing written) when it throws. */
  run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(this.now(fn));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** The same, synchronously (for the adapter's own synchronous ports, e.g. removeUser). */
  now<T>(fn: () => T): T {
    this.batch.flush();
    this.db.pragma('synchronous = FULL');
    try {
      return this.db.transaction(fn)();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }
}
