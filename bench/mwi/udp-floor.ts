/**
 * The floor cost of UDP datagram I/O in Node.js on this machine, measured
 * side by side with Kamailio 5.6 presence_mwi in the same run: how many
 * datagram pairs (1 in + 1 out) a Node process using `node:dgram` can handle
 * per CPU-second when it does (almost) nothing else, and how many MWI updates
 * Kamailio handles per CPU-second at the same datagram rate, step by step.
 *
 * The floor server is udp-floor-server.ts, a child process that answers every
 * datagram with one prebuilt `200 OK` carrying the request's Via/From/To/
 * Call-ID/CSeq lines. SIPp (with the MWI bench's options) sends PUBLISH-shaped
 * requests at several rates and expects the 200s. Its CPU is the child's own
 * process.cpuUsage() (user + system) before and after each step.
 *
 * Kamailio is started and loaded exactly as in bench:mwi (the same helpers:
 * kamailio-server.ts, phases.ts, ladder.ts): N subscriptions, a SIPp NOTIFY
 * sink, one initial PUBLISH per mailbox, then one ladder step of modify
 * PUBLISHes per floor step. One MWI update is 2 datagram pairs on the server
 * (PUBLISH in + 200 out, NOTIFY out + 200 in), so a floor step at R pairs/s is
 * paired with a Kamailio step at R/2 updates/s: the same datagram rate. Its
 * CPU is utime+stime of its process tree (/proc), as in bench:mwi.
 *
 * Each rate is measured in ROUNDS rounds; the order flips from round to round
 * (floor then Kamailio, Kamailio then floor, ...), so that both see the same
 * machine conditions. The ratio printed is floor updates per CPU-second
 * (pairs per CPU-second / 2) over Kamailio's updates per CPU-second, per round
 * and pooled over the rounds of a rate. Without Kamailio (or with
 * UDP_FLOOR_KAMAILIO=0) only the floor is printed.
 *
 * Run: npm run build && node dist/bench/mwi/udp-floor.js
 * Settings (environment): UDP_FLOOR_RATES (2000,6000,12000,20000 pairs/s =
 * 1,000-10,000 updates/s on Kamailio), UDP_FLOOR_STEP_S (4), UDP_FLOOR_ROUNDS
 * (2), UDP_FLOOR_VARIANTS (list; also cb, concat: see the server's header),
 * UDP_FLOOR_KAMAILIO (1; 0 skips Kamailio), UDP_FLOOR_KAM_N (20000
 * subscriptions, as bench:mwi), UDP_FLOOR_DEADLINE_S (270: no step starts that
 * could end later), UDP_FLOOR_OUT (keep the raw SIPp and Kamailio files there).
 */
import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ManagedProcess } from '../../test/support/child-process.js';
import { findBinary } from '../../test/support/peers.js';
import { freePort } from '../../test/support/ports.js';
import { makeTempDir, removeTempDir } from '../../test/support/temp-dir.js';
import { callCounts, lastStats } from './bench-logs.js';
import type { BenchServer } from './bench-server.js';
import { KAMAILIO_INSTALL, kamailioBinaries, startKamailio } from './kamailio-server.js';
import { initialPublish, runStep as runLadderStep, type LadderContext, type StepResult } from './ladder.js';
import { NotifySink } from './notify-sink.js';
import { subscribePhase } from './phases.js';
import { clkTck, machineTicks, reapedChildrenCpuSeconds, udpDrops, waitForQuiet } from './proc-stats.js';
import { mwiScenario, runUac } from './sipp-runner.js';

/** Datagram pairs per MWI update on the server: PUBLISH in + 200 out, NOTIFY out + 200 in. */
const PAIRS_PER_UPDATE = 2;

/** Issue 3 item 8: updates per server CPU-second, as a multiple of Kamailio's. */
const TARGET_RATIO = 1.5;

