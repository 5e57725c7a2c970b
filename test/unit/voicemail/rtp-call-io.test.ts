/**
 * CallIo over an RTP session (faked: the session's play/stop/sink/onDigit
 * surface), on a fake clock: keys interrupt prompts and are buffered (a
 * flood is bounded), recordings end on a key, at --max-message, after
 * --max-silence, or on hang-up, and every verb after a hang-up throws HangUp.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../src/base/clock.js';
import type { RtpSession } from '../../../src/media/rtp-session.js';
import { g711EncodeTable } from '../../../src/media/g711.js';
import { HangUp } from '../../../src/voicemail/call-io.js';
import { RtpCallIo } from '../../../src/voicemail/rtp-call-io.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function harness() {
  const clock = new FakeClock(1000);
  let pending: ((r: 'done' | 'stopped') => void) | undefined;
  const fake = {
    sink: undefined as RtpSession['sink'],
    onDigit: undefined as RtpSession['onDigit'],
    play: (_s: Int16Array) => new Promise<'done' | 'stopped'>((r) => (pending = r)),
    stopPlayback: () => {
      pending?.('stopped');
      pending = undefined;
    },
  };
  let byes = 0;
  const io = new RtpCallIo(
    fake as unknown as RtpSession,
    () => 'PCMU',
    clock,
    () => byes++,
    () => clock.now(),
  );
  const voice = new Uint8Array(160).fill(g711EncodeTable('PCMU')[10000] as number);
  const quiet = new Uint8Array(160).fill(0xff);
  let ts = 0;
  /** `ms` of audio arriving in 20 ms packets, loud or quiet. */
  const audio = (ms: number, loud: boolean): void => {
    for (let t = 0; t < ms; t += 20) {
      fake.sink?.(loud ? voice : quiet, 0, 160, ts, 7, clock.now());
      ts += 160;
      clock.advance(20);
    }
  };
  return { clock, fake, io, audio, finishPlay: () => pending?.('done'), byes: () => byes };
}

describe('RtpCallIo', () => {
  test('a key in the interrupt set stops the prompt and is returned; others wait in the buffer', async () => {
    const h = harness();
    const p = h.io.play(new Int16Array(8000), '#');
    h.fake.onDigit?.('5', 0, 1);
    h.fake.onDigit?.('#', 0, 1);
    assert.equal(await p, '#');
    assert.equal(await h.io.digit(1000), '5');
  });

  test('a key flood is bounded (32 kept) and never grows memory', async () => {
    const h = harness();
    for (let i = 0; i < 10_000; i++) h.fake.onDigit?.(String(i % 10), i, 1);
    const read = h.io.digits(100, 10);
    await turn();
    h.clock.advance(20); // the 33rd key never comes
    assert.equal((await read).length, 32);
  });

  test('a recording ends on # with the key tail cut; one ended by --max-message stops at the limit', async () => {
    let h = harness();
    let rec = h.io.record({ maxMs: 60_000, maxSilenceMs: 10_000, stopKeys: '#' });
    h.audio(3000, true);
    h.fake.onDigit?.('#', 0, 2);
    let r = await rec;
    assert.equal(r.end, 'digit');
    assert.ok(Math.abs(r.pcm.length - (3000 - 200) * 8) <= 160, `length ${r.pcm.length}`);
    h = harness();
    rec = h.io.record({ maxMs: 2000, maxSilenceMs: 10_000, stopKeys: '#' });
    h.audio(2500, true);
    r = await rec;
    assert.equal(r.end, 'max');
    assert.ok(r.pcm.length <= 2000 * 8);
  });

  test('--max-silence ends a recording that went quiet, and the quiet tail is trimmed', async () => {
    const h = harness();
    const rec = h.io.record({ maxMs: 60_000, maxSilenceMs: 3000, stopKeys: '#' });
    h.audio(2000, true);
    h.audio(3500, false);
    const r = await rec;
    assert.equal(r.end, 'silence');
    assert.ok(r.pcm.length < 2600 * 8, `trimmed to ${r.pcm.length / 8} ms`);
  });

  test('the packet that crosses --max-silence or --max-message ends the recording (no timer needed)', async () => {
    for (const [limits, end] of [
      [{ maxMs: 60_000, maxSilenceMs: 3000 }, 'silence'],
      [{ maxMs: 2000, maxSilenceMs: 10_000 }, 'max'],
    ] as const) {
      const h = harness();
      const rec = h.io.record({ ...limits, stopKeys: '#' });
      let ended: string | undefined;
      void rec.then((r) => (ended = r.end));
      const voice = new Uint8Array(160).fill(g711EncodeTable('PCMU')[10000] as number);
      const quiet = new Uint8Array(160).fill(0xff);
      // arrival times move, the clock (and with it every timer) stands still
      let packets = 0;
      for (let t = 0; t < 6000 && ended === undefined; t += 20, packets++) {
        h.fake.sink?.(t < 1000 ? voice : quiet, 0, 160, t * 8, 7, 1000 + t);
        await turn();
      }
      assert.equal(ended, end);
      const at = packets * 20;
      assert.ok(end === 'silence' ? at <= 1000 + 3000 + 40 : at <= 2000 + 40, `${end} after ${at} ms of packets`);
    }
  });

  test('a caller who never speaks and never hangs up is ended by --max-message too', async () => {
    const h = harness();
    const rec = h.io.record({ maxMs: 5000, maxSilenceMs: 3000, stopKeys: '#' });
    h.clock.advance(5200);
    assert.equal((await rec).end, 'max');
  });

  test('a hang-up ends a recording as "hangup"; afterwards every verb throws HangUp; hangUp sends one BYE', async () => {
    const h = harness();
    const rec = h.io.record({ maxMs: 60_000, maxSilenceMs: 10_000, stopKeys: '#' });
    h.audio(1000, true);
    h.io.callEnded();
    assert.equal((await rec).end, 'hangup');
    await assert.rejects(h.io.play(new Int16Array(10)), HangUp);
    await assert.rejects(h.io.digit(100), HangUp);
    h.io.hangUp();
    assert.equal(h.byes(), 0, 'the peer ended it: no BYE of ours');
    const h2 = harness();
    const waiting = h2.io.digit(10_000);
    h2.io.hangUp();
    h2.io.hangUp();
    await assert.rejects(waiting, HangUp);
    assert.equal(h2.byes(), 1);
    await turn();
  });
});
