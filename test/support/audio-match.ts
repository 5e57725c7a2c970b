/**
 * Compare a stored recording with the audio a peer sent: decode the G.711
 * payloads of a SIPp pcap and find the best normalised correlation over
 * small lags (the recording may start a little earlier or later).
 */
import { readFileSync } from 'node:fs';
import { g711DecodeTable, type G711Law } from '../../src/media/g711.js';
import { readWav } from '../../src/media/wav.js';
import { readPcapUdp } from './pcap.js';

/** The linear samples of every RTP payload of `law` in a pcap (12-byte headers, no CSRC). */
export function pcapSamples(file: string, law: G711Law): Int16Array {
  const table = g711DecodeTable(law);
  const out: number[] = [];
  for (const p of readPcapUdp(file)) for (const b of p.payload.subarray(12)) out.push(table[b] as number);
  return Int16Array.from(out);
}

/** Best correlation of `ref` inside `rec` over lags of +-maxLag samples. */
export function bestCorrelation(ref: Int16Array, rec: Int16Array, maxLag = 1600): { lag: number; correlation: number } {
  let best = { lag: 0, correlation: -1 };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < ref.length; i += 2) {
      const j = i + lag;
      if (j < 0 || j >= rec.length) continue;
      const x = ref[i] as number;
      const y = rec[j] as number;
      sxy += x * y;
      sxx += x * x;
      syy += y * y;
    }
    const c = sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
    if (c > best.correlation) best = { lag, correlation: c };
  }
  return best;
}

/** The samples of a WAV file. */
export function wavSamples(file: string): { sampleRate: number; samples: Int16Array } {
  return readWav(readFileSync(file));
}

/** Mean absolute level of each `frame`-sample frame. */
function envelope(x: Int16Array, frame: number): Float64Array {
  const out = new Float64Array(Math.floor(x.length / frame));
  for (let f = 0; f < out.length; f++) {
    let s = 0;
    for (let i = f * frame; i < (f + 1) * frame; i++) s += Math.abs(x[i] as number);
    out[f] = s / frame;
  }
  return out;
}

/**
 * Where `ref` is inside a longer `rec` (e.g. a message inside everything a
 * phone heard): the level envelopes (10 ms frames) find the rough place,
 * then the samples the exact one. Returns the correlation there.
 */
export function locate(ref: Int16Array, rec: Int16Array): { offset: number; correlation: number } {
  const frame = 80;
  const a = envelope(ref, frame);
  const b = envelope(rec, frame);
  const meanA = a.reduce((s, v) => s + v, 0) / (a.length || 1);
  let bestFrame = 0;
  let bestScore = -Infinity;
  for (let lag = 0; lag + a.length <= b.length; lag++) {
    let sxy = 0;
    let syy = 0;
    for (let i = 0; i < a.length; i++) {
      const y = b[lag + i] as number;
      sxy += ((a[i] as number) - meanA) * y;
      syy += y * y;
    }
    const score = syy > 0 ? sxy / Math.sqrt(syy) : -Infinity;
    if (score > bestScore) {
      bestScore = score;
      bestFrame = lag;
    }
  }
  const start = bestFrame * frame;
  const window = rec.subarray(Math.max(0, start - 2 * frame), Math.min(rec.length, start + ref.length + 2 * frame));
  const fine = bestCorrelation(ref, window, 2 * frame);
  return { offset: Math.max(0, start - 2 * frame) + fine.lag, correlation: fine.correlation };
}
