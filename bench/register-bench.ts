/**
 * REGISTER benchmark: `openum serve` with N users (user1..userN), driven by
 * SIPp over UDP on 127.0.0.1 with digest-authenticated registrations
 * (REGISTER -> 401 -> REGISTER + MD5 Authorization -> 200; RFC 3261 sections
 * 10.2 and 22.2) at rising offered rates. A step is sustained when < 1% of
 * the registrations failed and >= 95% of the offered rate was achieved; the
 * ladder stops at the first step that is not. For every step the server's CPU
 * seconds (utime+stime from /proc/PID/stat) give registrations per server
 * CPU-second, the figure to compare across machines (SIPp shares the cores).
 *
 * Settings (environment): BENCH_REGISTER_USERS (1000), BENCH_REGISTER_RATES
 * ("500,1000,1500,2000,2500,3000,4000,5000,6000,8000,10000", registrations/s),
 * BENCH_REGISTER_STEP_S (5), BENCH_SERVE_ARGS (extra `openum serve` args).
 */
import { lastStats } from './mwi/bench-logs.js';
import { pidCpuSeconds, reapedChildrenCpuSeconds, udpDrops } from './mwi/proc-stats.js';
import { join } from 'node:path';
import { addUser } from '../src/app/user-commands.js';
import { openStorage } from '../src/app/open-storage.js';
import { startOpenum, repoRoot, type OpenumServer } from '../test/support/openum-process.js';
import { SIPP_SERVE_ARGS } from '../test/support/peer-compat.js';
import { findBinary } from '../test/support/peers.js';
import { runSipp } from '../test/support/sipp.js';
import { makeTempDir, removeTempDir } from '../test/support/temp-dir.js';

export interface RegisterBenchOptions {
  users?: number;
  /** offered registrations per second, one step each, ascending */
  rates?: number[];
  stepSeconds?: number;
  /** more `openum serve` arguments */
  serveArgs?: string[];
  log?: (line: string) => void;
}

/** One rate step. A "registration" is 2 REGISTER transactions (401 + 200). */
export interface RegisterStep {
  offered: number;
  attempted: number;
  ok: number;
  failed: number;
  retransmissions: number;
  seconds: number;
  /** successful registrations per wall-clock second */
  achieved: number;
  serverCpuSeconds: number;
  sippCpuSeconds: number;
  /** successful registrations per server CPU-second */
  perServerCpuSecond: number;
  /** registration (both transactions) time buckets from SIPp: "<N ms" upper bounds */
  p50Ms: string;
  p99Ms: string;
  sustained: boolean;
  sippExitCode: number | null;
  /** UDP datagrams dropped on this host during the step (RcvbufErrors + InErrors, /proc/net/snmp) */
  udpDrops: number;
}

export interface RegisterBenchResult {
  users: number;
  steps: RegisterStep[];
  /** the highest sustained step, if any */
  best?: RegisterStep;
  skipped?: string;
}

function envNumbers(name: string): number[] | undefined {
  const v = process.env[name];
  if (!v) return undefined;
  const out = v.split(',').map((s) => Number(s.trim()));
  if (out.some((n) => !Number.isFinite(n) || n <= 0)) throw new Error(`${name}: positive numbers, comma-separated`);
  return out;
}

/** Epoch seconds from a SIPp time field ("date\ttime\tepoch.micro"). */
function epoch(v: string | undefined): number {
  const parts = (v ?? '').split('\t');
  return Number(parts[parts.length - 1]);
}

/** Upper bound of the bucket holding quantile q of SIPp's CallLengthRepartition columns. */
function quantileBucket(stats: Map<string, string>, q: number): string {
  const buckets: Array<{ label: string; n: number }> = [];
  for (const [k, v] of stats) {
    const m = /^CallLengthRepartition_(.+)$/.exec(k);
    if (m) buckets.push({ label: m[1] as string, n: Number(v) || 0 });
  }
  const total = buckets.reduce((s, b) => s + b.n, 0);
  if (total === 0) return '-';
  let acc = 0;
  for (const b of buckets) {
    acc += b.n;
    if (acc >= q * total) return b.label.replace('_', '');
  }
  return '-';
}

async function createUsers(dataDir: string, n: number): Promise<void> {
  const storage = openStorage(dataDir);
  try {
    for (let i = 1; i <= n; i++) addUser(storage, { name: `user${i}`, password: `pw${i}secret` });
  } finally {
    storage.close();
  }
}

