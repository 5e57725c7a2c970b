/**
 * The update ladder of the anchor (shared/anchors/kamailio/bench.sh, part b):
 * mailbox updates at one offered rate per step, STEP seconds each, SIPp
 * `-r R -m R*STEP -l max(R,200) -recv_timeout 4000`; the ladder stops at the
 * first step that is not sustained. A step is sustained when (the anchor's
 * three criteria) fewer than 1% of the updates failed (timeout or any
 * non-200, 412 included), at least 95% of the offered rate was achieved
 * (first update sent .. last 200 received) and at least 99% of the expected
 * NOTIFYs arrived at the sink.
 *
 * Two inputs: `publish` = RFC 3903 modify PUBLISH with SIP-If-Match (the
 * anchor's publish.xml; entity-tags carried from step to step), `notify` =
 * out-of-dialog NOTIFY (notify_in.xml).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LogTail, callCounts, firstErrors, parseUpdate, percentile } from './bench-logs.js';
import type { BenchServer } from './bench-server.js';
import type { NotifySink } from './notify-sink.js';
import { clkTck, machineTicks, waitForQuiet, pidCpuSeconds, reapedChildrenCpuSeconds, udpDrops } from './proc-stats.js';
import { mwiScenario, runUac } from './sipp-runner.js';

export type UpdateInput = 'publish' | 'notify';

export interface LadderContext {
  server: BenchServer;
  sink: NotifySink;
  sipp: string;
  dir: string;
  /** the updater's local port */
  port: number;
  /** user -> current entity-tag of its publication (publish input) */
  etags: Map<string, string>;
  users: number;
  /** NOTIFYs per update (subscriptions per mailbox) */
  fanout: number;
}

export interface StepResult {
  input: UpdateInput;
  offered: number;
  n: number;
  ok: number;
  failed: number;
  failPct: number;
  /** step wall time, SIPp start to exit */
  seconds: number;
  /** first update sent .. last 200 received */
  spanS: number;
  achieved: number;
  notifies: number;
  notifyPerS: number;
  latP50: number;
  latP95: number;
  latP99: number;
  rttP50: number;
  rttP99: number;
  serverCpuS: number;
  serverCores: number;
  updatesPerCpuS: number;
  notifiesPerCpuS: number;
  uasCpuS: number;
  uacCpuS: number;
  machineBusyPct: number;
  /** cores used by everything else on the host (machine busy - server - SIPp UAS - SIPp UAC) */
  otherCores: number;
  udpDrops: number;
  memAfter: number;
  sustained: boolean;
  errors: string[];
}

export async function writeEtags(ctx: LadderContext, file: string): Promise<void> {
  const lines = ['SEQUENTIAL'];
  for (let i = 1; i <= ctx.users; i++) {
    const u = `user${i}`;
    const e = ctx.etags.get(u);
    if (e) lines.push(`${u};${e}`);
  }
  await writeFile(join(ctx.dir, file), lines.join('\n') + '\n');
}

export async function writeUsers(dir: string, file: string, users: number): Promise<void> {
  const lines = ['SEQUENTIAL'];
  for (let i = 1; i <= users; i++) lines.push(`user${i}`);
  await writeFile(join(dir, file), lines.join('\n') + '\n');
}

/** One initial PUBLISH per mailbox (not timed): fills ctx.etags. */
export async function initialPublish(ctx: LadderContext): Promise<{ ok: number; failed: number }> {
  await writeUsers(ctx.dir, 'users.csv', ctx.users);
  const r = await runUac(
    { sipp: ctx.sipp, cwd: ctx.dir, port: ctx.port },
    {
      scenario: mwiScenario('publish_init.xml'),
      target: ctx.server.target,
      calls: ctx.users,
      rate: 10000,
      limit: 500,
      recvTimeoutMs: 10000,
      timeoutS: 60 + Math.ceil(ctx.users / 1000),
      args: [
        '-inf',
        'users.csv',
        '-key',
        'pubexp',
        '3600',
        '-trace_logs',
        '-log_file',
        'init.log',
        '-trace_stat',
        '-stf',
        'init_stat.csv',
      ],
    },
  );
  for (const line of await new LogTail(join(ctx.dir, 'init.log')).lines()) {
    const u = parseUpdate(line);
    if (u?.etag) ctx.etags.set(u.user, u.etag);
  }
  const c = await callCounts(join(ctx.dir, 'init_stat.csv'));
  if (c.ok === 0)
    throw new Error(`initial PUBLISH failed (exit ${String(r.code)}):\n${r.command}\n${r.stdout.slice(-2000)}`);
  return { ok: c.ok, failed: c.failed };
}

