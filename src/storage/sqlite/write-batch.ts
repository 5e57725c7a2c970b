import type Database from 'better-sqlite3';

/**
 * Group commit for the SQLite adapter. Hot-path writes (bindings,
 * subscriptions, MWI changes) are queued and committed together in one
 * transaction at the end of the current turn of the event loop, instead of
 * one transaction each: a commit costs far more than the rows in it.
 *
 * Durability is kept by the caller: whatever acknowledges a write (a SIP
 * 200, an HTTP 200) waits for {@link barrier} first, so nothing acknowledged
 * is lost to a `kill -9` (in WAL mode a commit is in the OS's hands once
 * written). Reads never wait: the adapter's caches already hold the new
 * state.
 */
export class WriteBatch {
  private queue: (() => void)[] = [];
  private waiters: (() => void)[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Database.Database,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** Queue a write (it must not throw for valid input). */
  add(write: () => void): void {
    this.queue.push(write);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Resolves once every write queued so far is committed; undefined when nothing is queued. */
  barrier(): Promise<void> | undefined {
    if (this.queue.length === 0) return undefined;
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Commit everything queued now (also used before close). */
  readonly flush = (): void => {
    this.scheduled = false;
    const writes = this.queue;
    const waiters = this.waiters;
    this.queue = [];
    this.waiters = [];
    if (writes.length > 0) {
      try {
        this.db.transaction(() => {
          for (const w of writes) w();
        })();
      } catch {
        // One bad write must not take the others with it: apply them one by one.
        for (const w of writes) {
          try {
            this.db.transaction(w)();
          } catch (e) {
            this.onError(e);
          }
        }
      }
    }
    for (const resolve of waiters) resolve();
  };
}
