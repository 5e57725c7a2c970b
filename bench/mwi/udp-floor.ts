/**
 * The floor cost of UDP datagram I/O in Node.js on this machine, to read
 * `npm run bench:mwi` against: how many datagram pairs (1 in + 1 out) a
 * Node process using `node:dgram` can handle per CPU-second when it does
 * (almost) nothing else. The server is udp-floor-server.ts, a child
 * process that answers every datagram with one prebuilt `200 OK` carrying
 * the request's Via/From/To/Call-ID/CSeq lines. SIPp (with the MWI bench's
 * options) sends PUBLISH-shaped requests at several rates and expects the
 * 200s. Server CPU is the child's own process.cpuUsage() (user + system)
 * before and after each step, so the figures hold on a shared machine and
 * need no saturation; SIPp's CPU is shown so that a SIPp limit can be seen.
 *
 * One MWI update in bench:mwi is 2 such pairs on the server (PUBLISH in +
 * 200 out, NOTIFY out + 200 in), so pairs/2 per CPU-second is the most
 * updates per CPU-second any Node program built on node:dgram could reach.
 *
 * Run: npm run build && node dist/bench/mwi/udp-floor.js
 * Settings (environment): UDP_FLOOR_RATES (2000,6000,12000,20000; 12,000 pairs/s
 * = bench:mwi's 6,000 updates/s comparison point, 20,000 = 10,000 updates/s),
 * UDP_FLOOR_STEP_S (4), UDP_FLOOR_VARIANTS (list,cb,concat: see the server's
 * header), UDP_FLOOR_DEADLINE_S (105: no step starts that could end later).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ManagedProcess } from '../../test/support/child-process.js';
import { findBinary } from '../../test/support/peers.js';
import { freePort } from '../../test/support/ports.js';
import { makeTempDir, removeTempDir } from '../../test/support/temp-dir.js';
import { callCounts, lastStats } from './bench-logs.js';
import { clkTck, machineTicks, reapedChildrenCpuSeconds, udpDrops, waitForQuiet } from './proc-stats.js';
import { mwiScenario, runUac } from './sipp-runner.js';

/**
 * Kamailio 5.6 presence + presence_mwi, PUBLISH+NOTIFY updates (one PUBLISH
 * transaction in, one NOTIFY transaction out = 2 datagram pairs) per
 * Kamailio CPU-second, fan-out 1. CPU there is utime+stime of Kamailio's main
 * process and all its children from /proc/PID/stat before and after each 4 s
 * SIPp step, on the same 2-vCPU machine over loopback, like ours.
 * 22,900: /work/shared/anchors/kamailio/README.md, "c. kamailio CPU at the max
 * step" (0.78 cores at ~18.6k/s; its per-rate list runs 11,100 at 2k/s to
 * 24,100 at 18k/s). 19,200: Kamailio at 6,000/s in the latest bench:mwi run
 * recorded in bench/mwi/README.md ("Figures").
 */
const KAMAILIO_UPDATES_PER_CPU_S = { low: 19_200, high: 22_900 } as const;

/**
 * Kamailio's updates per CPU-second by offered update rate, from the same
 * anchor README ("kamailio CPU by rate"). Per-datagram cost falls as the rate
 * rises for any event-loop server (more datagrams per wakeup), so a floor step
 * at R pairs/s is compared with Kamailio at R/2 updates/s: the same datagram rate.
 */
const KAMAILIO_BY_UPDATE_RATE: ReadonlyMap<number, number> = new Map([
  [2000, 11_100], [6000, 19_800], [10000, 17_900], [12000, 21_000], [14000, 21_100], [16000, 21_300], [17000, 23_400], [18000, 24_100],
]);

/** openum at 6,000 updates/s in the same bench:mwi run (bench/mwi/README.md, "Figures"); for scale only, may be stale. */
const OPENUM_UPDATES_PER_CPU_S = { rate: 6000, perCpuS: 6_030 } as const;

/** Datagram pairs per MWI update on the server: PUBLISH in + 200 out, NOTIFY out + 200 in. */
const PAIRS_PER_UPDATE = 2;

type Variant = 'list' | 'cb' | 'concat';
const VARIANT_TEXT: Record<Variant, string> = {
  list: 'send(Buffer[]), no callback',
  cb: 'send(Buffer[], cb)',
  concat: 'send(Buffer.concat(...)), no callback',
};

function numbers(env: string | undefined, fallback: number[]): number[] {
  if (!env) return fallback;
  const xs = env.split(/[ ,]+/).map(Number).filter((x) => Number.isFinite(x) && x > 0);
  return xs.length > 0 ? xs : fallback;
}

