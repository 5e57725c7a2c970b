import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:dgram';
import { FakeClock, type Clock } from '../../../src/base/clock.js';
import { g711Decode } from '../../../src/media/g711.js';
import { PlayoutClock } from '../../../src/media/playout-clock.js';
import { readRtp, rtpHeader } from '../../../src/media/rtp-packet.js';
import { RtpSender, type IdleMode } from '../../../src/media/rtp-sender.js';

interface Sent {
  at: number;
  marker: boolean;
  pt: number;
  seq: number;
  ts: number;
  ssrc: number;
  payload: Uint8Array;
  to: string;
}

/** A socket that records what is sent and completes each send on a later microtask, as Node does (or never). */
function recordingSocket(clock: Clock, out: Sent[], complete = true): Socket {
  const h = rtpHeader();
  const send = (b: Buffer, port: number, address: string, cb: (e: Error | null) => void): void => {
    assert.equal(readRtp(b, b.length, h), undefined);
    const payload = Uint8Array.from(b.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength)); // a copy: the ring is reused
    out.push({
      at: clock.now(),
      marker: h.marker,
      pt: h.payloadType,
      seq: h.sequence,
      ts: h.timestamp,
      ssrc: h.ssrc,
      payload,
      to: `${address}:${port}`,
    });
    if (complete) queueMicrotask(() => cb(null));
  };
  return { send } as unknown as Socket;
}

function setup(
  ptimeMs: number,
  idle: IdleMode = 'nothing',
  clock: Clock = new FakeClock(),
): { clock: Clock; playout: PlayoutClock; sender: RtpSender; sent: Sent[] } {
  const playout = new PlayoutClock(clock);
  const sent: Sent[] = [];
  const sender = new RtpSender(playout, recordingSocket(clock, sent), idle);
  sender.configure('PCMU', 0, ptimeMs);
  sender.setDestination('127.0.0.1', 4000);
  return { clock, playout, sender, sent };
}

/** A clock `ahead()` ms past `fake` whose timers still run on `fake`: time that passed while the event loop was busy. */
function aheadOf(fake: FakeClock, ahead: () => number): Clock {
  return {
    now: () => fake.now() + ahead(),
    setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
    clearTimeout: (h) => fake.clearTimeout(h),
  };
}

/** Advance fake time tick by tick, letting send completions (microtasks) run in between, as the event loop would. */
async function step(fake: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    fake.advance(Math.min(10, ms - t));
    await Promise.resolve();
  }
}

const tone = (n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin(i / 3)));
const seqStep = (a: Sent, b: Sent): number => (b.seq - a.seq) & 0xffff;
const tsStep = (a: Sent, b: Sent): number => (b.ts - a.ts) >>> 0;

