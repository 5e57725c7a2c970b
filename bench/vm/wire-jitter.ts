/**
 * The pacing of openum's outgoing RTP as the wire sees it: tcpdump on the
 * loopback interface captures the packets openum sends to the probe phone's
 * RTP ports, and the kernel's capture timestamps (taken when openum's
 * sendmsg hands the packet to `lo`) give the intervals between consecutive
 * packets of each stream (by SSRC).
 *
 * The probe phone measures the same streams in user space, where its own
 * scheduling adds to what it sees: on a 2-core host shared with SIPp's
 * threads and openum, the probe waits for a CPU now and then, and its
 * figure is openum's jitter plus its own. The capture has no such wait, so
 * the two side by side tell openum's part from the receiver's. Needs
 * tcpdump (Debian `tcpdump`) and the right to capture (root or
 * CAP_NET_RAW); without them the bench says so and goes on.
 */
import { ManagedProcess } from '../../test/support/child-process.js';
import { readPcapUdp } from '../../test/support/pcap.js';
import { findBinary } from '../../test/support/peers.js';

const BIN_MS = 0.1;
/** SSRCs of reference-pacer.ts's streams: REFERENCE_SSRC + i; every other SSRC is openum's. */
export const REFERENCE_SSRC = 0x7ef00000;

export interface WireJitter {
  streams: number;
  intervals: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** |interval - ptime| at p99 */
  jitterP99Ms: number;
}

export interface Capture {
  /** Stop capturing and read the intervals of openum's streams and the reference's; undefined when the capture failed. */
  stop(ptimeMs: number, payloadType: number): Promise<{ openum: WireJitter; reference: WireJitter } | undefined>;
}

/**
 * Start capturing UDP to ports `lo..hi` on `lo`; undefined (with the reason
 * in `why`) when tcpdump is missing or may not capture.
 */
export async function startCapture(file: string, lo: number, hi: number): Promise<{ capture?: Capture; why?: string }> {
  const tcpdump = findBinary('tcpdump');
  if (!tcpdump) return { why: 'tcpdump not found (apt-get install tcpdump)' };
  const proc = new ManagedProcess(tcpdump, [
    '-i',
    'lo',
    '-n',
    '-s',
    '96',
    '-U',
    '-w',
    file,
    `udp and dst portrange ${lo}-${hi}`,
  ]);
  const ok = await proc.waitFor((_out, err) => /listening on/.test(err), 5000);
  if (!ok) {
    await proc.stop(1000);
    return { why: `tcpdump did not start: ${proc.stderr.trim().split('\n').pop() ?? ''}` };
  }
  return {
    capture: {
      async stop(
        ptimeMs: number,
        payloadType: number,
      ): Promise<{ openum: WireJitter; reference: WireJitter } | undefined> {
        await proc.stop(2000);
        try {
          const isReference = (ssrc: number): boolean => ssrc >= REFERENCE_SSRC && ssrc < REFERENCE_SSRC + 256;
          return {
            openum: intervals(file, ptimeMs, payloadType, (ssrc) => !isReference(ssrc)),
            reference: intervals(file, ptimeMs, payloadType, isReference),
          };
        } catch {
          return undefined;
        }
      },
    },
  };
}

function intervals(file: string, ptimeMs: number, payloadType: number, take: (ssrc: number) => boolean): WireJitter {
  const last = new Map<number, number>();
  const all: number[] = [];
  for (const d of readPcapUdp(file)) {
    const p = d.payload;
    if (p.length < 12 || (p[0] as number) >> 6 !== 2 || ((p[1] as number) & 0x7f) !== payloadType) continue;
    const ssrc = p.readUInt32BE(8);
    if (!take(ssrc)) continue;
    const t = d.time * 1000;
    const before = last.get(ssrc);
    if (before !== undefined) all.push(t - before);
    last.set(ssrc, t);
  }
  const sorted = Float64Array.from(all).sort();
  const jit = Float64Array.from(all, (x) => Math.abs(x - ptimeMs)).sort();
  const at = (a: Float64Array, q: number): number =>
    a.length === 0
      ? Number.NaN
      : Math.round((a[Math.min(a.length - 1, Math.floor(a.length * q))] as number) / BIN_MS) * BIN_MS;
  return {
    streams: last.size,
    intervals: all.length,
    p50Ms: at(sorted, 0.5),
    p99Ms: at(sorted, 0.99),
    maxMs: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
    jitterP99Ms: at(jit, 0.99),
  };
}
