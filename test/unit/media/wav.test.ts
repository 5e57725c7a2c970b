import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav, WavError, writeWav } from '../../../src/media/wav.js';

const ramp = Int16Array.from({ length: 800 }, (_, i) => (i * 80 - 32000) | 0);

function hasSox(): boolean {
  try {
    execFileSync('sox', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('WAV (RIFF WAVE, RFC 2361 format tags)', () => {
  test('write then read gives the samples and rate back', () => {
    const back = readWav(writeWav({ sampleRate: 8000, samples: ramp }));
    assert.equal(back.sampleRate, 8000);
    assert.deepEqual(back.samples, ramp);
    const part = ramp.subarray(3, 9); // a view into a larger buffer: only its own samples are written
    assert.deepEqual(readWav(writeWav({ sampleRate: 8000, samples: part })).samples, Int16Array.from(part));
  });

  test('stereo is mixed to mono; an odd-sized chunk before data is stepped over with its pad byte', () => {
    const w = writeWav({ sampleRate: 16000, samples: Int16Array.of(100, 300, -100, -300) });
    w.writeUInt16LE(2, 22); // 2 channels: frames (100, 300) and (-100, -300)
    w.writeUInt16LE(4, 32);
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.alloc(1)]);
    const file = Buffer.concat([w.subarray(0, 36), list, w.subarray(36)]);
    const back = readWav(file);
    assert.equal(back.sampleRate, 16000);
    assert.deepEqual([...back.samples], [200, -200]);
  });

  test('not WAV, no data, 12-bit PCM, an absurd rate: WavError with the reason', () => {
    assert.throws(() => readWav(Buffer.from('hello world, not a wav')), WavError);
    assert.throws(() => readWav(writeWav({ sampleRate: 8000, samples: ramp }).subarray(0, 36)), /no data chunk/);
    const odd = writeWav({ sampleRate: 8000, samples: ramp });
    odd.writeUInt16LE(12, 34);
    assert.throws(() => readWav(odd), /12-bit PCM/);
    const fast = writeWav({ sampleRate: 8000, samples: ramp });
    fast.writeUInt32LE(1_000_000, 24);
    assert.throws(() => readWav(fast), /sample rate/);
  });

  test('what sox writes (8-bit, 24-bit, float, A-law, mu-law, stereo) reads as the same audio', (t) => {
    if (!hasSox()) {
      if (process.env.OPENUM_REQUIRE_INTEROP === '1') assert.fail('sox missing (Debian sox)');
      t.skip('sox missing (Debian sox)');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'openum-wav-'));
    try {
      const src = join(dir, 'src.wav');
      writeFileSync(src, writeWav({ sampleRate: 8000, samples: ramp }));
      for (const args of [
        ['-b', '8', '-e', 'unsigned'],
        ['-b', '24'],
        ['-b', '32', '-e', 'float'],
        ['-e', 'a-law'],
        ['-e', 'u-law'],
        ['-c', '2'],
      ]) {
        const out = join(dir, 'out.wav');
        execFileSync('sox', [src, ...args, out]);
        const back = readWav(readFileSync(out));
        assert.equal(back.samples.length, ramp.length, args.join(' '));
        let worst = 0;
        for (let i = 0; i < ramp.length; i++)
          worst = Math.max(worst, Math.abs((back.samples[i] as number) - (ramp[i] as number)));
        assert.ok(worst <= 1100, `${args.join(' ')}: worst difference ${worst}`); // 8-bit and G.711 quantisation
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
