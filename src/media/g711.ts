/**
 * G.711 (ITU-T Recommendation G.711, 1988): 8-bit mu-law (PCMU, RTP payload
 * type 0) and A-law (PCMA, payload type 8) companding of 16-bit linear PCM,
 * RFC 3551 section 4.5.14.
 *
 * Written here rather than taken from npm because it sits on the media hot
 * path: every direction is one lookup in a table built once (decode: 256
 * entries; encode: 65,536 entries indexed by the 16-bit sample), so a 20 ms
 * packet of 160 samples costs 160 array reads and no function call per
 * sample. The tables follow the reference algorithm of G.711 / Sun's g711.c.
 */

/** The two laws, named by their RTP encoding names (RFC 3551 table 4). */
export type G711Law = 'PCMU' | 'PCMA';

const BIAS = 0x84;
/** Largest magnitude mu-law encodes, in the 14 bits it works on. */
const CLIP14 = 8159;

/** G.711 section 3 (mu-law): 16-bit linear -> 8-bit code, on the top 14 bits. */
function linearToMulaw(sample: number): number {
  let s = sample >> 2;
  let mask: number;
  if (s < 0) {
    s = -s;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (s > CLIP14) s = CLIP14;
  s += BIAS >> 2;
  let seg = 0;
  for (let end = 0x3f; seg < 8 && s > end; end = (end << 1) | 1) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((s >> (seg + 1)) & 0x0f)) ^ mask;
}

/** G.711 section 3 (mu-law): 8-bit code -> 16-bit linear. */
function mulawToLinear(code: number): number {
  const u = ~code & 0xff;
  const t = (((u & 0x0f) << 3) + BIAS) << ((u & 0x70) >> 4);
  return u & 0x80 ? BIAS - t : t - BIAS;
}

/** G.711 section 2 (A-law): 16-bit linear -> 8-bit code (even bits inverted, 0x55). */
function linearToAlaw(sample: number): number {
  let s = sample >> 3; // A-law works on 13 bits
  let mask: number;
  if (s >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    s = -s - 1;
  }
  let seg = 0;
  for (let end = 0x1f; seg < 8 && s > end; end = (end << 1) | 1) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  const aval = seg << 4;
  return (seg < 2 ? aval | ((s >> 1) & 0x0f) : aval | ((s >> seg) & 0x0f)) ^ mask;
}

/** G.711 section 2 (A-law): 8-bit code -> 16-bit linear. */
function alawToLinear(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

function decodeTable(f: (code: number) => number): Int16Array {
  const t = new Int16Array(256);
  for (let c = 0; c < 256; c++) t[c] = f(c);
  return t;
}

function encodeTable(f: (sample: number) => number): Uint8Array {
  const t = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = f(i - 32768);
  return t;
}

const DECODE: Record<G711Law, Int16Array> = { PCMU: decodeTable(mulawToLinear), PCMA: decodeTable(alawToLinear) };
let encodeTables: Partial<Record<G711Law, Uint8Array>> = {};

/** The 256-entry decode table of a law: `table[code]` is the linear sample. */
export function g711DecodeTable(law: G711Law): Int16Array {
  return DECODE[law];
}

/** The encode table of a law, built on first use: `table[sample + 32768]` is the code. */
export function g711EncodeTable(law: G711Law): Uint8Array {
  let t = encodeTables[law];
  if (!t) {
    t = encodeTable(law === 'PCMU' ? linearToMulaw : linearToAlaw);
    encodeTables = { ...encodeTables, [law]: t };
  }
  return t;
}

/** Decode G.711 bytes into `out` (from `outOffset`); returns the number of samples written. */
export function g711Decode(law: G711Law, codes: Uint8Array, out: Int16Array, outOffset = 0): number {
  const table = DECODE[law];
  const n = codes.length;
  for (let i = 0; i < n; i++) out[outOffset + i] = table[codes[i] as number] as number;
  return n;
}

/** Encode linear samples as G.711 into `out` (from `outOffset`); returns the number of bytes written. */
export function g711Encode(law: G711Law, samples: Int16Array, out: Uint8Array, outOffset = 0): number {
  const table = g711EncodeTable(law);
  const n = samples.length;
  for (let i = 0; i < n; i++) out[outOffset + i] = table[(samples[i] as number) + 32768] as number;
  return n;
}

/** The code of digital silence (linear 0) in each law. */
export const G711_SILENCE: Readonly<Record<G711Law, number>> = { PCMU: 0xff, PCMA: 0xd5 };
