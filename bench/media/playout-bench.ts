/**
 * Playout benchmark: N RTP sessions on 127.0.0.1, each playing 8 s of
 * PCMU at ptime 20 through the one PlayoutClock, to N sockets in a separate
 * receiver process that measures what arrives (inter-arrival per stream,
 * loss), so the pacing is judged by a receiver, not by the sender.
 *
 *   npm run build && node dist/bench/media/playout-bench.js [200,500,1000]
 *
 * Env: BENCH_RTP_PORTS (default 30000-39999), BENCH_PLAY_S (default 8).
 * Everything it starts (the receiver child, the sockets) it stops itself.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { monotonicClock, PlayoutClock } from '../../src/media/playout-clock.js';
import { parsePortRange, PortPool } from '../../src/media/port-pool.js';
import { RtpSession } from '../../src/media/rtp-session.js';

/** Inter-arrival histogram: 0.1 ms bins up to 200 ms, the last bin takes the rest. */
const BIN_MS = 0.1;
const BINS = 2001;

interface ReceiverReport {
  packets: number;
  rtcp: number;
  streams: number;
  histogram: number[];
  maxMs: number;
  cpuS: number;
}

function percentile(h: readonly number[], p: number): number {
  const total = h.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i] as number;
    if (seen >= total * p) return i * BIN_MS;
  }
  return Number.NaN;
}

/** The child: N sockets; per stream the time between consecutive RTP packets. */
async function receiver(n: number): Promise<void> {
  const histogram = new Array<number>(BINS).fill(0);
  let packets = 0;
  let rtcp = 0;
  let maxMs = 0;
  const last = new Float64Array(n).fill(-1);
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    s.on('message', (m) => {
      const t = performance.now();
      const pt = m[1] as number;
      if (pt >= 192 && pt <= 223) {
        rtcp++; // RFC 5761 section 4: RTCP on the muxed port
        return;
      }
      packets++;
      const prev = last[i] as number;
      last[i] = t;
      if (prev < 0) return;
      const d = t - prev;
      if (d > maxMs) maxMs = d;
      const bin = Math.min(BINS - 1, Math.round(d / BIN_MS));
      histogram[bin] = (histogram[bin] as number) + 1;
    });
    sockets.push(s);
  }
  const cpu0 = process.cpuUsage();
  process.send?.({ ports: sockets.map((s) => s.address().port) });
  process.on('message', () => {
    const c = process.cpuUsage(cpu0);
    const report: ReceiverReport = {
      packets,
      rtcp,
      streams: last.filter((x) => x >= 0).length,
      histogram,
      maxMs,
      cpuS: (c.user + c.system) / 1e6,
    };
    process.send?.(report, () => {
      for (const s of sockets) s.close();
      process.disconnect();
    });
  });
}

function once<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`receiver exited (${code})`)));
  });
}

async function run(n: number, pool: PortPool, seconds: number): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['receiver', String(n)], { stdio: 'inherit' });
  try {
    const { ports } = await once<{ ports: number[] }>(child);
    const playout = new PlayoutClock(monotonicClock());
    const sessions: RtpSession[] = [];
    for (const port of ports) {
      const remote = { address: '127.0.0.1', port };
      const audio = {
        law: 'PCMU' as const,
        payloadType: 0,
        dtmfPayloadType: 101,
        ptimeMs: 20,
        remote,
        remoteRtcpPort: port,
        rtcpMux: true,
        direction: 'sendrecv' as const,
      };
      sessions.push(new RtpSession({ ports: await pool.open('127.0.0.1', true), audio, playout, idle: 'nothing' }));
    }
    const clip = Int16Array.from({ length: seconds * 8000 }, (_, i) => Math.round(6000 * Math.sin(i / 5)));
    // calls start at random moments: spread the starts over one packet time, as real arrivals would be
    await new Promise((r) => setTimeout(r, 200));
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const elu0 = performance.eventLoopUtilization();
    const plays = sessions.map(
      (s) => new Promise((resolve) => setTimeout(() => resolve(s.play(clip)), Math.random() * 20)),
    );
    await Promise.all(plays);
    const wallS = (performance.now() - wall0) / 1000;
    const c = process.cpuUsage(cpu0);
    const elu = performance.eventLoopUtilization(elu0).utilization;
    await new Promise((r) => setTimeout(r, 300)); // let the last packets land
    child.send('report');
    const r = await once<ReceiverReport>(child);
    const sent = sessions.reduce((a, s) => a + s.stats().sent, 0);
    const skipped = sessions.reduce((a, s) => a + s.stats().sendSkipped + s.stats().sendErrors, 0);
    const cpuS = (c.user + c.system) / 1e6;
    const h = r.histogram;
    console.log(
      [
        String(n).padStart(5),
        String(sent).padStart(8),
        cpuS.toFixed(2).padStart(6),
        Math.round(sent / cpuS)
          .toString()
          .padStart(9),
        (elu * 100).toFixed(0).padStart(4) + '%',
        wallS.toFixed(2).padStart(6),
        String(sent - r.packets).padStart(6),
        String(skipped).padStart(5),
        percentile(h, 0.5).toFixed(1).padStart(6),
        percentile(h, 0.99).toFixed(1).padStart(6),
        percentile(h, 0.999).toFixed(1).padStart(6),
        r.maxMs.toFixed(1).padStart(6),
        String(playout.underruns).padStart(5),
        playout.maxLateMs.toFixed(1).padStart(6),
        r.cpuS.toFixed(2).padStart(6),
      ].join(' '),
    );
    for (const s of sessions) s.close();
    playout.close();
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'receiver') return receiver(Number(process.argv[3]));
  const counts = (process.argv[2] ?? '200,500,1000').split(',').map(Number);
  const { lo, hi } = parsePortRange(process.env['BENCH_RTP_PORTS'] ?? '30000-39999');
  const seconds = Number(process.env['BENCH_PLAY_S'] ?? 8);
  const pool = new PortPool(lo, hi);
  const cpu = cpus();
  console.log(`playout bench: node ${process.version}, ${cpu.length} x ${cpu[0]?.model.trim() ?? 'cpu'}`);
  console.log(`each session plays ${seconds} s of PCMU, ptime 20, to its own socket in a receiver process`);
  console.log(
    'calls     sent  cpu_s  pkt/cpu_s  elu  wall_s  lost  skip  ia_p50 ia_p99 ia_p999 ia_max under late_max rx_cpu',
  );
  for (const n of counts) await run(n, pool, seconds);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
