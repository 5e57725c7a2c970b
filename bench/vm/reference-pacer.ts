/**
 * The host's floor for RTP pacing, measured beside openum in the same step:
 * a Node process that does nothing but send as many G.711 streams as the probe at
 * ptime 20 on a fixed 20 ms grid (one timer, the next wake-up computed from
 * the grid, as openum's playout clock does), to ports nobody reads. The
 * bench's tcpdump captures these too; their intervals are what any Node
 * sender achieves on this host under the same load, so openum's figure can
 * be read against it instead of against an idle machine.
 *
 * Run: node dist/bench/vm/reference-pacer.js '{"dstBase":61100,"streams":8,"ms":7000}'
 */
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { REFERENCE_SSRC } from './wire-jitter.js';

const PTIME = 20;

interface PacerConfig {
  dstBase: number;
  streams: number;
  ms: number;
}

async function run(c: PacerConfig): Promise<void> {
  const sink = await Promise.all(
    Array.from({ length: c.streams }, async (_, i) => {
      const s = createSocket('udp4');
      await new Promise<void>((r) => s.bind(c.dstBase + 2 * i, '127.0.0.1', r));
      s.on('message', () => undefined);
      return s;
    }),
  );
  const tx = createSocket('udp4');
  await new Promise<void>((r) => tx.bind(0, '127.0.0.1', r));
  const packets = Array.from({ length: c.streams }, (_, i) => {
    const b = Buffer.alloc(12 + 160, 0xd5);
    b[0] = 0x80;
    b[1] = 8;
    b.writeUInt32BE(REFERENCE_SSRC + i, 8);
    return b;
  });
  const start = performance.now();
  let k = 0;
  await new Promise<void>((done) => {
    const fire = (): void => {
      const now = performance.now();
      if (now - start >= c.ms) return done();
      if (now >= start + k * PTIME - 1) {
        for (let i = 0; i < c.streams; i++) {
          const b = packets[i] as Buffer;
          b.writeUInt16BE(k & 0xffff, 2);
          b.writeUInt32BE((k * 160) >>> 0, 4);
          tx.send(b, c.dstBase + 2 * i, '127.0.0.1');
        }
        k++;
      }
      setTimeout(fire, Math.max(0, Math.ceil(start + k * PTIME - performance.now())));
    };
    fire();
  });
  tx.close();
  for (const s of sink) s.close();
}

run(JSON.parse(process.argv[2] ?? '{}') as PacerConfig).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`reference-pacer: ${String(e)}\n`);
    process.exit(1);
  },
);
