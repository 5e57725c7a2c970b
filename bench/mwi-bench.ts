/**
 * MWI benchmark: openum against Kamailio 5.6 presence +
 * presence_mwi set up as the anchor does (bench/mwi/kamailio.cfg), in the same
 * run, with the same SIPp load (bench/mwi/scenarios/, from the anchor):
 *
 *  a. N message-summary subscriptions (user1..userN, one each): setups per
 *     second, SUBSCRIBE->initial NOTIFY latency, memory per held
 *     subscription (openum: VmRSS delta / N; Kamailio: shm-in-use delta / N);
 *  b. a SIPp UAS on the subscribers' Contact port answers the NOTIFYs; one
 *     initial PUBLISH per mailbox, then RFC 3903 modify PUBLISHes
 *     (SIP-If-Match) at rising rates: NOTIFYs per second sustained (< 1%
 *     failures, >= 95% of offered, >= 99% of NOTIFYs: the anchor's criteria),
 *     update->NOTIFY latency p50/p99 (send time carried in the counts);
 *  c. the same ladder with out-of-dialog NOTIFY as the input (openum; and
 *     Kamailio when BENCH_MWI_KAM_NOTIFY=1);
 *  d. openum only: kill -9, start on the same data dir, time until every
 *     one of the N dialogs has received a NOTIFY again;
 *  e. openum only: BENCH_MWI_BIG_N (100000) held subscriptions, RSS each.
 * Server CPU is utime+stime of the server's process tree (/proc), so every
 * figure is also given per server CPU-second; openum's as a ratio to
 * Kamailio's. Everything on 127.0.0.1; every process is bounded and stopped.
 *
 * Run: npm run build && node dist/bench/mwi-bench.js
 * Settings (environment): BENCH_MWI_N (20000), BENCH_MWI_RATES (the anchor's
 * ladder plus 1000 3000 4000 8000), BENCH_MWI_NOTIFY_RATES (same), BENCH_MWI_STEP_S (4),
 * BENCH_MWI_BIG_N (100000; 0 skips), BENCH_MWI_BIG_IDLE_S (150: phase e reads
 * VmRSS again after that long idle, no forced GC), BENCH_MWI_SETTLE_S (45: when openum's
 * RSS is read after the SUBSCRIBEs, see bench/mwi/phases.ts), BENCH_MWI_KAMAILIO (1; 0 skips
 * Kamailio), BENCH_MWI_KAM_NOTIFY (0), BENCH_MWI_PROFILE (a dir: openum runs
 * under `node --cpu-prof` and is stopped with SIGTERM instead of kill -9),
 * BENCH_MWI_OUT (keep raw files there).
 */
import { mkdir } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findBinary } from '../test/support/peers.js';
import { freePort } from '../test/support/ports.js';
import { makeTempDir, removeTempDir } from '../test/support/temp-dir.js';
import type { BenchServer } from './mwi/bench-server.js';
import { KAMAILIO_INSTALL, kamailioBinaries, startKamailio } from './mwi/kamailio-server.js';
import { initialPublish, runLadder, writeUsers, type LadderContext, type StepResult } from './mwi/ladder.js';
import { NotifySink } from './mwi/notify-sink.js';
import { createBenchUsers, startOpenumBench, type OpenumBenchServer } from './mwi/openum-server.js';
import { waitForQuiet } from './mwi/proc-stats.js';
import { restartPhase, subscribePhase, type SubscribeResult } from './mwi/phases.js';
import { STEP_HEADER, formatStep, formatSubscribe, formatSummary, type ServerRun } from './mwi/report.js';

/** The anchor's ladder (2000 6000 10000 12000 ... 24000) with finer low steps (1000, 3000, 4000, 8000) for openum today. */
const LADDER = [
  1000, 2000, 3000, 4000, 6000, 8000, 10000, 12000, 14000, 15000, 16000, 17000, 18000, 19000, 20000, 22000, 24000,
];

export interface MwiBenchOptions {
  n: number;
  rates: number[];
  notifyRates: number[];
  stepS: number;
  bigN: number;
  /** phase e: VmRSS is read again after this long idle, before any forced GC (0: not) */
  bigIdleS: number;
  /** when openum's memory is read after the SUBSCRIBEs (Kamailio: 6 s, as the anchor) */
  openumSettleS: number;
  kamailio: boolean;
  kamailioNotify: boolean;
  profileDir?: string;
  outDir?: string;
  log: (line: string) => void;
}