type Variant = 'list' | 'cb' | 'concat';
const VARIANT_TEXT: Record<Variant, string> = {
  list: 'send(Buffer[]), no callback',
  cb: 'send(Buffer[], cb)',
  concat: 'send(Buffer.concat(...)), no callback',
};

function numbers(env: string | undefined, fallback: number[]): number[] {
  if (!env) return fallback;
  const xs = env
    .split(/[ ,]+/)
    .map(Number)
    .filter((x) => Number.isFinite(x) && x > 0);
  return xs.length > 0 ? xs : fallback;
}

function variants(env: string | undefined): Variant[] {
  const all: Variant[] = ['list', 'cb', 'concat'];
  if (!env) return ['list'];
  const picked = env.split(/[ ,]+/).filter((v): v is Variant => (all as string[]).includes(v));
  return picked.length > 0 ? picked : ['list'];
}

/** What the floor server reports on request (its udp-floor-server.ts header). */
interface ServerStats {
  user: number;
  system: number;
  rx: number;
  tx: number;
  sendErrors: number;
}

/** One floor server child process. */
class FloorServer {
  private consumed = 0;

  private constructor(
    readonly variant: Variant,
    readonly proc: ManagedProcess,
    readonly port: number,
  ) {}

  static async start(variant: Variant, maxSeconds: number): Promise<FloorServer> {
    const script = join(dirname(fileURLToPath(import.meta.url)), 'udp-floor-server.js');
    const proc = new ManagedProcess(process.execPath, [script, variant, String(maxSeconds)], { stdin: 'pipe' });
    const up = await proc.waitFor((out) => /^PORT \d+$/m.test(out), 10_000);
    const port = Number(/^PORT (\d+)$/m.exec(proc.stdout)?.[1]);
    if (!up || !port) {
      await proc.stop();
      throw new Error(`floor server (${variant}) did not start:\n${proc.stdout}\n${proc.stderr}`);
    }
    return new FloorServer(variant, proc, port);
  }

  /** Ask for one stats line and wait for it. */
  async stats(): Promise<ServerStats> {
    const want = this.consumed + 1;
    const lines = (): string[] => this.proc.stdout.split('\n').filter((l) => l.startsWith('{'));
    this.proc.write('\n');
    if (!(await this.proc.waitFor(() => lines().length >= want, 5_000))) {
      throw new Error(`floor server (${this.variant}) gave no stats:\n${this.proc.stderr.slice(-2000)}`);
    }
    this.consumed = want;
    return JSON.parse(lines()[want - 1] as string) as ServerStats;
  }

  async stop(): Promise<void> {
    this.proc.child.stdin?.end();
    await this.proc.stop(2000);
  }
}

/** One measured step, of the floor or of Kamailio, in the same terms. */
interface Step {
  /** the floor variant, or 'kamailio' */
  who: Variant | 'kamailio';
  round: number;
  /** offered datagram pairs per second at the server */
  offered: number;
  calls: number;
  ok: number;
  failed: number;
  /** achieved requests per second (floor: pairs, Kamailio: updates) */
  achieved: number;
  wallS: number;
  serverCpuS: number;
  /** share of serverCpuS spent in the kernel (system time); NaN for Kamailio (/proc ticks, not split) */
  sysShare: number;
  /** datagram pairs the server handled (Kamailio: PUBLISHes answered + NOTIFYs seen) */
  pairs: number;
  usPerPair: number;
  /** MWI updates per server CPU-second: floor pairs / 2, Kamailio's PUBLISHes that got a 200 */
  updatesPerCpuS: number;
  sippCores: number;
  serverCores: number;
  otherCores: number;
  drops: number;
  /** fewer than 1% failed (and, for Kamailio, at least 99% of the NOTIFYs arrived) */
  clean: boolean;
  note: string;
}

/** Epoch seconds of a SIPp stat date column ("2026-11-26\t08:40:53.091313\t1795682453.091313"). */
function statEpoch(v: string | undefined): number {
  return Number((v ?? '').split('\t')[2]);
}

