/**
 * WAV files (RIFF WAVE, Microsoft's "Multimedia Programming Interface and
 * Data Specifications 1.0", and RFC 2361 for the format tags): written as
 * 16-bit linear PCM, read from linear PCM (8, 16, 24, 32 bit), IEEE float
 * (32 bit) and G.711 (format 6 A-law, 7 mu-law), any channel count (mixed
 * down to mono). Sample-rate conversion is not done here: the reader says
 * the rate and the caller converts.
 */
import { g711DecodeTable } from './g711.js';

/** A WAV file that cannot be read, with why (for an HTTP 415 or a CLI message). */
export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

/** Mono 16-bit samples and their rate. */
export interface PcmAudio {
  sampleRate: number;
  samples: Int16Array;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const PCM = 1;
const FLOAT = 3;
const ALAW = 6;
const MULAW = 7;
const EXTENSIBLE = 0xfffe;

/** A 44-byte header and the samples: 16-bit little-endian PCM, mono. */
export function writeWav(audio: PcmAudio): Buffer {
  const data = audio.samples.length * 2;
  const b = Buffer.allocUnsafe(44 + data);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8, 'latin1');
  b.write('fmt ', 12, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(PCM, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(audio.sampleRate, 24);
  b.writeUInt32LE(audio.sampleRate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(data, 40);
  const s = audio.samples;
  if (LITTLE_ENDIAN) {
    // the samples' own bytes are the file's (one copy, not a call per sample: a 3-minute message is 1.4 M samples)
    Buffer.from(s.buffer, s.byteOffset, data).copy(b, 44);
  } else {
    for (let i = 0; i < s.length; i++) b.writeInt16LE(s[i] as number, 44 + i * 2);
  }
  return b;
}

interface Format {
  tag: number;
  channels: number;
  sampleRate: number;
  bits: number;
}

/** Read a WAV file into mono 16-bit samples; {@link WavError} for anything else. */
export function readWav(b: Buffer): PcmAudio {
  if (b.length < 12 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE') {
    throw new WavError('not a RIFF WAVE file');
  }
  let fmt: Format | undefined;
  for (let o = 12; o + 8 <= b.length;) {
    const id = b.toString('latin1', o, o + 4);
    const size = b.readUInt32LE(o + 4);
    const body = o + 8;
    const end = Math.min(b.length, body + size); // a streamed file may say 0xffffffff
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > b.length) throw new WavError('fmt chunk too short');
      let tag = b.readUInt16LE(body);
      if (tag === EXTENSIBLE && size >= 40) tag = b.readUInt16LE(body + 24); // the sub-format GUID's first two bytes
      fmt = {
        tag,
        channels: b.readUInt16LE(body + 2),
        sampleRate: b.readUInt32LE(body + 4),
        bits: b.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavError('data chunk before the fmt chunk');
      return { sampleRate: fmt.sampleRate, samples: decode(fmt, b.subarray(body, end)) };
    }
    o = body + size + (size & 1); // chunks are padded to even sizes
  }
  throw new WavError(fmt ? 'no data chunk' : 'no fmt chunk');
}

function decode(f: Format, data: Buffer): Int16Array {
  if (f.channels < 1 || f.channels > 8) throw new WavError(`${f.channels} channels`);
  if (f.sampleRate < 4000 || f.sampleRate > 192000) throw new WavError(`sample rate ${f.sampleRate} Hz`);
  const read = sampleReader(f, data);
  const bytes = Math.ceil(f.bits / 8);
  const frames = Math.floor(data.length / (bytes * f.channels));
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < f.channels; c++) sum += read((i * f.channels + c) * bytes);
    const v = Math.round(sum / f.channels);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** A function from a byte offset to a sample scaled to 16 bits. */
function sampleReader(f: Format, d: Buffer): (o: number) => number {
  if (f.tag === PCM) {
    switch (f.bits) {
      case 8:
        return (o) => ((d[o] as number) - 128) << 8;
      case 16:
        return (o) => d.readInt16LE(o);
      case 24:
        return (o) => d.readIntLE(o, 3) >> 8;
      case 32:
        return (o) => d.readInt32LE(o) >> 16;
      default:
        throw new WavError(`${f.bits}-bit PCM`);
    }
  }
  if (f.tag === FLOAT && f.bits === 32) return (o) => Math.round(d.readFloatLE(o) * 32767);
  if ((f.tag === ALAW || f.tag === MULAW) && f.bits === 8) {
    const table = g711DecodeTable(f.tag === ALAW ? 'PCMA' : 'PCMU');
    return (o) => table[d[o] as number] as number;
  }
  throw new WavError(`format ${f.tag} with ${f.bits} bits (PCM, float, A-law and mu-law are read)`);
}
