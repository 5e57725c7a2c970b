/**
 * The NOTIFY sink: a SIPp UAS (notify_uas.xml) on the subscribers' Contact
 * port, and what it logged, read incrementally.
 */
import { join } from 'node:path';
import type { ManagedProcess } from '../../test/support/child-process.js';
import { LogTail, parseLat } from './bench-logs.js';
import { startUas } from './sipp-runner.js';

export class NotifySink {
  /** update send time carried by each NOTIFY (epoch s), NaN-free */
  readonly sent: number[] = [];
  /** arrival time of the same NOTIFY */
  readonly recv: number[] = [];
  /** NOTIFYs seen in total, with or without a send time */
  total = 0;
  private readonly tail: LogTail;
  /** when set, the distinct dialogs (Call-IDs) of NOTIFYs that arrived at or after `watchFrom`, with the first arrival */
  private watchFrom = Number.POSITIVE_INFINITY;
  readonly watched = new Map<string, number>();

  private constructor(
    readonly proc: ManagedProcess,
    logFile: string,
  ) {
    this.tail = new LogTail(logFile);
  }

  static async start(sipp: string, dir: string, port: number, timeoutS: number): Promise<NotifySink> {
    const log = join(dir, 'uas_lat.log');
    const proc = await startUas({ sipp, cwd: dir, port }, log, timeoutS);
    await new Promise((r) => setTimeout(r, 500));
    if (proc.exitStatus)
      throw new Error(
        `SIPp NOTIFY sink exited at once:\n${proc.command}\n${proc.stdout.slice(-2000)}\n${proc.stderr.slice(-2000)}`,
      );
    return new NotifySink(proc, log);
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /** Count distinct dialogs that get a NOTIFY from `epochSeconds` on. */
  watch(epochSeconds: number): void {
    this.watchFrom = epochSeconds;
    this.watched.clear();
  }

  /** Read what arrived since the last poll. */
  async poll(): Promise<void> {
    for (const line of await this.tail.lines()) {
      const r = parseLat(line);
      if (!r) continue;
      this.total++;
      if (Number.isFinite(r.sent) && r.sent > 0) {
        this.sent.push(r.sent);
        this.recv.push(r.recv);
      }
      if (r.recv >= this.watchFrom && !this.watched.has(r.callId)) this.watched.set(r.callId, r.recv);
    }
  }

  /** Latencies (ms) of NOTIFYs whose update was sent within [t0, t1]. */
  latenciesSentIn(t0: number, t1: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.sent.length; i++) {
      const s = this.sent[i] as number;
      if (s >= t0 && s <= t1) out.push(((this.recv[i] as number) - s) * 1000);
    }
    return out;
  }

  async stop(): Promise<void> {
    await this.proc.stop(3000);
  }
}