async function runFloorStep(
  server: FloorServer,
  sipp: string,
  dir: string,
  rate: number,
  stepS: number,
  round: number,
): Promise<Step> {
  const calls = rate * stepS;
  const tag = `${server.variant}_${rate}_${round}`;
  const s0 = await server.stats();
  const uac0 = await reapedChildrenCpuSeconds();
  const m0 = await machineTicks();
  const d0 = await udpDrops();
  const t0 = Date.now();
  await runUac(
    { sipp, cwd: dir, port: await freePort() },
    {
      scenario: mwiScenario('udp-floor-uac.xml'),
      target: `127.0.0.1:${server.port}`,
      calls,
      rate,
      limit: Math.max(rate, 200),
      recvTimeoutMs: 4000,
      timeoutS: stepS * 2 + 10,
      args: ['-trace_stat', '-stf', `${tag}.csv`],
    },
  );
  const wallS = (Date.now() - t0) / 1000;
  const d1 = await udpDrops();
  const m1 = await machineTicks();
  const uac1 = await reapedChildrenCpuSeconds();
  const s1 = await server.stats();

  const counts = await callCounts(join(dir, `${tag}.csv`));
  const last = await lastStats(join(dir, `${tag}.csv`));
  const span = statEpoch(last.get('CurrentTime')) - statEpoch(last.get('StartTime'));
  const spanS = Number.isFinite(span) && span > 0 ? span : wallS;
  const serverCpuS = (s1.user + s1.system - s0.user - s0.system) / 1e6;
  const sysS = (s1.system - s0.system) / 1e6;
  const pairs = Math.min(s1.rx - s0.rx, s1.tx - s0.tx);
  const sippCpuS = uac1 - uac0;
  const busyS = (m1.busy - m0.busy) / clkTck();
  const failed = calls - counts.ok;
  const sendErrors = s1.sendErrors - s0.sendErrors;
  return {
    who: server.variant,
    round,
    offered: rate,
    calls,
    ok: counts.ok,
    failed,
    achieved: counts.ok / spanS,
    wallS,
    serverCpuS,
    sysShare: serverCpuS > 0 ? sysS / serverCpuS : Number.NaN,
    pairs,
    usPerPair: pairs > 0 ? (serverCpuS * 1e6) / pairs : Number.NaN,
    updatesPerCpuS: serverCpuS > 0 ? pairs / serverCpuS / PAIRS_PER_UPDATE : Number.NaN,
    sippCores: sippCpuS / wallS,
    serverCores: serverCpuS / wallS,
    otherCores: Math.max(0, busyS - serverCpuS - sippCpuS) / wallS,
    drops: d1 - d0,
    clean: failed < 0.01 * calls && pairs > 0,
    note: sendErrors > 0 ? `${sendErrors} send errors` : '',
  };
}

/** Kamailio loaded as in bench:mwi, ready for ladder steps. */
interface KamailioRig {
  server: BenchServer;
  ctx: LadderContext;
  sink: NotifySink;
}

/**
 * Start Kamailio and put bench:mwi's state on it: N subscriptions (phases.ts),
 * the NOTIFY sink, one initial PUBLISH per mailbox (ladder.ts). Undefined,
 * with the reason printed, when Kamailio is not installed or does not start.
 */