function variants(env: string | undefined): Variant[] {
  const all: Variant[] = ['list', 'cb', 'concat'];
  if (!env) return all;
  const picked = env.split(/[ ,]+/).filter((v): v is Variant => (all as string[]).includes(v));
  return picked.length > 0 ? picked : all;
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

  private constructor(readonly variant: Variant, readonly proc: ManagedProcess, readonly port: number) {}

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

interface Step {
  variant: Variant;
  offered: number;
  calls: number;
  ok: number;
  failed: number;
  /** SIPp's first call .. its last statistics line */
  spanS: number;
  achieved: number;
  wallS: number;
  serverCpuS: number;
  /** share of serverCpuS spent in the kernel (system time) */
  sysShare: number;
  pairs: number;
  pairsPerCpuS: number;
  usPerPair: number;
  sippCores: number;
  serverCores: number;
  otherCores: number;
  drops: number;
  sendErrors: number;
}

/** Epoch seconds of a SIPp stat date column ("2026-11-26\t08:40:53.091313\t1795682453.091313"). */
function statEpoch(v: string | undefined): number {
  return Number((v ?? '').split('\t')[2]);
}

async function runStep(server: FloorServer, sipp: string, dir: string, rate: number, stepS: number): Promise<Step> {
  const calls = rate * stepS;
  const tag = `${server.variant}_${rate}`;
  const s0 = await server.stats();
  const uac0 = await reapedChildrenCpuSeconds();
  const m0 = await machineTicks();
  const d0 = await udpDrops();
  const t0 = Date.now();
  await runUac({ sipp, cwd: dir, port: await freePort() }, {
    scenario: mwiScenario('udp-floor-uac.xml'), target: `127.0.0.1:${server.port}`,
    calls, rate, limit: Math.max(rate, 200), recvTimeoutMs: 4000, timeoutS: stepS * 2 + 10,
    args: ['-trace_stat', '-stf', `${tag}.csv`],
  });
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
  return {
    variant: server.variant, offered: rate, calls, ok: counts.ok, failed: calls - counts.ok, spanS,
    achieved: counts.ok / spanS, wallS, serverCpuS, sysShare: serverCpuS > 0 ? sysS / serverCpuS : Number.NaN, pairs,
    pairsPerCpuS: serverCpuS > 0 ? pairs / serverCpuS : Number.NaN,
    usPerPair: pairs > 0 ? (serverCpuS * 1e6) / pairs : Number.NaN,
    sippCores: sippCpuS / wallS, serverCores: serverCpuS / wallS,
    otherCores: Math.max(0, busyS - serverCpuS - sippCpuS) / wallS,
    drops: d1 - d0, sendErrors: s1.sendErrors - s0.sendErrors,
  };
}

const fmt = (x: number, d = 0): string => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : '-');

const HEADER = ['variant', 'offered/s', 'achieved/s', 'failed', 'srv CPU s', 'srv sys %', 'srv cores', 'pairs', 'pairs/CPU-s', 'µs/pair', 'SIPp cores', 'other cores', 'drops']
  .map((h, i) => (i === 0 ? h.padEnd(7) : h.padStart(11))).join(' ');

function formatStep(s: Step): string {
  return [s.variant.padEnd(7), fmt(s.offered), fmt(s.achieved), fmt(s.failed), fmt(s.serverCpuS, 3), fmt(100 * s.sysShare), fmt(s.serverCores, 2), fmt(s.pairs),
    fmt(s.pairsPerCpuS), fmt(s.usPerPair, 2), fmt(s.sippCores, 2), fmt(s.otherCores, 2), fmt(s.drops)]
    .map((c, i) => (i === 0 ? c : c.padStart(11))).join(' ') + (s.sendErrors > 0 ? `  (${s.sendErrors} send errors)` : '');
}

/** A step counts for the floor when it lost under 1% of its calls (as the MWI ladder's failure criterion). */
const clean = (s: Step): boolean => s.failed < 0.01 * s.calls && s.pairs > 0;

