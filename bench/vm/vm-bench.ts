/**
 * bench:vm (issue item 7): SIPp deposits voice messages into `openum serve`
 * at rising concurrency until it breaks; per step: calls completed, RTP
 * packets received vs sent, stored duration error, the inter-arrival p99 of
 * openum's outgoing greeting measured by a separate receiver process
 * (probe-phone.ts), openum's CPU per call-second and RSS per call, SIPp's CPU;
 * then the node:dgram floor (bench/mwi/udp-floor.js, Kamailio skipped) in the
 * same run, to compare packets per CPU-second.
 *
 *   npm run bench:vm
 *
 * Settings (environment): VM_STEPS (50,100,200,400,800,1200,1600), VM_RAMP_S
 * (4: the calls of a step start over this many seconds), VM_PROBES (8 probe
 * calls per step), VM_SIPP_NICE (0: SIPp's nice level),
 * VM_MEDIA (stream: SIPp's rtp_stream, default; pcap: play_pcap_audio, a thread per call),
 * VM_FLOOR (0 skips the floor), VM_FLOOR_RATES (20000,40000 pairs/s), VM_NODE_ARGS (node options
 * for openum, e.g. --cpu-prof --cpu-prof-dir=DIR), VM_KEEP
 * (keep the data dir, SIPp files and openum's output there).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStorage } from '../../src/app/open-storage.js';
import { ManagedProcess, runProcess } from '../../test/support/child-process.js';
import { repoRoot } from '../../test/support/openum-process.js';
import { findBinary } from '../../test/support/peers.js';
import { readPcapUdp } from '../../test/support/pcap.js';
import { sippArgs } from '../../test/support/sipp.js';
import { makeTempDir, removeTempDir } from '../../test/support/temp-dir.js';
import { callCounts, firstErrors } from '../mwi/bench-logs.js';
import { machineTicks, pidCpuSeconds, clkTck, udpDrops, vmRssBytes, waitForQuiet } from '../mwi/proc-stats.js';
import { SIPP_BUFFER } from '../mwi/sipp-runner.js';
import type { ProbeReport } from './probe-phone.js';
import { startCapture, type WireJitter } from './wire-jitter.js';
import { metricValue, PROBE_MAILBOX, startVmServer, VM_DOMAIN, type VmServer } from './vm-server.js';

const PCAP_DIR = '/usr/share/sip-tester';
/** The scenario's time after the ACK: 1.5 + 1.5 + 7.2 + 1.5 s. */
const CALL_S = 11.7;
/** How SIPp sends the message: rtp_stream (a few threads) or play_pcap_audio (a thread per call). */
type Media = 'stream' | 'pcap';
const EXPECTED_MS = 7080;

function numbers(env: string | undefined, fallback: number[]): number[] {
  const xs = (env ?? '')
    .split(/[ ,]+/)
    .map(Number)
    .filter((x) => Number.isFinite(x) && x > 0);
  return xs.length > 0 ? xs : fallback;
}

const f = (x: number, d = 0): string => (Number.isFinite(x) ? x.toFixed(d) : '-');

interface Sample {
  t: number;
  openumCpu: number;
  sippCpu: number;
  rss: number;
  busy: number;
  idle: number;
}

interface StepResult {
  n: number;
  ok: number;
  failed: number;
  stored: number;
  sippSent: number;
  received: number;
  lostSeq: number;
  late: number;
  underruns: number;
  sent: number;
  lossPct: number;
  durErrMeanMs: number;
  durErrMaxMs: number;
  durBad: number;
  /** mean of (stored - 7080 ms): negative = shorter than the pcap */
  durSignedMeanMs: number;
  probe: ProbeReport | undefined;
  /** the probe's streams and the reference pacer's as tcpdump timestamps them on lo, or why not */
  wire: { openum: WireJitter; reference: WireJitter } | string;
  openumCpuS: number;
  cpuMsPerCallS: number;
  pktPerCpuS: number;
  plateauOpenumCores: number;
  plateauSippCores: number;
  plateauMachineCores: number;
  sippCpuS: number;
  rssPeak: number;
  rssPerCallKiB: number;
  udpDrops: number;
  outcomes: string;
  /** GC (major/minor: count, total pause ms) and event-loop delay (p99/max ms) over the step, from /metrics */
  loop: string;
  wallS: number;
  load: string;
  breaks: string[];
  sippErrors: string[];
}

