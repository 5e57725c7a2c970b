/**
 * The SUBSCRIBE phase (anchor part a) and openum's restart phase.
 *
 * SUBSCRIBE: N subscribers user1..userN, SIPp `-r 50000 -l 200` (at most 200
 * in flight), each SUBSCRIBE -> 200 -> initial NOTIFY -> 200 (openum: after a
 * 401 challenge round trip). Rate = completed subscriptions / (first
 * SUBSCRIBE sent .. last initial NOTIFY received), from the scenario's
 * SUBLAT lines, as the anchor's analyze.py. Memory as the anchor: idle before,
 * 1 s after, and 6 s after (settled, "held"); per subscription =
 * (settled - idle) / completed. openum is read again later (`settleMs`,
 * 45 s by default): what is left of its UDP server transactions lives 32 to
 * 40 s (Timer J, RFC 3261 section 17.2.2, expired by generation) and V8
 * gives pages back only after its memory reducer runs, so at 6 s its RSS
 * still holds every SUBSCRIBE transaction.
 *
 * Restart: kill -9 openum, start it on the same data dir and port, and time
 * until the NOTIFY sink has received a NOTIFY in each of the N dialogs.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LogTail, callCounts, firstErrors, parseSublat, percentile } from './bench-logs.js';
import type { BenchServer } from './bench-server.js';
import type { NotifySink } from './notify-sink.js';
import type { OpenumBenchServer } from './openum-server.js';
import { BENCH_DOMAIN, BENCH_PASSWORD } from './openum-server.js';
import { clkTck, machineTicks, reapedChildrenCpuSeconds } from './proc-stats.js';
import { mwiScenario, runUac } from './sipp-runner.js';

export interface SubscribeResult {
  requested: number;
  ok: number;
  failed: number;
  spanS: number;
  wallS: number;
  rate: number;
  cpuS: number;
  perCpuS: number;
  sippCpuS: number;
  /** cores used by everything else on the host meanwhile */
  otherCores: number;
  p50Ms: number;
  p99Ms: number;
  memIdle: number;
  mem1s: number;
  /** 6 s after: the anchor's "settled" point for Kamailio (tm keeps transactions ~5 s) */
  mem6s: number;
  /** `settleMs` after (>= 6 s): the figure used per subscription */
  memSettled: number;
  settleS: number;
  bytesPerSub: number;
  /**
   * openum, when asked (`idleMs`): VmRSS per subscription after `idleS` of
   * idleness, with no forced GC: what V8's own memory reducer gave back
   * (in process it shrank the heap after about 100 s idle).
   */
  idle?: { idleS: number; bytesPerSub: number };
  /** openum: VmRSS after a forced full GC, idle and settled, and the JS heap in use then */
  gc?: {
    rssIdle: number;
    rssSettled: number;
    heapIdle: number;
    heapSettled: number;
    rssPerSub: number;
    heapPerSub: number;
  };
  errors: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function subscribePhase(
  server: BenchServer,
  sipp: string,
  dir: string,
  port: number,
  n: number,
  settleMs = 6000,
  idleMs = 0,
): Promise<SubscribeResult> {
  const lines = ['SEQUENTIAL'];
  for (let i = 1; i <= n; i++) {
    lines.push(
      server.authenticates ? `user${i};[authentication username=user${i} password=${BENCH_PASSWORD}]` : `user${i}`,
    );
  }
  await writeFile(join(dir, 'subs.csv'), lines.join('\n') + '\n');
  const gcIdle = server.gcAndMeasure ? await server.gcAndMeasure() : undefined;
  const memIdle = await server.memoryBytes();
  const cpu0 = await server.cpuSeconds();
  const sipp0 = await reapedChildrenCpuSeconds();
  const m0 = await machineTicks();
  const t0 = Date.now() / 1000;
  const r = await runUac(
    { sipp, cwd: dir, port },
    {
      scenario: mwiScenario(server.authenticates ? 'subscribe-auth.xml' : 'subscribe.xml'),
      target: server.target,
      calls: n,
      rate: 50000,
      limit: 200,
      recvTimeoutMs: 10000,
      timeoutS: 120 + Math.ceil(n / 500),
      args: [
        '-inf',
        'subs.csv',
        ...(server.authenticates ? ['-auth_uri', BENCH_DOMAIN] : []),
        '-trace_stat',
        '-stf',
        'sub_stat.csv',
        '-trace_logs',
        '-log_file',
        'sub_lat.log',
        '-trace_err',
        '-error_file',
        'sub_err.log',
      ],
    },
  );
  const wallS = Date.now() / 1000 - t0;
  const cpuS = (await server.cpuSeconds()) - cpu0;
  const sippCpuS = (await reapedChildrenCpuSeconds()) - sipp0;
  const m1 = await machineTicks();
  const otherCores = Math.max(0, (m1.busy - m0.busy) / clkTck() - cpuS - sippCpuS) / wallS;
  await sleep(1000);
  const mem1s = await server.memoryBytes();
  await sleep(5000);
  const mem6s = await server.memoryBytes();
  if (settleMs > 6000) await sleep(settleMs - 6000);
  const memSettled = settleMs > 6000 ? await server.memoryBytes() : mem6s;
  if (idleMs > settleMs) await sleep(idleMs - settleMs);
  const memLongIdle = idleMs > settleMs ? await server.memoryBytes() : undefined;
  const gcSettled = gcIdle && server.gcAndMeasure ? await server.gcAndMeasure() : undefined;
  const counts = await callCounts(join(dir, 'sub_stat.csv'));
  const xs = (await new LogTail(join(dir, 'sub_lat.log')).lines()).map(parseSublat).filter((x) => x !== undefined);
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const x of xs) {
    if (x.sent < first) first = x.sent;
    if (x.recv > last) last = x.recv;
  }
  const spanS = xs.length > 1 && last > first ? last - first : wallS;
  const ms = xs.map((x) => (x.recv - x.sent) * 1000);
  if (counts.ok === 0 && xs.length === 0) {
    throw new Error(
      `no subscription completed on ${server.name} (SIPp exit ${String(r.code)}):\n${r.command}\n` +
        `${(await firstErrors(join(dir, 'sub_err.log'))).join('\n')}\n${r.stdout.slice(-1500)}\n${server.logTail()}`,
    );
  }
  const ok = Math.max(counts.ok, xs.length);
  return {
    requested: n,
    ok,
    failed: counts.failed,
    spanS,
    wallS,
    rate: xs.length / spanS,
    cpuS,
    perCpuS: cpuS > 0 ? ok / cpuS : Number.NaN,
    sippCpuS,
    otherCores,
    p50Ms: percentile(ms, 50),
    p99Ms: percentile(ms, 99),
    memIdle,
    mem1s,
    mem6s,
    memSettled,
    settleS: Math.max(6000, settleMs) / 1000,
    bytesPerSub: (memSettled - memIdle) / ok,
    ...(memLongIdle !== undefined && { idle: { idleS: idleMs / 1000, bytesPerSub: (memLongIdle - memIdle) / ok } }),
    errors: counts.failed > 0 ? await firstErrors(join(dir, 'sub_err.log')) : [],
    ...(gcIdle &&
      gcSettled && {
        gc: {
          rssIdle: gcIdle.rss,
          rssSettled: gcSettled.rss,
          heapIdle: gcIdle.heapUsed,
          heapSettled: gcSettled.heapUsed,
          rssPerSub: (gcSettled.rss - gcIdle.rss) / ok,
          heapPerSub: (gcSettled.heapUsed - gcIdle.heapUsed) / ok,
        },
      }),
  };
}

