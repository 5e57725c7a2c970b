import type Database from 'better-sqlite3';
import { closeSync, fdatasync, openSync } from 'node:fs';
import type { WriteBatch } from './write-batch.js';

/**
 * Transactions that must be durable when they resolve, and in order with
 * the group commit: the voicemail's writes (a message and its lamp, a
 * greeting, a PIN). They are rare (one per call at most), so each is its
 * own transaction, committed at once:
 *
 * - first every write the {@link WriteBatch} holds is committed, so that an
 *   MWI change queued earlier (an older version of the same mailbox) cannot
 *   land after this one;
 * - the commit itself, under the adapter's `synchronous = NORMAL`, appends
 *   to the WAL without a sync: it survives `kill -9` as it returns;
 * - then the WAL file is synced (fdatasync on libuv's thread pool, not on
 *   the event loop: a sync takes milliseconds, and audio is being played)
 *   before the promise resolves, so that a message the caller was told is
 *   saved survives a power cut too. This is what `synchronous = FULL` does
 *   at each commit; should a checkpoint move the frames into the database
 *   first, it syncs the database before the WAL is reused.
 */
export class DurableWrite {
  private fd: number | undefined;
  private syncing = 0;
  private closed = false;

  /** @param wal the WAL file to sync (`FILE-wal`), or undefined for `:memory:` */
  constructor(
    private readonly db: Database.Database,
    private readonly batch: WriteBatch,
    private readonly wal: string | undefined,
  ) {}

  /** Run `fn` in one transaction and resolve once it is durable; rejects (nothing written) when it throws. */
  run<T>(fn: () => T): Promise<T> {
    let result: T;
    try {
      result = this.commit(fn);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    return this.sync().then(() => result);
  }

  /** Run `fn` in one transaction now, after the queued writes (durable against a crash of the process). */
  commit<T>(fn: () => T): T {
    this.batch.flush();
    return this.db.transaction(fn)();
  }

  /** Forget the WAL file once the syncs in flight are done (the database is closing). */
  close(): void {
    this.closed = true;
    if (this.syncing === 0) this.release();
  }

  private sync(): Promise<void> {
    if (this.wal === undefined || this.closed) return Promise.resolve();
    try {
      // Read-write: FlushFileBuffers needs it on Windows; nothing is written through it.
      this.fd ??= openSync(this.wal, 'r+');
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const fd = this.fd;
    this.syncing++;
    return new Promise<void>((resolve, reject) =>
      fdatasync(fd, (e) => {
        if (--this.syncing === 0 && this.closed) this.release();
        if (e) reject(e);
        else resolve();
      }),
    );
  }

  private release(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