async function procLimit(name: string): Promise<string> {
  const text = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? line.replace(/\s+/g, ' ').trim() : '?';
}

function rtpFacts(text: string): Record<string, number> {
  const kinds = ['received', 'lost', 'late', 'sent'];
  const out: Record<string, number> = {};
  for (const k of kinds) out[k] = metricValue(text, 'openum_rtp_packets_total', `kind="${k}"`);
  out['deposited'] = metricValue(text, 'openum_messages_deposited_total');
  out['underruns'] = metricValue(text, 'openum_playout_underruns');
  for (const kind of ['major', 'minor']) {
    out[`gc_${kind}_s`] = metricValue(text, 'openum_nodejs_gc_duration_seconds_sum', `kind="${kind}"`);
    out[`gc_${kind}_n`] = metricValue(text, 'openum_nodejs_gc_duration_seconds_count', `kind="${kind}"`);
  }
  // prom-client resets the loop-delay histogram at each scrape: these are over the step
  out['lag_p99'] = metricValue(text, 'openum_nodejs_eventloop_lag_p99_seconds');
  out['lag_max'] = metricValue(text, 'openum_nodejs_eventloop_lag_max_seconds');
  return out;
}

function outcomeCounts(before: string, after: string): string {
  const parse = (t: string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const x of t.matchAll(/^openum_calls_total\{event="([^"]+)"\} (\S+)/gm)) m.set(x[1] as string, Number(x[2]));
    return m;
  };
  const a = parse(before);
  const b = parse(after);
  return [...b]
    .map(([k, v]) => [k, v - (a.get(k) ?? 0)] as const)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

/** Cores used between the samples nearest to t0 and t1 (seconds since the step began). */
function coresBetween(s: Sample[], t0: number, t1: number): { openum: number; sipp: number; machine: number } {
  const near = (t: number): Sample =>
    s.reduce((best, x) => (Math.abs(x.t - t) < Math.abs(best.t - t) ? x : best), s[0] as Sample);
  const a = near(t0);
  const b = near(t1);
  const dt = b.t - a.t;
  if (dt <= 0) return { openum: Number.NaN, sipp: Number.NaN, machine: Number.NaN };
  return {
    openum: (b.openumCpu - a.openumCpu) / dt,
    sipp: (b.sippCpu - a.sippCpu) / dt,
    machine: (b.busy - a.busy) / clkTck() / dt,
  };
}

/** The probe phone's RTP ports: above Linux's ephemeral range (32768-60999), so that tcpdump can filter on them. */
const PROBE_RTP_BASE = 61000;
/** Where reference-pacer.ts sends (its own sockets, never read). */
const REFERENCE_BASE = 61100;

/** The host's floor for pacing, beside the probe: reference-pacer.js sends as many streams for as long. */
async function runReference(streams: number, ms: number): Promise<string | undefined> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'reference-pacer.js');
  const r = await runProcess(process.execPath, [script, JSON.stringify({ dstBase: REFERENCE_BASE, streams, ms })], {
    timeoutMs: ms + 10_000,
  });
  return r.code === 0 ? undefined : `reference pacer failed: ${r.stderr.slice(-300)}`;
}

async function runProbe(server: VmServer, calls: number): Promise<ProbeReport | undefined> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'probe-phone.js');
  const config = {
    target: server.target,
    domain: VM_DOMAIN,
    mailbox: PROBE_MAILBOX,
    calls,
    spreadMs: 1000,
    listenMs: 6000,
    deadlineMs: 20_000,
    rtpBase: PROBE_RTP_BASE,
  };
  const r = await runProcess(process.execPath, [script, JSON.stringify(config)], { timeoutMs: 30_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) {
    console.log(`  probe failed: ${r.stderr.slice(-500)}`);
    return undefined;
  }
  return JSON.parse(line) as ProbeReport;
}