function envNumbers(name: string, dflt: number[]): number[] {
  const v = process.env[name];
  if (!v) return dflt;
  const out = v
    .split(/[\s,]+/)
    .filter((s) => s !== '')
    .map(Number);
  if (out.some((x) => !Number.isInteger(x) || x <= 0)) throw new Error(`${name}: positive integers`);
  return out;
}

function envInt(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const x = Number(v);
  if (!Number.isInteger(x) || x < 0) throw new Error(`${name}: a non-negative integer`);
  return x;
}

export function optionsFromEnv(): MwiBenchOptions {
  const rates = envNumbers('BENCH_MWI_RATES', LADDER);
  return {
    n: envInt('BENCH_MWI_N', 20000) || 20000,
    rates,
    notifyRates: envNumbers('BENCH_MWI_NOTIFY_RATES', rates),
    stepS: envInt('BENCH_MWI_STEP_S', 4) || 4,
    bigN: envInt('BENCH_MWI_BIG_N', 100000),
    bigIdleS: envInt('BENCH_MWI_BIG_IDLE_S', 150),
    openumSettleS: envInt('BENCH_MWI_SETTLE_S', 45),
    kamailio: process.env['BENCH_MWI_KAMAILIO'] !== '0',
    kamailioNotify: process.env['BENCH_MWI_KAM_NOTIFY'] === '1',
    ...(process.env['BENCH_MWI_PROFILE'] && { profileDir: resolve(process.env['BENCH_MWI_PROFILE']) }),
    ...(process.env['BENCH_MWI_OUT'] && { outDir: resolve(process.env['BENCH_MWI_OUT']) }),
    log: (line) => console.log(line),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Phases a-c on one started server; the sink is left running for phase d. */
async function loadServer(
  o: MwiBenchOptions,
  server: BenchServer,
  sipp: string,
  dir: string,
  notifyInput: boolean,
  label: string,
): Promise<{ run: ServerRun; sink: NotifySink }> {
  const t0 = Date.now();
  const subPort = await freePort();
  const pubPort = await freePort();
  const q = await waitForQuiet();
  if (q.waitedMs > 1000) o.log(`    (waited ${(q.waitedMs / 1000).toFixed(1)} s for other processes to calm down)`);
  const sub = await subscribePhase(
    server,
    sipp,
    dir,
    subPort,
    o.n,
    server.authenticates ? o.openumSettleS * 1000 : 6000,
  );
  o.log(formatSubscribe(label, server.memoryLabel, sub));
  const sink = await NotifySink.start(sipp, dir, subPort, 1800);
  try {
    const ctx: LadderContext = { server, sink, sipp, dir, port: pubPort, etags: new Map(), users: o.n, fanout: 1 };
    const init = await initialPublish(ctx);
    o.log(`  ${label}: initial PUBLISH ${init.ok} ok, ${init.failed} failed (not timed)`);
    await sleep(1000);
    await sink.poll();
    o.log(STEP_HEADER);
    const publish = await runLadder(ctx, 'publish', o.rates, o.stepS, (s) => o.log(formatStep(label, s)), o.log);
    let notify: StepResult[] = [];
    if (notifyInput) {
      await writeUsers(dir, 'users.csv', o.n);
      notify = await runLadder(ctx, 'notify', o.notifyRates, o.stepS, (s) => o.log(formatStep(label, s)), o.log);
    }
    o.log(`  (${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    return {
      run: { name: server.name, memoryLabel: server.memoryLabel, sub, publish, notify, logErrors: server.errorCount() },
      sink,
    };
  } catch (e) {
    await sink.stop();
    throw e;
  }
}

async function kamailioRun(o: MwiBenchOptions, sipp: string, work: string): Promise<ServerRun | undefined> {
  const bins = kamailioBinaries();
  if (!bins) {
    o.log(`Kamailio: not installed (${KAMAILIO_INSTALL}): no comparison`);
    return undefined;
  }
  const dir = join(work, 'kamailio');
  await mkdir(dir, { recursive: true });
  o.log(`\n== Kamailio 5.6 (anchor setup: -x tlsf, children=2, shm 3072 MB, maxbuffer 4 MB) ==`);
  const server = await startKamailio({ ...bins, dir, port: await freePort() });
  try {
    const { run, sink } = await loadServer(o, server, sipp, dir, o.kamailioNotify, 'kamailio');
    await sink.stop();
    run.logErrors = server.errorCount();
    return run;
  } finally {
    await server.stop();
  }
}

async function openumRun(o: MwiBenchOptions, sipp: string, work: string): Promise<ServerRun> {
  const dir = join(work, 'openum');
  const data = join(dir, 'data');
  await mkdir(data, { recursive: true });
  o.log(`\n== openum (node ${process.version}${o.profileDir ? `, --cpu-prof into ${o.profileDir}` : ''}) ==`);
  const t0 = Date.now();
  createBenchUsers(data, o.n);
  o.log(`  openum: ${o.n} users created in ${Date.now() - t0} ms`);
  const nodeArgs = o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [];
  const server: OpenumBenchServer = await startOpenumBench({ dataDir: data, port: 0, nodeArgs });
  try {
    const { run, sink } = await loadServer(o, server, sipp, dir, true, 'openum');
    try {
      run.logErrors = server.errorCount();
      if (o.profileDir) {
        // a profile is written only on a clean exit: stop with SIGTERM, then time the re-send as after kill -9
        await server.stop();
        o.log('  openum: profiling, so the restart below follows a SIGTERM, not a kill -9');
      }
      const r = await restartPhase(server, sink, run.sub.ok, o.profileDir !== undefined);
      run.restart = r;
      o.log(
        `  openum restart: ready ${r.startS.toFixed(2)} s after the kill, all ${r.subscriptions} dialogs re-notified ` +
          `${r.allS.toFixed(2)} s after it (${r.renotified} seen, ${r.rate.toFixed(0)}/s, new process CPU ${r.cpuS.toFixed(2)} s)`,
      );
      return run;
    } finally {
      await sink.stop();
    }
  } finally {
    await server.stop();
  }
}

async function bigRun(o: MwiBenchOptions, sipp: string, work: string): Promise<SubscribeResult> {
  const dir = join(work, 'big');
  const data = join(dir, 'data');
  await mkdir(data, { recursive: true });
  o.log(`\n== openum: ${o.bigN} held subscriptions ==`);
  const t0 = Date.now();
  createBenchUsers(data, o.bigN);
  o.log(`  ${o.bigN} users created in ${Date.now() - t0} ms`);
  const server = await startOpenumBench({ dataDir: data, port: 0 });
  try {
    const sub = await subscribePhase(
      server,
      sipp,
      dir,
      await freePort(),
      o.bigN,
      o.openumSettleS * 1000,
      o.bigIdleS * 1000,
    );
    o.log(formatSubscribe('openum', server.memoryLabel, sub));
    return sub;
  } finally {
    await server.stop();
  }
}

/** Run everything and print the side-by-side summary. */
export async function runMwiBench(o: MwiBenchOptions): Promise<void> {
  const sipp = findBinary('sipp');
  if (!sipp) {
    o.log('MWI bench skipped: sipp not installed (apt-get install sip-tester)');
    return;
  }
  const cpu = cpus();
  o.log(
    `MWI bench: N=${o.n}, ${o.stepS} s steps, rates ${o.rates.join(' ')}; node ${process.version}, ${cpu.length} x ` +
      `${cpu[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
  );
  const work = o.outDir ?? (await makeTempDir('mwi-bench'));
  await mkdir(work, { recursive: true });
  const t0 = Date.now();
  try {
    const k = o.kamailio ? await kamailioRun(o, sipp, work) : undefined;
    const op = await openumRun(o, sipp, work);
    const big = o.bigN > 0 ? await bigRun(o, sipp, work) : undefined;
    o.log(
      `\n== MWI summary: openum vs Kamailio, same SIPp load, N=${o.n}, fan-out 1 (${((Date.now() - t0) / 1000).toFixed(0)} s) ==`,
    );
    o.log(formatSummary(op, k, big, o.n));
    o.log(
      `  load average now ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')} (other processes on this host share the ${cpu.length} cores)`,
    );
  } finally {
    if (!o.outDir) await removeTempDir(work);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  runMwiBench(optionsFromEnv()).catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 1;
  });
}