async function startKamailioRig(
  sipp: string,
  work: string,
  n: number,
  lifeS: number,
): Promise<KamailioRig | undefined> {
  const bins = kamailioBinaries();
  if (!bins) {
    console.log(`Kamailio: not installed (${KAMAILIO_INSTALL}): the floor alone, no same-run ratio`);
    return undefined;
  }
  const dir = join(work, 'kamailio');
  await mkdir(dir, { recursive: true });
  let server: BenchServer | undefined;
  let sink: NotifySink | undefined;
  try {
    server = await startKamailio({ ...bins, dir, port: await freePort() });
    const subPort = await freePort();
    const sub = await subscribePhase(server, sipp, dir, subPort, n);
    sink = await NotifySink.start(sipp, dir, subPort, lifeS);
    const ctx: LadderContext = {
      server,
      sink,
      sipp,
      dir,
      port: await freePort(),
      etags: new Map(),
      users: n,
      fanout: 1,
    };
    const init = await initialPublish(ctx);
    await new Promise((r) => setTimeout(r, 1000));
    await sink.poll();
    console.log(
      `Kamailio 5.6 presence_mwi (bench:mwi's setup: -x tlsf, children=2, 4 MB buffers): ${sub.ok}/${n} subscriptions` +
        ` (${sub.rate.toFixed(0)}/s), ${init.ok} initial PUBLISHes (${init.failed} failed), not timed`,
    );
    return { server, ctx, sink };
  } catch (e) {
    console.log(
      `Kamailio: could not be set up (${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}): the floor alone, no same-run ratio`,
    );
    await sink?.stop();
    await server?.stop();
    return undefined;
  }
}

/** One Kamailio ladder step at the floor step's datagram rate (`pairRate` / 2 updates per second). */
async function runKamailioStep(k: KamailioRig, pairRate: number, stepS: number, round: number): Promise<Step> {
  const r: StepResult = await runLadderStep(k.ctx, 'publish', Math.round(pairRate / PAIRS_PER_UPDATE), stepS);
  const pairs = r.ok + r.notifies;
  const step: Step = {
    who: 'kamailio',
    round,
    offered: pairRate,
    calls: r.n,
    ok: r.ok,
    failed: r.n - r.ok,
    achieved: r.achieved,
    wallS: r.seconds,
    serverCpuS: r.serverCpuS,
    sysShare: Number.NaN,
    pairs,
    usPerPair: pairs > 0 ? (r.serverCpuS * 1e6) / pairs : Number.NaN,
    updatesPerCpuS: r.updatesPerCpuS,
    sippCores: (r.uasCpuS + r.uacCpuS) / r.seconds,
    serverCores: r.serverCores,
    otherCores: r.otherCores,
    drops: r.udpDrops,
    clean: r.failPct < 1 && r.notifies >= 0.99 * r.ok,
    note: r.errors.length > 0 ? `first error: ${(r.errors[0] ?? '').replace(/\s+/g, ' ').slice(0, 120)}` : '',
  };
  if (r.ok < r.n) {
    // PUBLISHes that timed out may still have changed their entity-tag (then 412s): renew them, as runLadder does (not timed)
    const init = await initialPublish(k.ctx);
    step.note += `${step.note ? '; ' : ''}entity-tags renewed (${init.ok} ok, ${init.failed} failed)`;
    await new Promise((res) => setTimeout(res, 1000));
    await k.sink.poll();
  }
  return step;
}

const fmt = (x: number, d = 0): string =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '-';

const COLUMNS = [
  'server',
  'rnd',
  'pairs/s',
  'upd/s',
  'achieved/s',
  'failed',
  'srv CPU s',
  'srv sys %',
  'srv cores',
  'pairs',
  'µs/pair',
  'upd/CPU-s',
  'SIPp cores',
  'other cores',
  'drops',
];
const HEADER = COLUMNS.map((h, i) => (i === 0 ? h.padEnd(8) : h.padStart(i === 1 ? 3 : 10))).join(' ');

function formatStep(s: Step): string {
  return (
    [
      s.who.padEnd(8),
      String(s.round + 1),
      fmt(s.offered),
      fmt(s.offered / PAIRS_PER_UPDATE),
      fmt(s.achieved),
      fmt(s.failed),
      fmt(s.serverCpuS, 3),
      fmt(100 * s.sysShare),
      fmt(s.serverCores, 2),
      fmt(s.pairs),
      fmt(s.usPerPair, 2),
      fmt(s.updatesPerCpuS),
      fmt(s.sippCores, 2),
      fmt(s.otherCores, 2),
      fmt(s.drops),
    ]
      .map((c, i) => (i === 0 ? c : c.padStart(i === 1 ? 3 : 10)))
      .join(' ') +
    (s.clean ? '' : '  NOT CLEAN') +
    (s.note ? `  (${s.note})` : '')
  );
}

