/**
 * `openum serve` for the MWI benchmark: users user1..userN created in the
 * data dir directly (openStorage + addUser, as bench/register-bench.ts does;
 * `openum user add` per user is too slow for 100,000), realm example.test
 * (the anchor's domain), UDP on 127.0.0.1, `--trust 127.0.0.1/32` for the
 * PUBLISH/NOTIFY updates, MD5 digest (SIPp 3.6.1 knows no other), log level
 * warn. `--trust 127.0.0.1/32` also exempts the SIPp subscribers (all on
 * 127.0.0.1) from the per-address SUBSCRIBE cap, as it would a proxy that
 * fronts many users; the anchor's Kamailio has no cap either. Started with
 * the inspector on a free loopback port so that memory can be read after a
 * forced GC (inspector-gc.ts).
 * `kill9()` + `restart()` reuse the data dir and the SIP port.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addUser } from '../../src/app/user-commands.js';
import { openStorage } from '../../src/app/open-storage.js';
import { ManagedProcess } from '../../test/support/child-process.js';
import { parseListeners, repoRoot } from '../../test/support/openum-process.js';
import { collectGarbage, inspectorUrl } from './inspector-gc.js';
import { treeCpuSeconds, vmRssBytes } from './proc-stats.js';
import type { BenchServer } from './bench-server.js';

export const BENCH_DOMAIN = 'example.test';
export const BENCH_PASSWORD = 'pw-bench';

/** Create user1..userN (realm example.test) in a fresh data dir. */
export function createBenchUsers(dataDir: string, n: number): void {
  const storage = openStorage(dataDir);
  try {
    for (let i = 1; i <= n; i++) addUser(storage, { name: `user${i}`, password: BENCH_PASSWORD, domain: BENCH_DOMAIN });
  } finally {
    storage.close();
  }
}

export interface OpenumOptions {
  dataDir: string;
  /** 0: any free port (the first start) */
  port: number;
  /** node options, e.g. ['--cpu-prof', '--cpu-prof-dir=DIR'] */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}

/** A started openum; `restart` brings it back on the same data dir and port. */
export interface OpenumBenchServer extends BenchServer {
  readonly port: number;
  /** SIGKILL, no cleanup (the restart test) */
  kill9(): Promise<void>;
  /** start again on the same data dir and port (after kill9) */
  restart(): Promise<void>;
  /** when the last start printed `openum ready` (Date.now()) */
  readonly readyAt: number;
}

async function launch(o: OpenumOptions): Promise<{ proc: ManagedProcess; port: number; readyAt: number }> {
  const args = [
    // the inspector on a free loopback port, only to force a GC before memory readings (inspector-gc.ts)
    '--inspect=127.0.0.1:0',
    ...(o.nodeArgs ?? []),
    join(repoRoot(), 'dist', 'src', 'cli', 'main.js'),
    'serve',
    '--data',
    o.dataDir,
    '--domain',
    BENCH_DOMAIN,
    '--sip',
    `127.0.0.1:${o.port}`,
    '--http',
    '127.0.0.1:0',
    '--trust',
    '127.0.0.1/32',
    '--auth-algorithms',
    'MD5',
    '--log-level',
    'warn',
  ];
  const proc = new ManagedProcess(process.execPath, args, { cwd: repoRoot() });
  const ok = await proc.waitFor((out) => /^openum ready\s*$/m.test(out), o.readyTimeoutMs ?? 120_000);
  const readyAt = Date.now();
  if (!ok) {
    await proc.stop(1000);
    throw new Error(`openum serve did not get ready\n${proc.command}\n${proc.stdout}\n${proc.stderr.slice(-4000)}`);
  }
  const udp = parseListeners(proc.stdout)['udp'];
  if (!udp) throw new Error(`openum printed no udp listener:\n${proc.stdout}`);
  return { proc, port: udp.port, readyAt };
}

/** Start openum on an existing data dir (users already created). */
export async function startOpenumBench(o: OpenumOptions): Promise<OpenumBenchServer> {
  let cur = await launch(o);
  const server: OpenumBenchServer = {
    name: 'openum',
    get pid(): number {
      return cur.proc.pid ?? -1;
    },
    get port(): number {
      return cur.port;
    },
    get readyAt(): number {
      return cur.readyAt;
    },
    get target(): string {
      return `127.0.0.1:${cur.port}`;
    },
    authenticates: true,
    memoryLabel: 'VmRSS',
    memoryBytes: () => vmRssBytes(cur.proc.pid ?? -1),
    async gcAndMeasure(): Promise<{ rss: number; heapUsed: number }> {
      const url = inspectorUrl(cur.proc.stderr);
      if (!url) throw new Error(`openum printed no inspector URL:\n${cur.proc.stderr.slice(-2000)}`);
      // V8 gives freed pages back over successive major GCs, not all at once: after one forced GC the
      // RSS still held 30-60 MB of free pages, varying from run to run. Three, 1 s apart, measure what
      // the process holds rather than what V8 has not yet returned.
      let heapUsed = 0;
      for (let i = 0; i < 3; i++) {
        ({ heapUsed } = await collectGarbage(url));
        await new Promise((r) => setTimeout(r, 1000));
      }
      return { rss: await vmRssBytes(cur.proc.pid ?? -1), heapUsed };
    },
    cpuSeconds: () => treeCpuSeconds(cur.proc.pid ?? -1),
    logTail: () => cur.proc.stderr.slice(-3000),
    errorCount: () => (cur.proc.stderr.match(/"level":50|ERROR/g) ?? []).length,
    async stop(): Promise<void> {
      await cur.proc.stop(10_000);
      await appendFile(join(o.dataDir, '..', 'openum.log'), cur.proc.stdout + cur.proc.stderr).catch(() => undefined);
    },
    async kill9(): Promise<void> {
      cur.proc.child.kill('SIGKILL');
      await cur.proc.wait();
      await appendFile(join(o.dataDir, '..', 'openum.log'), cur.proc.stdout + cur.proc.stderr + '\n(kill -9)\n').catch(
        () => undefined,
      );
    },
    async restart(): Promise<void> {
      cur = await launch({ ...o, port: cur.port });
    },
  };
  return server;
}
