/**
 * Sample-rate conversion of 16-bit mono PCM by band-limited interpolation
 * (J. O. Smith, "Digital Audio Resampling", CCRMA; Crochiere and Rabiner,
 * "Multirate Digital Signal Processing", 1983, chapter 3 on polyphase
 * structures): a Kaiser-windowed sinc low-pass, cut below the lower of the
 * two Nyquist frequencies, evaluated as a polyphase filter bank.
 *
 * For a rate ratio `to/from = L/M` in lowest terms with `L <= 1024` (every
 * common rate to 8 kHz: 44.1 kHz is 80/441, 11.025 kHz 320/441, 48 kHz 1/6)
 * the output instants fall on exactly `L` phases, so each output sample is
 * one dot product with a precomputed phase of the filter. Any other ratio
 * (a rate such as 44,056 Hz) uses a table of 512 phases and interpolates
 * linearly between the two nearest phases (Smith's "interpolated table").
 *
 * Written here rather than taken from npm. The pure-JS packages looked at:
 * `wave-resampler` 1.0 interpolates (point, linear, cubic, sinc) after a
 * separate low-pass, by default a 16th-order IIR one (not linear phase);
 * `@audio/resample-sinc` is a 32-tap Lanczos kernel (short, so its
 * transition band is wide); `audio-resampler` needs WebAudio's
 * OfflineAudioContext; `@alexanderolsen/libsamplerate-js` is libsamplerate
 * compiled to WebAssembly, float in and out, with an asynchronous set-up. None is a small synchronous Int16 resampler with a
 * stated stop band; this one is under 200 lines, 80 dB by default.
 *
 * Used offline (prompts at load time), not per packet: a call allocates its
 * output and a padded float copy of its input; filter tables are cached per
 * rate pair and options.
 */

/** How the anti-aliasing / anti-imaging low-pass is shaped. */
export interface ResampleOptions {
  /** -6 dB point as a fraction of the lower Nyquist frequency (default 0.9: 3.6 kHz for 8 kHz). */
  cutoff?: number;
  /** Transition band width as a fraction of the lower Nyquist frequency (default 0.2: 3.2 to 4 kHz). */
  transition?: number;
  /** Stop-band attenuation in dB, which sets the Kaiser window's beta and the length (default 80). */
  attenuationDb?: number;
}

/** A filter bank for one rate pair: `phases + 1` rows of `taps` coefficients. */
interface FilterBank {
  /** Output instants fall on exact phases (rational ratio with few phases). */
  exact: boolean;
  phases: number;
  taps: number;
  /** Zeros the input is padded with on the left: `taps / 2 - 1`. */
  half: number;
  coefs: Float32Array;
}

const MAX_EXACT_PHASES = 1024;
const INTERPOLATED_PHASES = 512;
const banks = new Map<string, FilterBank>();

/**
 * Convert `samples` at `fromRate` Hz to `toRate` Hz. The output has
 * `round(samples.length * toRate / fromRate)` samples, sample 0 at the same
 * instant as input sample 0, values rounded and clipped to 16 bits. Equal
 * rates return a copy.
 */