/** Updates per CPU-second over several steps: all their pairs (or updates) over all their CPU. */
function pooled(steps: readonly Step[]): { cpuS: number; usPerPair: number; updatesPerCpuS: number } {
  const cpuS = steps.reduce((a, s) => a + s.serverCpuS, 0);
  const pairs = steps.reduce((a, s) => a + s.pairs, 0);
  const updates = steps.reduce((a, s) => a + (s.who === 'kamailio' ? s.ok : s.pairs / PAIRS_PER_UPDATE), 0);
  return {
    cpuS,
    usPerPair: pairs > 0 ? (cpuS * 1e6) / pairs : Number.NaN,
    updatesPerCpuS: cpuS > 0 ? updates / cpuS : Number.NaN,
  };
}

/**
 * The CPU per datagram pair left for a program's own work (parsing, transactions,
 * MWI state, storage) on top of the floor's, if it is to reach TARGET_RATIO
 * times Kamailio's updates per CPU-second.
 */
function budgetUsPerPair(floorUpdatesPerCpuS: number, kamailioUpdatesPerCpuS: number): number {
  const allowedUsPerUpdate = 1e6 / (TARGET_RATIO * kamailioUpdatesPerCpuS);
  return (allowedUsPerUpdate - 1e6 / floorUpdatesPerCpuS) / PAIRS_PER_UPDATE;
}

function summary(
  steps: readonly Step[],
  vs: readonly Variant[],
  rates: readonly number[],
  kamailio: boolean,
): string[] {
  const out: string[] = [
    '',
    `One bench:mwi update = ${PAIRS_PER_UPDATE} datagram pairs on the server, so a node:dgram program can do at most (floor pairs per CPU-second)/${PAIRS_PER_UPDATE} updates per CPU-second.`,
    kamailio
      ? 'Same run, same datagram rate; pooled over the clean rounds of each rate (CPU-s = the server CPU-seconds those steps used); ratio = floor / Kamailio updates per CPU-second:'
      : "Kamailio not measured in this run: no ratio (a ratio to another day's Kamailio figure would say nothing on this shared machine).",
    `${'floor'.padEnd(7)} ${'pairs/s'.padStart(8)} ${'= upd/s'.padStart(8)} ${'floor CPU-s'.padStart(12)} ${'µs/pair'.padStart(8)} ${'floor upd/CPU-s'.padStart(16)}` +
      (kamailio
        ? ` ${'Kam CPU-s'.padStart(10)} ${'µs/pair'.padStart(8)} ${'Kam upd/CPU-s'.padStart(14)} ${'floor/Kam'.padStart(10)} ${'per round'.padStart(16)}` +
          ` ${'left µs/pair @1.5x'.padStart(19)}`
        : ''),
  ];
  const ratios: number[] = [];
  let starred = false;
  for (const v of vs) {
    for (const rate of rates) {
      const f = steps.filter((s) => s.who === v && s.offered === rate && s.clean);
      const kAll = steps.filter((s) => s.who === 'kamailio' && s.offered === rate);
      // no clean Kamailio step: its unclean ones, starred (they count only the updates that got a 200, so they flatter the floor)
      const kClean = kAll.filter((s) => s.clean);
      const k = kClean.length > 0 ? kClean : kAll;
      const star = kClean.length === 0 && kAll.length > 0 ? '*' : '';
      if (star) starred = true;
      if (f.length === 0) {
        out.push(`${v.padEnd(7)} ${fmt(rate).padStart(8)}  no clean floor step`);
        continue;
      }
      const fp = pooled(f);
      let line =
        `${v.padEnd(7)} ${fmt(rate).padStart(8)} ${fmt(rate / PAIRS_PER_UPDATE).padStart(8)} ${fmt(fp.cpuS, 3).padStart(12)}` +
        ` ${fmt(fp.usPerPair, 2).padStart(8)} ${fmt(fp.updatesPerCpuS).padStart(16)}`;
      if (kamailio) {
        const kp = pooled(k);
        const ratio = fp.updatesPerCpuS / kp.updatesPerCpuS;
        if (Number.isFinite(ratio) && !star) ratios.push(ratio);
        const perRound = f
          .map((s) => {
            const kr = k.find((t) => t.round === s.round);
            return kr ? `${fmt(s.updatesPerCpuS / kr.updatesPerCpuS, 2)}x${star}` : '-';
          })
          .join(' ');
        line +=
          ` ${fmt(kp.cpuS, 3).padStart(10)} ${fmt(kp.usPerPair, 2).padStart(8)} ${(k.length > 0 ? fmt(kp.updatesPerCpuS) + star : 'no step').padStart(14)}` +
          ` ${(Number.isFinite(ratio) ? `${fmt(ratio, 2)}x${star}` : '-').padStart(10)} ${perRound.padStart(16)}` +
          ` ${(fmt(budgetUsPerPair(fp.updatesPerCpuS, kp.updatesPerCpuS), 2) + star).padStart(19)}`;
      }
      out.push(line);
    }
  }
  if (starred) {
    out.push(
      '*: no clean Kamailio step at that rate (>= 1% of the updates failed or NOTIFYs missing); these figures count only the updates' +
        ' that got a 200 against all the CPU, so they understate Kamailio and flatter the floor. Not in the range below.',
    );
  }
  if (ratios.length > 0) {
    out.push(
      '',
      `floor/Kam: the most a node:dgram program could reach, ${fmt(Math.min(...ratios), 2)}-${fmt(Math.max(...ratios), 2)}x Kamailio's updates` +
        ' per CPU-second at the same datagram rate in this run. "left µs/pair @1.5x": the CPU a program may spend per datagram pair on top of' +
        ' the floor and still reach 1.5x Kamailio (negative: 1.5x is above the floor there).',
    );
  }
  return out;
}