async function runStep(
  sipp: string,
  server: OpenumServer,
  users: Array<{ name: string; password: string }>,
  rate: number,
  seconds: number,
  warmup: boolean,
): Promise<RegisterStep> {
  const calls = warmup ? users.length : Math.max(1, Math.round(rate * seconds));
  const cpu0 = await pidCpuSeconds(server.pid);
  const sipp0 = await reapedChildrenCpuSeconds();
  const drops0 = await udpDrops();
  const r = await runSipp(sipp, {
    scenario: join(repoRoot(), 'bench', 'sipp', 'register-bench.xml'),
    target: server.address('udp'),
    transport: 'udp',
    calls,
    rate,
    limit: Math.max(200, rate),
    timeoutS: Math.ceil(calls / rate) * 4 + 30,
    recvTimeoutMs: 4000,
    users,
    authUri: 'localhost',
    keys: { domain: 'localhost', expires: '3600' },
    keepWorkDir: true,
    extraArgs: ['-trace_stat', '-stf', 'stats.csv', '-fd', '1', '-buff_size', '4194304', '-timer_resol', '1'],
  });
  const cpu1 = await pidCpuSeconds(server.pid);
  const sipp1 = await reapedChildrenCpuSeconds();
  const drops1 = await udpDrops();
  const stats = await lastStats(join(r.workDir, 'stats.csv'));
  await removeTempDir(r.workDir);
  if (stats.size === 0) throw new Error(`SIPp wrote no statistics\n${r.describe()}`);
  const ok = Number(stats.get('SuccessfulCall(C)') ?? 0);
  const failed = Number(stats.get('FailedCall(C)') ?? 0);
  const seconds_ = Math.max(1e-3, epoch(stats.get('CurrentTime')) - epoch(stats.get('StartTime')));
  const achieved = ok / seconds_;
  const serverCpuSeconds = cpu1 - cpu0;
  return {
    offered: rate,
    attempted: ok + failed,
    ok,
    failed,
    retransmissions: Number(stats.get('Retransmissions(C)') ?? 0),
    seconds: seconds_,
    achieved,
    serverCpuSeconds,
    sippCpuSeconds: sipp1 - sipp0,
    perServerCpuSecond: serverCpuSeconds > 0 ? ok / serverCpuSeconds : 0,
    p50Ms: quantileBucket(stats, 0.5),
    p99Ms: quantileBucket(stats, 0.99),
    sustained: ok + failed > 0 && failed / (ok + failed) < 0.01 && achieved >= 0.95 * rate,
    sippExitCode: r.code,
    udpDrops: drops1 - drops0,
  };
}

function formatStep(s: RegisterStep, label = '', verdict = true): string {
  const pct = s.attempted > 0 ? ((100 * s.failed) / s.attempted).toFixed(2) : '0';
  return (
    `${label}offered ${String(s.offered).padStart(6)}/s  achieved ${s.achieved.toFixed(0).padStart(6)}/s  ` +
    `ok ${s.ok} failed ${s.failed} (${pct}%) retrans ${s.retransmissions}  ` +
    `server CPU ${s.serverCpuSeconds.toFixed(2)} s -> ${s.perServerCpuSecond.toFixed(0)} reg/CPU-s  ` +
    `SIPp CPU ${s.sippCpuSeconds.toFixed(2)} s  UDP drops ${s.udpDrops}  p50 ${s.p50Ms} p99 ${s.p99Ms} ms${verdict ? (s.sustained ? '  sustained' : '  NOT sustained') : ''}`
  );
}

/** Run the REGISTER ladder and print each step. */
export async function runRegisterBench(opts: RegisterBenchOptions = {}): Promise<RegisterBenchResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const nUsers = opts.users ?? Number(process.env['BENCH_REGISTER_USERS'] ?? 1000);
  const rates = opts.rates ??
    envNumbers('BENCH_REGISTER_RATES') ?? [500, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 10000];
  const stepSeconds = opts.stepSeconds ?? Number(process.env['BENCH_REGISTER_STEP_S'] ?? 5);
  const sipp = findBinary('sipp');
  if (!sipp) {
    const skipped = 'sipp not installed (apt-get install sip-tester)';
    log(`REGISTER bench skipped: ${skipped}`);
    return { users: nUsers, steps: [], skipped };
  }
  const dataDir = await makeTempDir('bench-data');
  const server = await (async () => {
    try {
      const t0 = Date.now();
      await createUsers(dataDir, nUsers);
      log(`REGISTER bench: ${nUsers} users created in ${Date.now() - t0} ms`);
      const extra = (process.env['BENCH_SERVE_ARGS'] ?? '').split(' ').filter((s) => s !== '');
      return await startOpenum({
        dataDir,
        domain: 'localhost',
        extraArgs: [...SIPP_SERVE_ARGS, ...(opts.serveArgs ?? []), ...extra],
      });
    } catch (e) {
      await removeTempDir(dataDir);
      throw e;
    }
  })();
  const users = Array.from({ length: nUsers }, (_, i) => ({ name: `user${i + 1}`, password: `pw${i + 1}secret` }));
  const steps: RegisterStep[] = [];
  try {
    log(
      `REGISTER bench: openum pid ${server.pid} on udp ${server.address('udp')}; SIPp over UDP, ${stepSeconds} s per step; 1 registration = 2 REGISTER transactions`,
    );
    const warm = await runStep(sipp, server, users, Math.min(1000, rates[0] ?? 500), stepSeconds, true);
    log(formatStep(warm, '  warm-up (every user once, bindings created): ', false));
    for (const rate of rates) {
      const s = await runStep(sipp, server, users, rate, stepSeconds, false);
      steps.push(s);
      log(formatStep(s, '  '));
      if (!s.sustained) break;
    }
  } finally {
    await server.stop();
    await removeTempDir(dataDir);
  }
  const sustained = steps.filter((s) => s.sustained);
  const best = sustained[sustained.length - 1];
  if (best) {
    log(
      `REGISTER bench result: max sustained ${best.achieved.toFixed(0)} registrations/s ` +
        `(${(2 * best.achieved).toFixed(0)} REGISTER transactions/s) at offered ${best.offered}/s, <1% failures; ` +
        `${best.perServerCpuSecond.toFixed(0)} registrations per server CPU-second ` +
        `(${(2 * best.perServerCpuSecond).toFixed(0)} REGISTER transactions per CPU-second)`,
    );
  } else {
    log('REGISTER bench result: no step was sustained (<1% failures and >=95% of the offered rate)');
  }
  return best ? { users: nUsers, steps, best } : { users: nUsers, steps };
}