describe('playout clock and RTP sender (RFC 3550 section 5.1, RFC 3551 section 4)', () => {
  for (const [ptime, packets] of [
    [20, 50],
    [30, 34],
  ] as const) {
    test(`a 1 s clip at ptime ${ptime}: ${packets} packets, timestamps +${ptime * 8}, seq +1, marker on the first`, async () => {
      const { clock, sender, sent } = setup(ptime);
      const fake = clock as FakeClock;
      const done = sender.play(tone(8000));
      await step(fake, 2000);
      assert.equal(await done, 'done');
      assert.equal(sent.length, packets);
      assert.equal(sender.stats.sent, packets);
      for (let i = 0; i < sent.length; i++) {
        const p = sent[i] as Sent;
        assert.equal(p.marker, i === 0, `marker of packet ${i}`);
        assert.equal(p.pt, 0);
        assert.equal(p.payload.length, ptime * 8);
        assert.equal(p.at, i * ptime, 'sent on its own schedule');
        assert.equal(p.to, '127.0.0.1:4000');
        if (i > 0) {
          const prev = sent[i - 1] as Sent;
          assert.equal(seqStep(prev, p), 1);
          assert.equal(tsStep(prev, p), ptime * 8);
          assert.equal(p.ssrc, prev.ssrc);
        }
      }
      // the samples are the clip's, G.711-encoded; the last packet is padded with silence
      const decoded = new Int16Array(packets * ptime * 8);
      sent.forEach((p, i) => g711Decode('PCMU', p.payload, decoded, i * ptime * 8));
      assert.ok(Math.abs((decoded[100] as number) - (tone(8000)[100] as number)) < 300);
      if (ptime === 30) assert.equal(decoded[decoded.length - 1], 0, '8000 samples leave 160 to pad');
    });
  }

  test('prompts in order, seq continuous across playouts, timestamps follow time across the gap', async () => {
    const { clock, sender, sent } = setup(20);
    const fake = clock as FakeClock;
    const order: string[] = [];
    const a = sender.play(tone(800)).then((r) => order.push(`a:${r}`));
    const b = sender.play(tone(800)).then((r) => order.push(`b:${r}`));
    assert.equal(sender.playing, true);
    await step(fake, 500);
    await Promise.all([a, b]);
    assert.deepEqual(order, ['a:done', 'b:done']);
    assert.equal(sender.playing, false);
    assert.equal(sent.length, 10);
    assert.deepEqual(
      sent.map((p) => p.marker),
      [true, false, false, false, false, false, false, false, false, false],
      'back-to-back prompts are one talkspurt',
    );
    const later = sender.play(tone(160));
    await step(fake, 1000);
    assert.equal(await later, 'done');
    const [last, next] = [sent[9] as Sent, sent[10] as Sent];
    assert.equal(seqStep(last, next), 1);
    assert.equal(next.marker, true, 'a new talkspurt after nothing was sent');
    assert.equal(tsStep(last, next), (next.at - last.at) * 8);
  });

  test("stopPlayback resolves what is pending with 'stopped'", async () => {
    const { clock, sender, sent } = setup(20);
    const fake = clock as FakeClock;
    const first = sender.play(tone(8000));
    const second = sender.play(tone(8000));
    await step(fake, 100);
    sender.stopPlayback();
    assert.equal(await first, 'stopped');
    assert.equal(await second, 'stopped');
    assert.equal(sender.playing, false);
    const n = sent.length;
    await step(fake, 1000);
    assert.equal(sent.length, n, 'nothing more is sent');
    sender.close();
    assert.equal(await sender.play(tone(10)), 'stopped', 'a closed sender plays nothing');
  });

  test('idle silence: a continuous stream, marker on the stream start and on each prompt', async () => {
    const { clock, sender, sent } = setup(20, 'silence');
    const fake = clock as FakeClock;
    await step(fake, 100);
    assert.equal(sent.length, 6);
    assert.ok(
      sent.every((p) => p.payload.every((c) => c === 0xff)),
      'PCMU silence',
    );
    const done = sender.play(tone(320));
    await step(fake, 200);
    assert.equal(await done, 'done');
    for (let i = 1; i < sent.length; i++) assert.equal(tsStep(sent[i - 1] as Sent, sent[i] as Sent), 160);
    assert.deepEqual(
      sent.map((p) => p.marker),
      [true, false, false, false, false, false, true, false, false, false, false, false, false, false, false, false],
    );
    sender.setDestination(undefined, 0);
    const n = sent.length;
    await step(fake, 1000);
    assert.equal(sent.length, n, 'nothing on hold');
  });

  test('idle keepalive (the default): one silence packet a second between prompts, seq unbroken, marker on the next prompt', async () => {
    const { clock, sender, sent } = setup(20, 'keepalive');
    const fake = clock as FakeClock;
    await step(fake, 2500);
    assert.deepEqual(
      sent.map((p) => p.at),
      [0, 1000, 2000],
      'one packet a second, not 125',
    );
    assert.ok(sent.every((p) => p.payload.every((c) => c === 0xff)));
    const done = sender.play(tone(320));
    await step(fake, 100);
    assert.equal(await done, 'done');
    const prompt = sent.slice(3);
    assert.equal(prompt.length, 2);
    assert.equal(prompt[0]?.marker, true, 'a talkspurt starts after the gap');
    assert.equal(seqStep(sent[2] as Sent, prompt[0] as Sent), 1, 'the sequence number does not count the gap');
    assert.equal(tsStep(sent[2] as Sent, prompt[0] as Sent), ((prompt[0] as Sent).at - 2000) * 8, 'the timestamp does');
    await step(fake, 1500);
    assert.deepEqual(
      sent.slice(5).map((p) => p.at),
      [(prompt[1] as Sent).at + 1000],
      'the keepalive resumes a second after the prompt',
    );
  });

  test('poll: a tick that falls due while packets are handled is run from the receive path, not after them', async () => {
    const fake = new FakeClock();
    let busy = 0;
    const clock = aheadOf(fake, () => busy);
    const { playout, sender, sent } = setup(20, 'nothing', clock);
    void sender.play(tone(8000));
    await step(fake, 20);
    assert.equal(sent.length, 2);
    // one poll phase that takes 50 ms: the timer cannot fire, the packets handled meanwhile poll
    for (busy = 1; busy <= 50; busy += 1) playout.poll(clock.now());
    assert.deepEqual(
      sent.slice(2).map((p) => p.at),
      [39, 59],
      'sent within a ms of their time (EARLY_MS), in the middle of the busy stretch',
    );
    assert.equal(fake.pending, 1, 'still one timer');
    busy = 0;
  });

  test('on hold queued audio runs out in time unsent; sending resumes with a marker', async () => {
    const { clock, sender, sent } = setup(20);
    const fake = clock as FakeClock;
    sender.setDestination(undefined, 0);
    const done = sender.play(tone(1600));
    await step(fake, 150);
    assert.equal(sender.playing, true);
    await step(fake, 100);
    assert.equal(await done, 'done');
    assert.equal(sent.length, 0);
    sender.setDestination('127.0.0.2', 5000);
    const again = sender.play(tone(160));
    await step(fake, 100);
    assert.equal(await again, 'done');
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.marker, true);
    assert.equal(sent[0]?.to, '127.0.0.2:5000');
  });

  test('a stall: at most 100 ms of packets at once, then skip forward and count an underrun', async () => {
    const fake = new FakeClock();
    let stall = 0;
    const clock = aheadOf(fake, () => stall);
    const { playout, sender, sent } = setup(20, 'nothing', clock);
    const done = sender.play(tone(8000));
    await step(fake, 100); // packets at 0..100
    assert.equal(sent.length, 6);
    stall = 400; // the event loop was blocked for 400 ms
    await step(fake, 10);
    const burst = sent.slice(6);
    assert.equal(burst.length, 5, 'only the last 100 ms are caught up');
    assert.ok(burst.every((p) => p.at === 510));
    assert.equal(burst[0]?.marker, true, 'the skip is a new talkspurt');
    assert.equal(seqStep(sent[5] as Sent, burst[0] as Sent), 1, 'seq stays continuous');
    assert.equal(tsStep(sent[5] as Sent, burst[0] as Sent), (420 - 100) * 8, 'the timestamp jumps with time');
    assert.equal(sender.stats.underruns, 1);
    assert.equal(playout.underruns, 1);
    await step(fake, 2000);
    assert.equal(await done, 'done');
    assert.equal(sent.length, 50, 'no audio is lost, it is only later');
  });

  test('a buffer Node still holds is never overwritten: with all 8 in flight, packets are skipped and counted', async () => {
    const fake = new FakeClock();
    const sent: Sent[] = [];
    const sender = new RtpSender(new PlayoutClock(fake), recordingSocket(fake, sent, false), 'nothing');
    sender.configure('PCMU', 0, 20);
    sender.setDestination('127.0.0.1', 4000);
    const done = sender.play(tone(1600));
    await step(fake, 300);
    assert.equal(await done, 'done');
    assert.equal(sent.length, 8);
    assert.equal(sender.stats.sendSkipped, 2);
  });

  test('one timer for any number of senders; the clock stops when nothing is left to do', async () => {
    const fake = new FakeClock();
    const playout = new PlayoutClock(fake);
    const sent: Sent[] = [];
    const senders = Array.from({ length: 100 }, () => {
      const s = new RtpSender(playout, recordingSocket(fake, sent), 'nothing');
      s.configure('PCMA', 8, 20);
      s.setDestination('127.0.0.1', 4000);
      return s;
    });
    const plays = senders.map((s) => s.play(tone(1600)));
    assert.equal(fake.pending, 1);
    await step(fake, 100);
    assert.equal(fake.pending, 1);
    await step(fake, 200);
    assert.deepEqual(await Promise.all(plays), Array<string>(100).fill('done'));
    assert.equal(sent.length, 1000);
    assert.equal(playout.activeSenders, 0);
    assert.equal(fake.pending, 0);
    assert.equal(new Set(sent.map((p) => p.ssrc)).size, 100, 'random SSRCs');
  });
});