export async function main(): Promise<void> {
  const rates = numbers(process.env['UDP_FLOOR_RATES'], [2000, 6000, 12000, 20000]);
  const stepS = numbers(process.env['UDP_FLOOR_STEP_S'], [4])[0] ?? 4;
  const rounds = numbers(process.env['UDP_FLOOR_ROUNDS'], [2])[0] ?? 2;
  const vs = variants(process.env['UDP_FLOOR_VARIANTS']);
  const kamN = numbers(process.env['UDP_FLOOR_KAM_N'], [20000])[0] ?? 20000;
  const deadlineS = numbers(process.env['UDP_FLOOR_DEADLINE_S'], [270])[0] ?? 270;
  const outDir = process.env['UDP_FLOOR_OUT'] ? resolve(process.env['UDP_FLOOR_OUT']) : undefined;
  const sipp = findBinary('sipp');
  if (!sipp) throw new Error('sipp not found (apt-get install sip-tester)');
  const started = Date.now();
  const elapsedS = (): number => (Date.now() - started) / 1000;
  // belt and braces: whatever hangs, this process ends (its exit hooks kill the children, Kamailio's included)
  const guard = setTimeout(
    () => {
      process.stderr.write('udp-floor: hard time limit reached, stopping\n');
      process.exit(3);
    },
    (deadlineS + 40) * 1000,
  );
  guard.unref();

  const dir = outDir ?? (await makeTempDir('udp-floor'));
  await mkdir(dir, { recursive: true });
  const servers: FloorServer[] = [];
  let kam: KamailioRig | undefined;
  const load = (): string =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  try {
    console.log(
      `UDP floor vs Kamailio, same run: Node ${process.version}, floor variant(s) ${vs.map((v) => `${v} = ${VARIANT_TEXT[v]}`).join(', ')}, SIPp ${sipp}; load average ${load()}`,
    );
    for (const v of vs) servers.push(await FloorServer.start(v, deadlineS + 60));
    if (process.env['UDP_FLOOR_KAMAILIO'] !== '0') kam = await startKamailioRig(sipp, dir, kamN, deadlineS + 60);
    else console.log('Kamailio: skipped (UDP_FLOOR_KAMAILIO=0): the floor alone, no same-run ratio');
    console.log(`  floor load: ${mwiScenario('udp-floor-uac.xml')} (PUBLISH of 519-524 bytes -> 200 OK of ~215 bytes)`);
    if (kam)
      console.log(
        `  Kamailio load: bench:mwi's publish.xml (modify PUBLISH -> 200, NOTIFY -> 200 from the sink) at half the floor's rate`,
      );
    console.log(
      `  SIPp -r R -m ${stepS}R -l max(R,200) -recv_timeout 4000 -buff_size 4194304 -timer_resol 1, all on 127.0.0.1;` +
        ` pair rates ${rates.join(', ')}, ${stepS} s each, ${rounds} round(s) per rate, order flipped each round`,
    );
    console.log(
      '  server CPU: floor = its process.cpuUsage() (user+system); Kamailio = utime+stime of its process tree (/proc).' +
        ' pairs: floor = datagrams in (= responses out); Kamailio = PUBLISHes answered + NOTIFYs seen',
    );
    console.log('');
    console.log(HEADER);
    const steps: Step[] = [];
    type Job = { who: string; run: (round: number) => Promise<Step> };
    for (const [i, rate] of rates.entries()) {
      // rotate the floor variants from rate to rate, so none always runs first after a quiet wait
      const floors: Job[] = servers
        .map((_, j) => servers[(j + i) % servers.length] as FloorServer)
        .map((server) => ({
          who: server.variant,
          run: (round: number) => runFloorStep(server, sipp, dir, rate, stepS, round),
        }));
      const k = kam;
      const kamJob: Job[] = k
        ? [{ who: 'kamailio', run: (round: number) => runKamailioStep(k, rate, stepS, round) }]
        : [];
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? [...floors, ...kamJob] : [...kamJob, ...floors];
        for (const job of order) {
          if (elapsedS() + stepS + 8 > deadlineS) {
            console.log(
              `${job.who.padEnd(8)} ${String(round + 1).padStart(3)} ${fmt(rate).padStart(10)}  skipped: the ${deadlineS} s deadline is near`,
            );
            continue;
          }
          await waitForQuiet(0.3, 1500);
          const s = await job.run(round);
          steps.push(s);
          console.log(formatStep(s));
        }
      }
    }
    for (const line of summary(steps, vs, rates, kam !== undefined)) console.log(line);
    const sippBound = steps.filter((s) => s.sippCores > 0.85);
    if (sippBound.length > 0) {
      console.log(
        `  note: SIPp used > 0.85 cores in ${sippBound.length} step(s) (${sippBound.map((s) => `${s.who}@${s.offered}`).join(', ')}):` +
          ' there SIPp, not the server, limits the achieved rate; the per-pair CPU figures still hold.',
      );
    }
    const other = steps.map((s) => s.otherCores);
    console.log(
      `  other processes during the steps: ${fmt(Math.min(...other), 2)}-${fmt(Math.max(...other), 2)} cores` +
        ` (median ${fmt([...other].sort((a, b) => a - b)[Math.floor(other.length / 2)] ?? Number.NaN, 2)}); load average now ${load()}`,
    );
    console.log(`  (total ${fmt(elapsedS(), 1)} s)`);
  } finally {
    await kam?.sink.stop();
    await kam?.server.stop();
    for (const s of servers) await s.stop();
    if (!outDir) await removeTempDir(dir);
    clearTimeout(guard);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