function summary(steps: readonly Step[], vs: readonly Variant[]): string[] {
  const kam = KAMAILIO_UPDATES_PER_CPU_S;
  const out: string[] = [
    '',
    `Implication: one bench:mwi update = ${PAIRS_PER_UPDATE} datagram pairs on the server, so a node:dgram program can do at most pairs/${PAIRS_PER_UPDATE} updates per CPU-second.`,
    `Kamailio 5.6 (anchor): ${fmt(kam.low)}-${fmt(kam.high)} updates per CPU-second = ${fmt(1e6 / (kam.high * PAIRS_PER_UPDATE), 1)}-${fmt(1e6 / (kam.low * PAIRS_PER_UPDATE), 1)} µs per datagram pair, presence logic included.`,
    '',
    'At the same datagram rate (floor step at R pairs/s = R/2 updates/s in bench:mwi):',
    `${'variant'.padEnd(7)} ${'pairs/s'.padStart(8)} ${'= upd/s'.padStart(8)} ${'µs/pair'.padStart(8)} ${'floor upd/CPU-s'.padStart(16)} ${'Kamailio@upd/s'.padStart(15)} ${'floor/Kam'.padStart(10)}`,
  ];
  for (const s of steps) {
    if (!clean(s)) continue;
    const u = s.pairsPerCpuS / PAIRS_PER_UPDATE;
    const k = KAMAILIO_BY_UPDATE_RATE.get(s.offered / PAIRS_PER_UPDATE);
    out.push(`${s.variant.padEnd(7)} ${fmt(s.offered).padStart(8)} ${fmt(s.offered / PAIRS_PER_UPDATE).padStart(8)} ${fmt(s.usPerPair, 2).padStart(8)}`
      + ` ${fmt(u).padStart(16)} ${(k ? fmt(k) : '-').padStart(15)} ${(k ? `${fmt(u / k, 2)}x` : '-').padStart(10)}`);
  }
  out.push('', 'Floor per variant (best clean step = the most pairs per server CPU-second with < 1% failed):');
  for (const v of vs) {
    const mine = steps.filter((s) => s.variant === v && clean(s));
    const best = mine.reduce<Step | undefined>((b, s) => (!b || s.pairsPerCpuS > b.pairsPerCpuS ? s : b), undefined);
    if (!best) {
      out.push(`  ${v.padEnd(7)} no clean step`);
      continue;
    }
    const u = best.pairsPerCpuS / PAIRS_PER_UPDATE;
    const o = mine.find((s) => s.offered === OPENUM_UPDATES_PER_CPU_S.rate * PAIRS_PER_UPDATE);
    out.push(`  ${v.padEnd(7)} ${VARIANT_TEXT[v]}: best ${fmt(best.pairsPerCpuS)} pairs per CPU-second (${fmt(best.usPerPair, 2)} µs/pair at ${fmt(best.offered)}/s)`
      + ` => at most ${fmt(u)} updates per CPU-second, ${fmt(u / kam.high, 2)}-${fmt(u / kam.low, 2)}x Kamailio's ${fmt(kam.low)}-${fmt(kam.high)}`
      + (o ? `; openum's ${fmt(OPENUM_UPDATES_PER_CPU_S.perCpuS)} at ${fmt(OPENUM_UPDATES_PER_CPU_S.rate)}/s (bench/mwi/README.md) is`
        + ` ${fmt((100 * OPENUM_UPDATES_PER_CPU_S.perCpuS * PAIRS_PER_UPDATE) / o.pairsPerCpuS)}% of the floor at that rate` : ''));
  }
  return out;
}

export async function main(): Promise<void> {
  const rates = numbers(process.env['UDP_FLOOR_RATES'], [2000, 6000, 12000, 20000]);
  const stepS = numbers(process.env['UDP_FLOOR_STEP_S'], [4])[0] ?? 4;
  const vs = variants(process.env['UDP_FLOOR_VARIANTS']);
  const deadlineS = numbers(process.env['UDP_FLOOR_DEADLINE_S'], [105])[0] ?? 105;
  const sipp = findBinary('sipp');
  if (!sipp) throw new Error('sipp not found (apt-get install sip-tester)');
  const started = Date.now();
  const elapsedS = (): number => (Date.now() - started) / 1000;
  // belt and braces: whatever hangs, this process ends (its exit hook kills the children)
  const guard = setTimeout(() => {
    process.stderr.write('udp-floor: hard time limit reached, stopping\n');
    process.exit(3);
  }, (deadlineS + 12) * 1000);
  guard.unref();

  const dir = await makeTempDir('udp-floor');
  const servers: FloorServer[] = [];
  try {
    for (const v of vs) servers.push(await FloorServer.start(v, deadlineS + 30));
    console.log(`UDP floor: Node ${process.version}, ${vs.length} floor server(s) (${vs.join(', ')}), SIPp ${sipp}`);
    console.log(`  load: ${mwiScenario('udp-floor-uac.xml')} (PUBLISH of 519-524 bytes -> 200 OK of ~215 bytes)`);
    console.log(`  SIPp -r R -m ${stepS}R -l max(R,200) -recv_timeout 4000 -buff_size 4194304 -timer_resol 1, all on 127.0.0.1; rates ${rates.join(', ')}, ${stepS} s each`);
    console.log('  server CPU = the floor server\'s process.cpuUsage() (user+system) across the step; pairs = datagrams in (= responses out)');
    console.log('');
    console.log(HEADER);
    const steps: Step[] = [];
    for (const [i, rate] of rates.entries()) {
      // rotate the order of the variants from rate to rate, so none always runs first after a quiet wait
      const order = servers.map((_, k) => servers[(k + i) % servers.length] as FloorServer);
      for (const server of order) {
        if (elapsedS() + stepS + 6 > deadlineS) {
          console.log(`${server.variant.padEnd(7)} ${fmt(rate).padStart(11)}  skipped: the ${deadlineS} s deadline is near`);
          continue;
        }
        await waitForQuiet(0.3, 1500);
        const s = await runStep(server, sipp, dir, rate, stepS);
        steps.push(s);
        console.log(formatStep(s));
      }
    }
    for (const line of summary(steps, vs)) console.log(line);
    const sippBound = steps.filter((s) => s.sippCores > 0.85);
    if (sippBound.length > 0) {
      console.log(`  note: SIPp used > 0.85 cores in ${sippBound.length} step(s) (${sippBound.map((s) => `${s.variant}@${s.offered}`).join(', ')}):`
        + ' there SIPp, not the floor server, limits the achieved rate; the per-pair CPU figures still hold.');
    }
    console.log(`  (total ${fmt(elapsedS(), 1)} s)`);
  } finally {
    for (const s of servers) await s.stop();
    await removeTempDir(dir);
    clearTimeout(guard);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
