/**
 * Printing the MWI benchmark: one line per ladder step (as the anchor's
 * analyze.py), then openum and Kamailio side by side with openum's ratio to
 * Kamailio, per wall second and per server CPU-second, and the targets
 * (bench/mwi/README.md).
 */
import { maxSustained, type StepResult } from './ladder.js';
import type { RestartResult, SubscribeResult } from './phases.js';

/** Everything measured on one server. */
export interface ServerRun {
  name: string;
  memoryLabel: string;
  sub: SubscribeResult;
  publish: StepResult[];
  notify: StepResult[];
  restart?: RestartResult;
  logErrors: number;
}

const f0 = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '-');
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '-');
const mb = (b: number): string => f1(b / 2 ** 20);

export const STEP_HEADER =
  '  server   input   offered achieved  fail%  NOTIFY/s  lat p50/p95/p99 ms      upd rtt p50/p99  srv CPU-s cores  upd/CPU-s NFY/CPU-s  UAS/UAC CPU-s busy% other udpDrop memMB ok?';

export function formatStep(server: string, s: StepResult): string {
  return (
    `  ${server.padEnd(8)} ${s.input.padEnd(7)} ${String(s.offered).padStart(7)} ${f0(s.achieved).padStart(8)} ${f2(s.failPct).padStart(6)} ` +
    `${f0(s.notifyPerS).padStart(9)}  ${f2(s.latP50).padStart(6)}/${f2(s.latP95).padStart(6)}/${f2(s.latP99).padStart(7)}  ` +
    `${f2(s.rttP50).padStart(6)}/${f2(s.rttP99).padStart(7)}  ${f2(s.serverCpuS).padStart(9)} ${f2(s.serverCores).padStart(5)} ` +
    `${f0(s.updatesPerCpuS).padStart(10)} ${f0(s.notifiesPerCpuS).padStart(9)}  ${f2(s.uasCpuS).padStart(5)}/${f2(s.uacCpuS).padStart(5)} ` +
    `${f0(s.machineBusyPct).padStart(5)} ${f2(s.otherCores).padStart(5)} ${String(s.udpDrops).padStart(7)} ${mb(s.memAfter).padStart(5)} ${s.sustained ? 'yes' : 'NO'}` +
    (s.errors.length > 0 ? `\n      first errors: ${s.errors.join(' | ')}` : '')
  );
}

