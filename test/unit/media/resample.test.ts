import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resample } from '../../../src/media/resample.js';

function sine(rate: number, hz: number, seconds: number, amplitude: number): Int16Array {
  const n = Math.round(rate * seconds);
  return Int16Array.from({ length: n }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / rate)));
}

/** RMS of the middle of a signal (the filter's edges cut off), in dB relative to full scale. */
function rmsDb(x: Int16Array, skip: number): number {
  let s = 0;
  for (let i = skip; i < x.length - skip; i++) s += (x[i] as number) ** 2;
  return 20 * Math.log10(Math.sqrt(s / (x.length - 2 * skip)) / 32768);
}

/** Frequency from the zero crossings of the middle of a signal. */
function frequency(x: Int16Array, rate: number, skip: number): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = skip + 1; i < x.length - skip; i++) {
    if ((x[i - 1] as number) < 0 && (x[i] as number) >= 0) {
      const at = i - 1 + (x[i - 1] as number) / ((x[i - 1] as number) - (x[i] as number));
      if (first < 0) first = at;
      else count++;
      last = at;
    }
  }
  return (count * rate) / (last - first);
}

describe('resample (Kaiser-windowed sinc, polyphase)', () => {
  for (const rate of [44100, 48000, 16000, 11025, 22050]) {
    test(`a 1 kHz sine at ${rate} Hz keeps its frequency and level at 8 kHz`, () => {
      const input = sine(rate, 1000, 1, 16000);
      const out = resample(input, rate, 8000);
      assert.ok(Math.abs(out.length - Math.round((input.length * 8000) / rate)) <= 1);
      const f = frequency(out, 8000, 400);
      assert.ok(Math.abs(f - 1000) < 0.5, `frequency ${f}`);
      const loss = rmsDb(input, Math.round(rate / 20)) - rmsDb(out, 400);
      assert.ok(Math.abs(loss) < 0.5, `level changed by ${loss} dB`);
    });
  }

  test('a 6 kHz tone at 48 kHz (it would alias to 2 kHz) is attenuated by more than 40 dB', () => {
    const input = sine(48000, 6000, 1, 16000);
    const out = resample(input, 48000, 8000);
    const attenuation = rmsDb(input, 2400) - rmsDb(out, 400);
    assert.ok(attenuation > 40, `only ${attenuation} dB`);
  });

  test('tones at and above the 8 kHz Nyquist frequency from 44.1 kHz are attenuated too', () => {
    for (const hz of [4000, 5000, 9000, 15000]) {
      const input = sine(44100, hz, 0.5, 16000);
      const attenuation = rmsDb(input, 2205) - rmsDb(resample(input, 44100, 8000), 400);
      assert.ok(attenuation > 40, `${hz} Hz: only ${attenuation} dB`);
    }
  });

  test('upsampling 8 kHz to 48 kHz keeps a 1 kHz sine and leaves no image at 7 kHz', () => {
    const input = sine(8000, 1000, 1, 16000);
    const out = resample(input, 8000, 48000);
    assert.equal(out.length, 48000);
    assert.ok(Math.abs(frequency(out, 48000, 2400) - 1000) < 0.5);
    assert.ok(Math.abs(rmsDb(input, 400) - rmsDb(out, 2400)) < 0.5);
    // The image of 1 kHz mirrored about 4 kHz is at 7 kHz: its amplitude by correlation with a 7 kHz carrier.
    let re = 0;
    let im = 0;
    for (let i = 2400; i < out.length - 2400; i++) {
      re += (out[i] as number) * Math.cos((2 * Math.PI * 7000 * i) / 48000);
      im += (out[i] as number) * Math.sin((2 * Math.PI * 7000 * i) / 48000);
    }
    const image = (2 * Math.hypot(re, im)) / (out.length - 4800);
    assert.ok(20 * Math.log10(image / 16000) < -60, `image at ${20 * Math.log10(image / 16000)} dB`);
  });

  test('an odd rate (no small ratio) takes the interpolated path and stays accurate', () => {
    const input = sine(44101, 1000, 1, 16000);
    const out = resample(input, 44101, 8000);
    assert.equal(out.length, Math.round((44101 * 8000) / 44101));
    assert.ok(Math.abs(frequency(out, 8000, 400) - 1000) < 0.5);
    assert.ok(Math.abs(rmsDb(input, 2205) - rmsDb(out, 400)) < 0.5);
  });

  test('lengths are round(n * to / from), for short and empty inputs too', () => {
    for (const n of [0, 1, 2, 5, 6, 7, 441, 1000, 4409]) {
      const out = resample(new Int16Array(n), 44100, 8000);
      assert.equal(out.length, Math.round((n * 8000) / 44100), `n=${n}`);
    }
    assert.equal(resample(new Int16Array(3), 8000, 16000).length, 6);
  });

  test('equal rates give an identical copy, not the same array', () => {
    const input = sine(8000, 440, 0.1, 12000);
    const out = resample(input, 8000, 8000);
    assert.deepEqual(out, input);
    assert.notEqual(out, input);
  });

  test('DC passes unchanged away from the edges; full-scale square waves clip instead of wrapping', () => {
    const dc = resample(new Int16Array(4410).fill(10000), 44100, 8000);
    for (let i = 50; i < dc.length - 50; i++) assert.equal(dc[i], 10000);
    const square = Int16Array.from({ length: 4800 }, (_, i) => (Math.floor(i / 24) % 2 ? -32768 : 32767));
    const out = resample(square, 48000, 8000);
    let min = 0;
    let max = 0;
    for (const v of out) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assert.equal(max, 32767); // the Gibbs overshoot clipped, not wrapped round to negative
    assert.equal(min, -32768);
  });

  test('bad rates and filter options throw RangeError', () => {
    assert.throws(() => resample(new Int16Array(1), 0, 8000), RangeError);
    assert.throws(() => resample(new Int16Array(1), 8000, 8000.5), RangeError);
    assert.throws(() => resample(new Int16Array(1), 16000, 8000, { cutoff: 1.5 }), RangeError);
  });
});
