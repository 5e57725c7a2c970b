import { Worker } from 'node:worker_threads';

/**
 * Runs SQLite WAL checkpoints on a worker thread.
 *
 * In WAL mode with `synchronous = NORMAL`, a commit only appends to the WAL
 * (it survives `kill -9`; the OS has it); the fsyncs happen at checkpoints.
 * SQLite's automatic checkpoint runs inside whichever commit crosses the
 * threshold, so on a disk it stalled the event loop for tens of
 * milliseconds at a time (REGISTER throughput on a disk fell well below
 * the same on tmpfs). Here the main connection turns automatic checkpoints
 * off and this worker, with a connection of its own, checkpoints every
 * `intervalMs` (PASSIVE: it never blocks writers).
 */
export class WalCheckpointer {
  private readonly worker: Worker;

  constructor(file: string, intervalMs = 1000) {
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      const Database = require(workerData.module);
      const db = new Database(workerData.file);
      db.pragma('busy_timeout = 5000');
      const run = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: next time */ } };
      const timer = setInterval(run, workerData.intervalMs);
      parentPort.on('message', () => { clearInterval(timer); run(); db.close(); parentPort.close(); });
    `;
    this.worker = new Worker(code, {
      eval: true,
      workerData: { file, intervalMs, module: requireResolveBetterSqlite() },
    });
    this.worker.unref();
    this.worker.on('error', () => undefined);
  }

  /** A last checkpoint, then the worker ends. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('stop');
    await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 2000).unref())]);
  }
}

function requireResolveBetterSqlite(): string {
  return import.meta.resolve('better-sqlite3').replace(/^file:\/\//, '');
}