export interface RestartResult {
  subscriptions: number;
  /** dialogs that got a NOTIFY after the restart */
  renotified: number;
  /** kill -9 .. `openum ready` of the new process */
  startS: number;
  /** kill -9 .. the N-th dialog's NOTIFY arrived (NaN when not all did) */
  allS: number;
  /** `openum ready` .. the N-th dialog's NOTIFY */
  fromReadyS: number;
  /** re-sends per second seen by the sink, ready .. last */
  rate: number;
  /** CPU seconds of the new process, start .. all re-sent */
  cpuS: number;
  rssAfter: number;
}

/**
 * kill -9, start again on the same data dir and port, wait until every one
 * of `subscriptions` dialogs has had a NOTIFY (bounded: no progress for 15 s,
 * or 60 s + 3 ms per subscription).
 */
export async function restartPhase(
  server: OpenumBenchServer,
  sink: NotifySink,
  subscriptions: number,
  alreadyStopped = false,
): Promise<RestartResult> {
  await sink.poll();
  const kill = Date.now() / 1000;
  sink.watch(kill);
  if (!alreadyStopped) await server.kill9();
  await server.restart();
  const ready = server.readyAt / 1000;
  const deadline = Date.now() + 60_000 + 3 * subscriptions;
  let lastCount = -1;
  let lastProgress = Date.now();
  while (Date.now() < deadline) {
    await sink.poll();
    const c = sink.watched.size;
    if (c >= subscriptions) break;
    if (c !== lastCount) {
      lastCount = c;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > 15_000) {
      break;
    }
    await sleep(100);
  }
  // the new process's whole CPU: start-up (loading N subscriptions) and the paced re-sends
  const cpuS = await server.cpuSeconds();
  const times = [...sink.watched.values()].sort((a, b) => a - b);
  const lastT = times[times.length - 1] ?? Number.NaN;
  const all = times.length >= subscriptions ? (times[subscriptions - 1] as number) : Number.NaN;
  const firstT = times[0] ?? Number.NaN;
  return {
    subscriptions,
    renotified: times.length,
    startS: ready - kill,
    allS: all - kill,
    fromReadyS: all - ready,
    rate: times.length > 1 ? times.length / (lastT - firstT) : Number.NaN,
    cpuS,
    rssAfter: await server.memoryBytes(),
  };
}