async function storedMessages(dataDir: string, box: string, want: number): Promise<number[]> {
  const storage = openStorage(dataDir);
  try {
    let last = -1;
    let still = 0;
    for (let i = 0; i < 150; i++) {
      const list = await storage.listMessages(box);
      if (list.length >= want) return list.map((m) => m.durationMs);
      still = list.length === last ? still + 1 : 0;
      last = list.length;
      if (still >= 30) return list.map((m) => m.durationMs);
      await new Promise((r) => setTimeout(r, 100));
    }
    return (await storage.listMessages(box)).map((m) => m.durationMs);
  } finally {
    storage.close();
  }
}

async function runStep(
  sipp: string,
  server: VmServer,
  work: string,
  dataDir: string,
  n: number,
  o: { rampS: number; probes: number; perCall: number; idleRss: number; nice: number; media: Media },
): Promise<StepResult> {
  const box = `box${n}`;
  const rate = Math.max(10, Math.ceil(n / o.rampS));
  const stat = join(work, `stat-${n}.csv`);
  const args = await sippArgs(
    {
      scenario: join(repoRoot(), 'bench', 'sipp', o.media === 'pcap' ? 'vm-deposit-load.xml' : 'vm-deposit-stream.xml'),
      target: server.target,
      transport: 'udp',
      calls: n,
      rate,
      limit: n,
      timeoutS: Math.ceil(n / rate) + 60,
      recvTimeoutMs: 15_000,
      keys: { domain: VM_DOMAIN, mailbox: box },
      extraArgs: ['-buff_size', String(SIPP_BUFFER), '-trace_stat', '-stf', stat, '-fd', '1'],
    },
    work,
  );
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const m0 = await server.metrics();
  const drops0 = await udpDrops();
  const t0 = Date.now();
  // VM_SIPP_NICE: SIPp plays each call's pcap in a thread of its own; on a small machine its hundreds of
  // runnable threads take the CPU from openum's one event loop unless SIPp runs at a lower priority
  const proc =
    o.nice > 0
      ? new ManagedProcess('nice', ['-n', String(o.nice), sipp, ...args], { cwd: work })
      : new ManagedProcess(sipp, args, { cwd: work });
  const samples: Sample[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const tk = await machineTicks();
      samples.push({
        t: (Date.now() - t0) / 1000,
        openumCpu: await pidCpuSeconds(server.pid),
        sippCpu: await pidCpuSeconds(proc.pid ?? -1),
        rss: await vmRssBytes(server.pid),
        busy: tk.busy,
        idle: tk.idle,
      });
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const rampS = n / rate;
  await new Promise((r) => setTimeout(r, (rampS + 0.5) * 1000));
  const cap =
    o.probes > 0
      ? await startCapture(join(work, `probe-${n}.pcap`), PROBE_RTP_BASE, REFERENCE_BASE + 2 * o.probes)
      : { why: 'no probe' };
  const [probe] = await Promise.all([
    o.probes > 0 ? runProbe(server, o.probes) : undefined,
    // the probe's calls start over 1 s and listen 6 s: the reference covers that span
    o.probes > 0 && cap.capture ? runReference(o.probes, 7000) : undefined,
  ]);
  const wire = cap.capture ? ((await cap.capture.stop(20, 8)) ?? 'capture unreadable') : (cap.why ?? '?');
  const killer = setTimeout(() => void proc.stop(2000), (Math.ceil(n / rate) + 75) * 1000);
  await proc.wait();
  clearTimeout(killer);
  const wallS = (Date.now() - t0) / 1000;
  // SIPp's CPU: its last reading before it exited (sampled every 250 ms; the tail of a step is idle)
  const sippCpuS = samples.reduce((m, x) => Math.max(m, x.sippCpu), 0);
  const counts = await callCounts(stat);
  const durations = await storedMessages(dataDir, box, counts.ok);
  sampling = false;
  await sampler;
  const m1 = await server.metrics();
  const openumCpuEnd = await pidCpuSeconds(server.pid);
  const a = rtpFacts(m0);
  const b = rtpFacts(m1);
  const d = (k: string): number => (b[k] ?? 0) - (a[k] ?? 0);
  const first = samples[0] as Sample;
  const openumCpuS = openumCpuEnd - first.openumCpu;
  // the plateau: every call of the step is up (the ramp is over) and none has ended yet
  const plateau = coresBetween(samples, rampS + 1, Math.min(CALL_S, rampS + 7));
  const rssPeak = samples.reduce((m, x) => Math.max(m, x.rss), 0);
  const sippSent = counts.ok * o.perCall;
  // openum's received counter also holds the probe calls' silence
  const received = d('received') - (probe?.sent ?? 0);
  const errs = durations.map((ms) => Math.abs(ms - EXPECTED_MS));
  const lossPct = sippSent > 0 ? (100 * Math.max(0, sippSent - received)) / sippSent : Number.NaN;
  const r: StepResult = {
    n,
    ok: counts.ok,
    failed: counts.failed,
    stored: durations.length,
    sippSent,
    received,
    lostSeq: d('lost'),
    late: d('late'),
    underruns: d('underruns'),
    sent: d('sent'),
    lossPct,
    durErrMeanMs: errs.length ? errs.reduce((x, y) => x + y, 0) / errs.length : Number.NaN,
    durErrMaxMs: errs.length ? Math.max(...errs) : Number.NaN,
    durBad: errs.filter((e) => e > 200).length,
    durSignedMeanMs: durations.length
      ? durations.reduce((x, y) => x + y - EXPECTED_MS, 0) / durations.length
      : Number.NaN,
    probe,
    wire,
    openumCpuS,
    cpuMsPerCallS: (1000 * openumCpuS) / (counts.ok * CALL_S),
    pktPerCpuS: (d('received') + d('sent')) / openumCpuS,
    plateauOpenumCores: plateau.openum,
    plateauSippCores: plateau.sipp,
    plateauMachineCores: plateau.machine,
    sippCpuS,
    rssPeak,
    rssPerCallKiB: (rssPeak - Math.min(o.idleRss, first.rss)) / n / 1024,
    udpDrops: (await udpDrops()) - drops0,
    outcomes: outcomeCounts(m0, m1),
    loop:
      `GC major ${d('gc_major_n')} (${f(1000 * d('gc_major_s'), 0)} ms), minor ${d('gc_minor_n')} (${f(1000 * d('gc_minor_s'), 0)} ms); ` +
      `loop delay p99 ${f(1000 * (b['lag_p99'] ?? 0), 1)} / max ${f(1000 * (b['lag_max'] ?? 0), 1)} ms`,
    wallS,
    load,
    breaks: [],
    sippErrors: counts.failed > 0 ? await firstErrors(join(work, 'errors.log'), 3) : [],
  };
  if (r.failed > 0 || r.ok < n) r.breaks.push(`${n - r.ok} calls failed`);
  if (r.stored < r.ok) r.breaks.push(`${r.ok - r.stored} messages not stored`);
  if (r.lossPct > 0.1) r.breaks.push(`loss ${f(r.lossPct, 2)}%`);
  if (r.plateauOpenumCores >= 0.95) r.breaks.push(`openum CPU saturated (${f(r.plateauOpenumCores, 2)} cores)`);
  if (r.plateauSippCores >= 0.95) r.breaks.push(`SIPp CPU saturated (${f(r.plateauSippCores, 2)} cores)`);
  return r;
}

const HEADER =
  '  calls    ok fail stored  SIPp sent  received  loss%  seqlost  dur err mean/max ms  >200ms' +
  '  greet ia p50/p99/p99.9/max, jitter p99 ms  lost  oCPU-s  ms CPU/call-s  pkt/CPU-s  cores openum/SIPp/machine  RSS MB  KiB/call  load';

function row(r: StepResult): string {
  const p = r.probe;
  const greet = p
    ? `${f(p.p50Ms, 1)}/${f(p.p99Ms, 1)}/${f(p.p999Ms, 1)}/${f(p.maxMs, 1)} j${f(p.jitterP99Ms, 1)} (${p.answered}/${p.calls})`
    : '-';
  return [
    String(r.n).padStart(7),
    String(r.ok).padStart(5),
    String(r.failed).padStart(4),
    String(r.stored).padStart(6),
    String(r.sippSent).padStart(10),
    String(r.received).padStart(9),
    f(r.lossPct, 3).padStart(6),
    String(r.lostSeq).padStart(8),
    `${f(r.durErrMeanMs, 1)}/${f(r.durErrMaxMs, 0)}`.padStart(20),
    String(r.durBad).padStart(7),
    greet.padStart(38),
    String(p?.lost ?? '-').padStart(5),
    f(r.openumCpuS, 2).padStart(7),
    f(r.cpuMsPerCallS, 2).padStart(14),
    f(r.pktPerCpuS).padStart(10),
    `${f(r.plateauOpenumCores, 2)}/${f(r.plateauSippCores, 2)}/${f(r.plateauMachineCores, 2)}`.padStart(28),
    f(r.rssPeak / 2 ** 20, 0).padStart(7),
    f(r.rssPerCallKiB, 1).padStart(9),
    `  ${r.load}`,
  ].join(' ');
}

/** The floor: udp-floor.js alone (no Kamailio), its summary lines and datagrams per CPU-second. */
async function floor(): Promise<{ lines: string[]; datagramsPerCpuS: number[] }> {
  const script = join(repoRoot(), 'dist', 'bench', 'mwi', 'udp-floor.js');
  const env = {
    ...process.env,
    UDP_FLOOR_KAMAILIO: '0',
    UDP_FLOOR_ROUNDS: '1',
    UDP_FLOOR_RATES: process.env['VM_FLOOR_RATES'] ?? '20000,40000',
    UDP_FLOOR_DEADLINE_S: '90',
  };
  const r = await runProcess(process.execPath, [script], { env, timeoutMs: 150_000 });
  const lines = r.stdout.split('\n').filter((l) => /^(list|floor)\s/.test(l));
  const datagramsPerCpuS: number[] = [];
  const num = (x: string | undefined): number => Number((x ?? '').replace(/,/g, ''));
  for (const l of lines) {
    const cols = l.trim().split(/\s+/);
    // per-step line: list round offered upd/s achieved failed CPU-s sys% cores pairs µs/pair ...; a step that is
    // NOT CLEAN (SIPp could not keep the rate) still measured the server's CPU per datagram pair it handled
    if (cols[0] === 'list' && cols.length >= 15) datagramsPerCpuS.push((2 * 1e6) / num(cols[10]));
  }
  if (r.code !== 0) lines.push(`(udp-floor exited ${r.code}: ${r.stderr.slice(-300)})`);
  return { lines, datagramsPerCpuS };
}

async function main(): Promise<void> {
  const steps = numbers(process.env['VM_STEPS'], [50, 100, 200, 400, 800, 1200, 1600]);
  const rampS = numbers(process.env['VM_RAMP_S'], [4])[0] ?? 4;
  const probes = Number(process.env['VM_PROBES'] ?? 8);
  const nice = Number(process.env['VM_SIPP_NICE'] ?? 0) || 0;
  const sipp = findBinary('sipp');
  if (!sipp) throw new Error('sipp not found (apt-get install sip-tester)');
  const keep = process.env['VM_KEEP'];
  const dir = keep ?? (await makeTempDir('vm-bench'));
  const dataDir = join(dir, 'data');
  const media: Media = process.env['VM_MEDIA'] === 'pcap' ? 'pcap' : 'stream';
  const message = readPcapUdp(join(PCAP_DIR, 'g711a.pcap'));
  // rtp_stream sends raw payload bytes, 160 per packet for PCMA: the pcap's payloads after their RTP headers
  await mkdir(dir, { recursive: true });
  const alaw = Buffer.concat(message.map((d) => d.payload.subarray(12)));
  await writeFile(join(dir, 'g711a.alaw'), alaw);
  const perCall =
    2 * readPcapUdp(join(PCAP_DIR, 'dtmf_2833_pound.pcap')).length +
    (media === 'pcap' ? message.length : Math.ceil(alaw.length / 160));
  const cpu = cpus();
  console.log(
    `bench:vm: node ${process.version}, ${cpu.length} x ${cpu[0]?.model.trim() ?? 'cpu'}, SIPp ${sipp}; ` +
      `load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}; ${await procLimit('Max open files')}`,
  );
  console.log(
    `  each call: bench/sipp/${media === 'pcap' ? 'vm-deposit-load.xml' : 'vm-deposit-stream.xml'} (INVITE target=/cause=486, ` +
      `# after 1.5 s, g711a.pcap's 7.08 s ${media === 'pcap' ? 'by play_pcap_audio (ptime 30)' : 'by rtp_stream (ptime 20)'}, #, BYE), ` +
      `${perCall} RTP packets from SIPp; steps ${steps.join(', ')}; calls of a step started over ${rampS} s (-r N/${rampS} -l N -m N); ` +
      `${probes} probe calls per step (probe-phone.js, own process) once all are up; SIPp nice ${nice}`,
  );
  console.log('  openum: the shipped CLI (SIPp is a --trust peer: no digest, no call rate cap)');
  const server = await startVmServer({
    dataDir,
    mailboxes: steps.map((n) => `box${n}`),
    maxCalls: Math.max(...steps) + 100,
    rtpPorts: '20000-32000',
    nodeArgs: (process.env['VM_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
  });
  const results: StepResult[] = [];
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idleRss = await vmRssBytes(server.pid);
    console.log(`  openum pid ${server.pid}, idle RSS ${f(idleRss / 2 ** 20, 1)} MB`);
    console.log('');
    console.log(HEADER);
    for (const n of steps) {
      const q = await waitForQuiet(0.3, 15_000);
      const r = await runStep(sipp, server, dir, dataDir, n, { rampS, probes, perCall, idleRss, nice, media });
      results.push(r);
      console.log(row(r));
      const w = r.wire;
      console.log(
        typeof w === 'string'
          ? `         on the wire: ${w}`
          : `         on the wire (tcpdump on lo): openum's ${w.openum.streams} streams interval p50/p99/max ` +
              `${f(w.openum.p50Ms, 1)}/${f(w.openum.p99Ms, 1)}/${f(w.openum.maxMs, 1)} ms, jitter p99 ${f(w.openum.jitterP99Ms, 1)} ms ` +
              `(the probe's own: ${f(r.probe?.jitterP99Ms ?? Number.NaN, 1)} ms); reference pacer's ${w.reference.streams}: ` +
              `${f(w.reference.p50Ms, 1)}/${f(w.reference.p99Ms, 1)}/${f(w.reference.maxMs, 1)} ms, jitter p99 ${f(w.reference.jitterP99Ms, 1)} ms`,
      );
      console.log(
        `         ${r.loop}; outcomes: ${r.outcomes || '-'}; openum sent ${r.sent}, late ${r.late}, playout underruns ${r.underruns}; SIPp CPU ${f(r.sippCpuS, 2)} s; ` +
          `stored - 7080 ms: mean ${f(r.durSignedMeanMs, 1)}; UDP drops ${r.udpDrops}; wall ${f(r.wallS, 1)} s; waited ${f(q.waitedMs / 1000, 1)} s for quiet (${f(q.cores, 2)} cores busy)` +
          (r.probe
            ? `; probe ${r.probe.packets} pkts (${r.probe.audioPackets} audio), CPU ${f(r.probe.cpuS, 2)} s`
            : '') +
          (r.probe?.refused.length ? `, refused ${r.probe.refused.join(' ')}` : '') +
          (r.sippErrors.length ? `\n         SIPp errors: ${r.sippErrors.join(' | ')}` : ''),
      );
      if (r.breaks.length > 0) {
        console.log(`  BREAKS at ${n}: ${r.breaks.join('; ')}`);
        break;
      }
    }
  } finally {
    await server.stop();
    if (keep) await writeFile(join(keep, 'openum.out'), server.proc.stdout + server.proc.stderr);
  }
  const problems = server.problems();
  console.log(`\n  openum warn/error log lines: ${problems.length}`);
  for (const l of problems.slice(0, 10)) console.log(`    ${l.slice(0, 400)}`);
  if (process.env['VM_FLOOR'] !== '0') {
    console.log('\n  node:dgram floor in the same run (bench/mwi/udp-floor.js, UDP_FLOOR_KAMAILIO=0, 1 round):');
    const fl = await floor();
    for (const l of fl.lines) console.log(`    ${l}`);
    const best = Math.max(...fl.datagramsPerCpuS.filter(Number.isFinite));
    const sustained = results.filter((r) => r.breaks.length === 0);
    const top = sustained[sustained.length - 1];
    if (top && Number.isFinite(best)) {
      console.log(
        `  packets per CPU-second: openum at ${top.n} calls ${f(top.pktPerCpuS)} (RTP in + out) vs the floor's ` +
          `${f(best)} datagrams (in + out) = ${f((100 * top.pktPerCpuS) / best, 0)}% of node:dgram's limit`,
      );
    }
  }
  if (!keep) await removeTempDir(dir);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