export function formatSubscribe(server: string, label: string, s: SubscribeResult): string {
  return (
    `  ${server}: ${s.ok}/${s.requested} subscribed, ${s.failed} failed, in ${f2(s.spanS)} s (wall ${f2(s.wallS)} s) = ${f0(s.rate)}/s; ` +
    `server CPU ${f2(s.cpuS)} s = ${f0(s.perCpuS)} per CPU-s; SIPp CPU ${f2(s.sippCpuS)} s, other processes ${f2(s.otherCores)} cores; SUBSCRIBE->NOTIFY p50 ${f2(s.p50Ms)} ms p99 ${f2(s.p99Ms)} ms\n` +
    `      ${label}: idle ${mb(s.memIdle)} MB, 1 s after ${mb(s.mem1s)} MB, 6 s after ${mb(s.mem6s)} MB (${f0((s.mem6s - s.memIdle) / s.ok)} B each), ` +
    `${f0(s.settleS)} s after ${mb(s.memSettled)} MB -> ${f0(s.bytesPerSub)} B per subscription` +
    (s.gc
      ? `\n      after a forced full GC: VmRSS idle ${mb(s.gc.rssIdle)} MB, held ${mb(s.gc.rssSettled)} MB -> ${f0(s.gc.rssPerSub)} B per subscription; ` +
        `JS heap in use ${mb(s.gc.heapIdle)} -> ${mb(s.gc.heapSettled)} MB = ${f0(s.gc.heapPerSub)} B per subscription`
      : '') +
    (s.errors.length > 0 ? `\n      first errors: ${s.errors.join(' | ')}` : '')
  );
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}x` : '-';
}

function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

type Row = [string, string, string, string, string?];

function table(rows: Row[]): string {
  const w = [0, 0, 0, 0];
  for (const r of rows) for (let i = 0; i < 4; i++) w[i] = Math.max(w[i] as number, (r[i] ?? '').length);
  return rows
    .map(
      (r) =>
        `  ${r[0].padEnd(w[0] as number)} | ${r[1].padStart(w[1] as number)} | ${r[2].padStart(w[2] as number)} | ` +
        `${r[3].padStart(w[3] as number)}${r[4] ? ` | ${r[4]}` : ''}`,
    )
    .join('\n');
}

/** The side-by-side summary. `k` may be missing (Kamailio not installed). */
export function formatSummary(
  o: ServerRun,
  k: ServerRun | undefined,
  big: SubscribeResult | undefined,
  n: number,
): string {
  const na = Number.NaN;
  const ob = maxSustained(o.publish);
  const kb = k ? maxSustained(k.publish) : undefined;
  const rows: Row[] = [['figure', 'openum', 'Kamailio', 'openum/Kamailio', 'target / note']];
  const add = (name: string, a: number, b: number, fmt: (x: number) => string, note?: string): void => {
    rows.push([name, fmt(a), fmt(b), ratio(a, b), note]);
  };
  const ks = k?.sub;
  add(
    'SUBSCRIBE->NOTIFY setups per wall second',
    o.sub.rate,
    ks?.rate ?? na,
    f0,
    '>= 1x (openum adds a 401 digest round trip)',
  );
  add('  per server CPU-second', o.sub.perCpuS, ks?.perCpuS ?? na, f0);
  add('  SUBSCRIBE->initial NOTIFY p50 ms', o.sub.p50Ms, ks?.p50Ms ?? na, f2);
  add('  SUBSCRIBE->initial NOTIFY p99 ms', o.sub.p99Ms, ks?.p99Ms ?? na, f2);
  add(
    `memory per held subscription, B (${o.memoryLabel} / ${k?.memoryLabel ?? 'shm'})`,
    o.sub.bytesPerSub,
    ks?.bytesPerSub ?? na,
    f0,
    `N=${n}; read ${f0(o.sub.settleS)} s / ${f0(ks?.settleS ?? na)} s after the last SUBSCRIBE`,
  );
  if (o.sub.gc) {
    add('  openum VmRSS after a forced full GC, per subscription, B', o.sub.gc.rssPerSub, ks?.bytesPerSub ?? na, f0);
    add('  openum JS heap in use after a full GC, per subscription, B', o.sub.gc.heapPerSub, ks?.bytesPerSub ?? na, f0);
  }
  add(
    'max sustained PUBLISH->NOTIFY per wall second',
    ob?.notifyPerS ?? na,
    kb?.notifyPerS ?? na,
    f0,
    `offered ${ob?.offered ?? '-'} / ${kb?.offered ?? '-'} per s`,
  );
  add(
    '  NOTIFYs per server CPU-second at that step',
    ob?.notifiesPerCpuS ?? na,
    kb?.notifiesPerCpuS ?? na,
    f0,
    '>= 1.5x',
  );
  add('  PUBLISH+NOTIFY pairs per server CPU-second', ob?.updatesPerCpuS ?? na, kb?.updatesPerCpuS ?? na, f0);
  add('  server cores busy at that step', ob?.serverCores ?? na, kb?.serverCores ?? na, f2);
  add('  update->NOTIFY p50 ms at that step', ob?.latP50 ?? na, kb?.latP50 ?? na, f2, 'each at its own max rate');
  add('  update->NOTIFY p99 ms at that step', ob?.latP99 ?? na, kb?.latP99 ?? na, f2, 'each at its own max rate');
  // the same offered rate on both: the fairest per-CPU comparison (efficiency moves with load)
  const common = o.publish.filter((s) => s.sustained && k?.publish.some((t) => t.sustained && t.offered === s.offered));
  const top = common[common.length - 1];
  const kt = top && k?.publish.find((t) => t.offered === top.offered);
  if (top && kt) {
    add(
      `at ${top.offered}/s on both: NOTIFYs per server CPU-second`,
      top.notifiesPerCpuS,
      kt.notifiesPerCpuS,
      f0,
      '>= 1.5x',
    );
    add(`at ${top.offered}/s on both: update->NOTIFY p99 ms`, top.latP99, kt.latP99, f2);
    const rs = common.map(
      (s) => s.notifiesPerCpuS / (k?.publish.find((t) => t.offered === s.offered)?.notifiesPerCpuS ?? na),
    );
    rows.push([
      'median over common sustained rates: NOTIFY per CPU-s ratio',
      '',
      '',
      `${f2(median(rs))}x`,
      `${common.length} rates`,
    ]);
  }
  const below = o.publish.filter((s) => s.sustained && s !== ob);
  const worst = below.reduce((m, s) => Math.max(m, s.latP99), Number.NEGATIVE_INFINITY);
  rows.push([
    'openum worst p99 ms below its sustained rate',
    f2(worst),
    '',
    '',
    below.length === 0 ? 'no sustained step below the max' : `< 20 ms: ${worst < 20 ? 'met' : 'MISSED'}`,
  ]);
  const on = maxSustained(o.notify);
  const kn = k ? maxSustained(k.notify) : undefined;
  if (o.notify.length > 0) {
    add(
      'out-of-dialog NOTIFY input: max sustained NOTIFY/s',
      on?.notifyPerS ?? na,
      kn?.notifyPerS ?? na,
      f0,
      k?.notify.length ? '' : 'vs Kamailio PUBLISH',
    );
    add(
      '  NOTIFYs per server CPU-second at that step',
      on?.notifiesPerCpuS ?? na,
      kn?.notifiesPerCpuS ?? kb?.notifiesPerCpuS ?? na,
      f0,
    );
    add('  update->NOTIFY p99 ms at that step', on?.latP99 ?? na, kn?.latP99 ?? na, f2);
  }
  if (o.restart) {
    const r = o.restart;
    rows.push([
      'restart: kill -9 .. state re-sent to all N, s',
      f2(r.allS),
      'n/a',
      '',
      `${r.renotified}/${r.subscriptions} dialogs; ready after ${f2(r.startS)} s`,
    ]);
    rows.push([
      '  re-sends per wall second / per server CPU-second',
      `${f0(r.rate)} / ${f0(r.renotified / r.cpuS)}`,
      'n/a',
      '',
      `new process CPU ${f2(r.cpuS)} s, RSS ${mb(r.rssAfter)} MB`,
    ]);
  }
  if (big) {
    rows.push([
      `${big.requested} held subscriptions: RSS per subscription, B`,
      f0(big.bytesPerSub),
      '',
      '',
      `${big.bytesPerSub <= 1024 ? '<= 1 KiB: met' : '<= 1 KiB: MISSED'} (read ${f0(big.settleS)} s after)`,
    ]);
    if (big.idle) {
      rows.push([
        `  ${f0(big.idle.idleS)} s idle, no forced GC (V8's own reducer): RSS per subscription, B`,
        f0(big.idle.bytesPerSub),
        '',
        '',
        big.idle.bytesPerSub <= 1024 ? '<= 1 KiB: met' : '<= 1 KiB: MISSED',
      ]);
    }
    if (big.gc) {
      rows.push([
        '  after a forced full GC: RSS / JS heap per subscription, B',
        `${f0(big.gc.rssPerSub)} / ${f0(big.gc.heapPerSub)}`,
        '',
        '',
        big.gc.rssPerSub <= 1024 ? '<= 1 KiB: met' : '<= 1 KiB: MISSED',
      ]);
    }
    rows.push([
      `  setups per wall second / per CPU-second`,
      `${f0(big.rate)} / ${f0(big.perCpuS)}`,
      '',
      '',
      `${big.ok} ok, ${big.failed} failed`,
    ]);
  }
  rows.push(['ERROR lines in the server log', String(o.logErrors), String(k?.logErrors ?? '-'), '']);
  const other = (r: ServerRun | undefined): number =>
    Math.max(0, ...[...(r?.publish ?? []), ...(r?.notify ?? [])].map((s) => s.otherCores));
  rows.push([
    'max cores used by OTHER processes during a step',
    f2(other(o)),
    f2(other(k)),
    '',
    'should be ~0; above ~0.2 the wall-clock figures are disturbed',
  ]);
  return table(rows);
}