/** Run one ladder step and analyse it. */
export async function runStep(
  ctx: LadderContext,
  input: UpdateInput,
  rate: number,
  stepS: number,
): Promise<StepResult> {
  const n = rate * stepS;
  const tag = `${input}_${rate}`;
  const args =
    input === 'publish'
      ? ['-inf', 'etags.csv', '-infindex', 'etags.csv', '0', '-key', 'pubexp', '3600']
      : ['-inf', 'users.csv'];
  if (input === 'publish') await writeEtags(ctx, 'etags.csv');
  args.push(
    '-trace_stat',
    '-stf',
    `${tag}.csv`,
    '-trace_logs',
    '-log_file',
    `${tag}.log`,
    '-trace_err',
    '-error_file',
    `${tag}_err.log`,
  );

  const cpu0 = await ctx.server.cpuSeconds();
  const uas0 = await pidCpuSeconds(ctx.sink.pid);
  const uac0 = await reapedChildrenCpuSeconds();
  const m0 = await machineTicks();
  const d0 = await udpDrops();
  const t0 = Date.now() / 1000;
  await runUac(
    { sipp: ctx.sipp, cwd: ctx.dir, port: ctx.port },
    {
      scenario: mwiScenario(input === 'publish' ? 'publish.xml' : 'notify_in.xml'),
      target: ctx.server.target,
      calls: n,
      rate,
      limit: Math.max(rate, 200),
      recvTimeoutMs: 4000,
      timeoutS: stepS * 4 + 30,
      args,
    },
  );
  const t1 = Date.now() / 1000;
  const d1 = await udpDrops();
  const m1 = await machineTicks();
  const uac1 = await reapedChildrenCpuSeconds();
  const uas1 = await pidCpuSeconds(ctx.sink.pid);
  const cpu1 = await ctx.server.cpuSeconds();
  const memAfter = await ctx.server.memoryBytes();

  const xs: Array<{ sent: number; recv: number }> = [];
  for (const line of await new LogTail(join(ctx.dir, `${tag}.log`)).lines()) {
    const u = parseUpdate(line);
    if (!u?.x) continue;
    xs.push(u.x);
    if (u.etag) ctx.etags.set(u.user, u.etag);
  }
  // let the last NOTIFYs arrive, then read the sink
  await new Promise((r) => setTimeout(r, 1000));
  await ctx.sink.poll();
  const counts = await callCounts(join(ctx.dir, `${tag}.csv`));
  const ok = counts.ok;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const x of xs) {
    if (x.sent < first) first = x.sent;
    if (x.recv > last) last = x.recv;
  }
  const seconds = t1 - t0;
  const spanS = xs.length > 1 && last > first ? last - first : seconds;
  const lat = ctx.sink.latenciesSentIn(t0, t1);
  const rtt = xs.map((x) => (x.recv - x.sent) * 1000);
  const serverCpuS = cpu1 - cpu0;
  const busy = m1.busy - m0.busy;
  const idle = m1.idle - m0.idle;
  const achieved = ok / spanS;
  const failPct = (100 * (n - ok)) / n;
  return {
    input,
    offered: rate,
    n,
    ok,
    failed: counts.failed,
    failPct,
    seconds,
    spanS,
    achieved,
    notifies: lat.length,
    notifyPerS: lat.length / spanS,
    latP50: percentile(lat, 50),
    latP95: percentile(lat, 95),
    latP99: percentile(lat, 99),
    rttP50: percentile(rtt, 50),
    rttP99: percentile(rtt, 99),
    serverCpuS,
    serverCores: serverCpuS / seconds,
    updatesPerCpuS: serverCpuS > 0 ? ok / serverCpuS : Number.NaN,
    notifiesPerCpuS: serverCpuS > 0 ? lat.length / serverCpuS : Number.NaN,
    uasCpuS: uas1 - uas0,
    uacCpuS: uac1 - uac0,
    machineBusyPct: busy + idle > 0 ? (100 * busy) / (busy + idle) : Number.NaN,
    otherCores: Math.max(0, busy / clkTck() - serverCpuS - (uas1 - uas0) - (uac1 - uac0)) / seconds,
    udpDrops: d1 - d0,
    memAfter,
    sustained: failPct < 1 && achieved >= 0.95 * rate && lat.length >= 0.99 * ok * ctx.fanout,
    errors: counts.failed > 0 ? await firstErrors(join(ctx.dir, `${tag}_err.log`)) : [],
  };
}

/** Other processes above this many cores during a step make a failed step worth one more try. */
export const DISTURBED_CORES = 0.25;

/**
 * Run the ladder until a step is not sustained (or the rates run out);
 * `onStep` prints. Before each step the machine must be quiet (see
 * waitForQuiet); a step that failed while other processes used more than
 * DISTURBED_CORES is run once more, and the second result counts.
 */
export async function runLadder(
  ctx: LadderContext,
  input: UpdateInput,
  rates: readonly number[],
  stepS: number,
  onStep: (s: StepResult) => void,
  log: (line: string) => void = () => undefined,
): Promise<StepResult[]> {
  const steps: StepResult[] = [];
  for (const rate of rates) {
    let s: StepResult | undefined;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const q = await waitForQuiet();
      if (q.waitedMs > 1000)
        log(
          `    (waited ${(q.waitedMs / 1000).toFixed(1)} s for other processes; ${q.cores.toFixed(2)} cores busy before the step)`,
        );
      s = await runStep(ctx, input, rate, stepS);
      onStep(s);
      if (s.sustained || s.otherCores <= DISTURBED_CORES || attempt === 2) break;
      log(`    (other processes used ${s.otherCores.toFixed(2)} cores during that step: once more)`);
      if (input === 'publish' && s.ok < s.n) {
        // PUBLISHes that timed out at SIPp may still have changed the entity-tag on the server (then 412s):
        // take fresh publications first, as the ladder's start does (not timed).
        const init = await initialPublish(ctx);
        log(`    (entity-tags renewed: ${init.ok} initial PUBLISHes, ${init.failed} failed)`);
        await new Promise((r) => setTimeout(r, 1000));
        await ctx.sink.poll();
      }
    }
    if (!s) break;
    steps.push(s);
    if (!s.sustained) break;
  }
  return steps;
}

/** The highest step before the first unsustained one. */
export function maxSustained(steps: readonly StepResult[]): StepResult | undefined {
  let best: StepResult | undefined;
  for (const s of steps) {
    if (!s.sustained) break;
    best = s;
  }
  return best;
}