export function resample(
  samples: Int16Array,
  fromRate: number,
  toRate: number,
  opts: ResampleOptions = {},
): Int16Array {
  checkRate(fromRate);
  checkRate(toRate);
  if (fromRate === toRate) return samples.slice();
  const outLength = Math.round((samples.length * toRate) / fromRate);
  const out = new Int16Array(outLength);
  if (outLength === 0 || samples.length === 0) return out;
  const bank = filterBank(fromRate, toRate, opts);
  const { taps, half, coefs } = bank;
  // The input as floats with `half` zeros before it and `taps` after, so no bound checks in the loop.
  const x = new Float32Array(samples.length + half + taps);
  for (let i = 0; i < samples.length; i++) x[half + i] = samples[i] as number;
  if (bank.exact) {
    const g = gcd(fromRate, toRate);
    const L = toRate / g;
    const M = fromRate / g;
    const step = Math.floor(M / L);
    const rem = M % L;
    let base = 0; // index in `x` of the first tap for the current output instant
    let phase = 0;
    for (let n = 0; n < outLength; n++) {
      out[n] = clip16(dot(coefs, phase * taps, x, base, taps));
      base += step;
      phase += rem;
      if (phase >= L) {
        phase -= L;
        base++;
      }
    }
  } else {
    const ratio = fromRate / toRate;
    const P = bank.phases;
    for (let n = 0; n < outLength; n++) {
      const t = n * ratio;
      const base = Math.floor(t);
      const f = (t - base) * P;
      const p = Math.floor(f);
      const a = f - p;
      const y0 = dot(coefs, p * taps, x, base, taps);
      const y1 = dot(coefs, (p + 1) * taps, x, base, taps);
      out[n] = clip16(y0 + (y1 - y0) * a);
    }
  }
  return out;
}

function dot(c: Float32Array, co: number, x: Float32Array, xo: number, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += (c[co + k] as number) * (x[xo + k] as number);
  return s;
}

function clip16(v: number): number {
  const r = Math.round(v);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

function checkRate(rate: number): void {
  if (!Number.isInteger(rate) || rate < 1 || rate > 1_000_000) throw new RangeError(`sample rate ${rate} Hz`);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The cached filter bank for a rate pair (Kaiser's design formulas, Oppenheim and Schafer section 7.5.3). */
function filterBank(fromRate: number, toRate: number, opts: ResampleOptions): FilterBank {
  const cutoff = opts.cutoff ?? 0.9;
  const transition = opts.transition ?? 0.2;
  const atten = opts.attenuationDb ?? 80;
  if (!(cutoff > 0 && cutoff <= 1 && transition > 0 && transition <= 1 && atten >= 20)) {
    throw new RangeError(`resampler filter: cutoff ${cutoff}, transition ${transition}, ${atten} dB`);
  }
  const key = `${fromRate}:${toRate}:${cutoff}:${transition}:${atten}`;
  const cached = banks.get(key);
  if (cached) return cached;
  const nyquist = Math.min(fromRate, toRate) / 2;
  const fc = (cutoff * nyquist) / fromRate; // cycles per input sample
  const df = (transition * nyquist) / fromRate;
  const beta = atten > 50 ? 0.1102 * (atten - 8.7) : 0.5842 * (atten - 21) ** 0.4 + 0.07886 * (atten - 21);
  const order = Math.ceil((atten - 7.95) / (14.36 * df));
  const half = Math.max(2, Math.ceil(order / 2)); // taps reach `half` input samples either side
  const taps = 2 * half;
  const L = toRate / gcd(fromRate, toRate);
  const exact = L <= MAX_EXACT_PHASES;
  const phases = exact ? L : INTERPOLATED_PHASES;
  const coefs = new Float32Array((phases + 1) * taps);
  const i0beta = besselI0(beta);
  for (let p = 0; p <= phases; p++) {
    const frac = p / phases;
    // Tap k weighs input sample (base + k - (half - 1)) for an instant `frac` past sample `base`.
    let sum = 0;
    const row = new Float64Array(taps);
    for (let k = 0; k < taps; k++) {
      const tau = frac + half - 1 - k;
      const r = tau / half;
      const w = Math.abs(r) >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - r * r)) / i0beta;
      const v = 2 * fc * sinc(2 * fc * tau) * w;
      row[k] = v;
      sum += v;
    }
    // Each phase sums to exactly 1, so DC passes unchanged whatever the phase.
    for (let k = 0; k < taps; k++) coefs[p * taps + k] = (row[k] as number) / sum;
  }
  const bank: FilterBank = { exact, phases, taps, half: half - 1, coefs };
  if (banks.size >= 32) banks.delete(banks.keys().next().value as string);
  banks.set(key, bank);
  return bank;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Modified Bessel function of the first kind, order 0, by its power series. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}
