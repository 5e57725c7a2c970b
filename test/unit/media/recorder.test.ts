import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { g711DecodeTable } from '../../../src/media/g711.js';
import { Recorder } from '../../../src/media/recorder.js';

const PT_SAMPLES = 160; // 20 ms
/** A voiced payload: a square wave at full scale, coded in A-law, with a per-packet marker in its first byte. */
function payload(i: number): Uint8Array {
  const p = new Uint8Array(PT_SAMPLES).fill(0xaa);
  p[0] = i & 0xff;
  return p;
}

function feed(
  r: Recorder,
  order: number[],
  opts: { ssrc?: (i: number) => number; ts?: (i: number) => number } = {},
): void {
  for (const i of order) {
    const p = payload(i);
    r.push(p, 0, p.length, opts.ts ? opts.ts(i) : 1000 + i * PT_SAMPLES, opts.ssrc ? opts.ssrc(i) : 7, i * 20);
  }
}

/** The recording's linear samples at the start of packet slot `slot`. */
const firstOfSlot = (pcm: Int16Array, slot: number): number => pcm[slot * PT_SAMPLES] as number;
const lin = (code: number): number => g711DecodeTable('PCMA')[code] as number;

describe('Recorder: G.711 placed by RTP timestamp (RFC 3550 section 5.1)', () => {
  test('reordered and duplicated packets land where they belong; a lost one stays silence', () => {
    const r = new Recorder('PCMA', 8000 * 60);
    feed(r, [0, 1, 3, 2, 2, 5, 4, 6, 8, 9]); // 7 never came; 2 twice
    const pcm = r.toPcm16();
    assert.equal(pcm.length, 10 * PT_SAMPLES);
    for (const i of [0, 1, 2, 3, 4, 5, 6, 8, 9]) assert.equal(firstOfSlot(pcm, i), lin(i), `slot ${i}`);
    assert.equal(firstOfSlot(pcm, 7), lin(0xd5), 'the lost packet is silence');
    assert.equal(r.resyncs, 0);
  });

  test('timestamps that wrap past 2^32 are continuous', () => {
    const r = new Recorder('PCMA', 8000 * 60);
    feed(r, [0, 1, 2, 3], { ts: (i) => (0xffffff00 + i * PT_SAMPLES) >>> 0 });
    assert.equal(r.length, 4 * PT_SAMPLES);
    assert.equal(r.resyncs, 0);
  });

  test("a new SSRC with another timestamp base continues after what was recorded (SIPp's DTMF pcaps, a B2BUA transfer)", () => {
    const r = new Recorder('PCMA', 8000 * 60);
    feed(r, [0, 1, 2, 3, 4, 5], {
      ssrc: (i) => (i < 3 ? 7 : 8),
      ts: (i) => (i < 3 ? 1000 + i * PT_SAMPLES : 555_555 + i * PT_SAMPLES),
    });
    assert.equal(r.resyncs, 1);
    assert.equal(r.length, 6 * PT_SAMPLES);
    const pcm = r.toPcm16();
    for (let i = 0; i < 6; i++) assert.equal(firstOfSlot(pcm, i), lin(i));
  });

  test('a timestamp jump far from the arrival time is resynchronised, not a gap of minutes', () => {
    const r = new Recorder('PCMA', 8000 * 600);
    feed(r, [0, 1, 2, 3], { ts: (i) => (i < 2 ? i * PT_SAMPLES : 8000 * 300 + i * PT_SAMPLES) });
    assert.equal(r.resyncs, 1);
    assert.equal(r.length, 4 * PT_SAMPLES);
  });

  test('packets a stalled event loop hands over 3 s late stay continuous (no silence inserted, no resync)', () => {
    const r = new Recorder('PCMA', 8000 * 60);
    // 100 packets (2 s) arrive on time, then 200 more are processed in one burst at 7 s
    for (let i = 0; i < 300; i++) {
      const p = payload(i);
      r.push(p, 0, p.length, 1000 + i * PT_SAMPLES, 7, i < 100 ? i * 20 : 7000);
    }
    assert.equal(r.resyncs, 0);
    assert.equal(r.length, 300 * PT_SAMPLES);
  });

  test('silence suppression (same SSRC, timestamps and arrival both 5 s later) stays a gap of 5 s', () => {
    const r = new Recorder('PCMA', 8000 * 60);
    feed(r, [0, 1], {});
    const p = payload(2);
    r.push(p, 0, p.length, 1000 + 2 * PT_SAMPLES + 5 * 8000, 7, 2 * 20 + 5000);
    assert.equal(r.resyncs, 0);
    assert.equal(r.length, 3 * PT_SAMPLES + 5 * 8000);
  });

  test('audio beyond the maximum length is dropped; truncate cuts the tail; silence is measured', () => {
    const r = new Recorder('PCMA', 3 * PT_SAMPLES);
    feed(r, [0, 1, 2, 3, 4]);
    assert.equal(r.length, 3 * PT_SAMPLES);
    assert.equal(r.dropped, 2);
    r.truncate(PT_SAMPLES);
    assert.equal(r.toPcm16().length, PT_SAMPLES);
    const quiet = new Recorder('PCMA', 8000);
    const silent = new Uint8Array(160).fill(0xd5);
    quiet.push(payload(0), 0, 160, 0, 1, 0);
    quiet.push(silent, 0, 160, 160, 1, 20);
    quiet.push(silent, 0, 160, 320, 1, 40);
    assert.equal(quiet.voicedLength, 160);
    assert.equal(quiet.silentForMs(40), 40);
  });
});
