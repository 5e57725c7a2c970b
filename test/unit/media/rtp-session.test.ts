import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { audio, closeOpened, counted, harness, peer, rtp, until, type Harness, type Peer } from './rtp-peer.js';

afterEach(closeOpened);

const SSRC = 0x11223344;

/**
 * Send packets one after the other (loopback keeps their order) and wait until the session counted them all,
 * 50 at a time so that a burst does not overflow the socket's receive buffer.
 */
async function deliver(h: Harness, from: Peer, packets: Uint8Array[], port = h.session.port): Promise<void> {
  for (let i = 0; i < packets.length; i += 50) {
    const batch = packets.slice(i, i + 50);
    const before = counted(h.session);
    for (const p of batch) await from.send(p, port);
    await until(() => counted(h.session) === before + batch.length, `${batch.length} datagrams counted`);
  }
}

const run = (first: number, n: number, ssrc = SSRC): Buffer[] =>
  Array.from({ length: n }, (_, i) => rtp(0, first + i, (first + i) * 160, ssrc));

describe('RTP session: safe latching (RFC 7362, strictrtp with probation)', () => {
  test('SDP address unknown: a stranger latches after 4 in-sequence packets; a third address is then dropped', async () => {
    const h = await harness(audio());
    const stranger = await peer('127.0.0.2');
    const third = await peer('127.0.0.3');
    await deliver(h, stranger, [rtp(0, 1, 160, SSRC), rtp(0, 2, 320, SSRC), rtp(0, 4, 640, SSRC)]);
    assert.equal(h.session.latched, undefined, 'a gap restarts the probation');
    await deliver(h, stranger, run(5, 3));
    assert.equal(h.session.stats().dropped.probation, 5);
    assert.deepEqual(h.session.latched, { address: '127.0.0.2', port: stranger.port });
    assert.equal(h.session.stats().received, 1);
    await deliver(h, third, run(1, 6, 0x5555));
    assert.equal(h.session.stats().dropped.foreign, 6, 'RTP bleed is dropped');
    await deliver(h, stranger, run(8, 2));
    assert.equal(h.session.stats().received, 3);
  });

  test('SDP address known: it latches at once, on any port; a stranger is on probation until then, foreign after', async () => {
    const sdpPeer = await peer();
    const h = await harness(audio({ remote: { address: '127.0.0.1', port: sdpPeer.port } }));
    const stranger = await peer('127.0.0.2');
    const natted = await peer('127.0.0.1'); // same address, another port: what a NAT does
    await deliver(h, stranger, run(1, 3));
    assert.equal(h.session.latched, undefined);
    assert.equal(h.session.stats().dropped.probation, 3);
    await deliver(h, natted, run(1, 1));
    assert.deepEqual(h.session.latched, { address: '127.0.0.1', port: natted.port });
    await deliver(h, stranger, run(4, 8));
    await deliver(h, sdpPeer, run(2, 1));
    assert.equal(
      h.session.stats().dropped.foreign,
      9,
      'after latching the stranger and even the SDP port are someone else',
    );
    const played = h.session.play(new Int16Array(480));
    h.fake.advance(100);
    assert.equal(await played, 'done');
    await until(() => natted.got.length === 3, 'the reply at the latched source');
    assert.equal(sdpPeer.got.length, 0);
    assert.equal(natted.got[0]?.from.port, h.session.port, 'sent from the port we receive on (RFC 4961)');
  });

  test('SDP address private (a phone behind a NAT): the public source latches by probation, replies go to it', async () => {
    const h = await harness(audio({ remote: { address: '10.9.9.9', port: 4000 }, remoteRtcpPort: 4001 }));
    const phone = await peer('127.0.0.2');
    const other = await peer('127.0.0.3');
    await deliver(h, phone, run(100, 4));
    assert.deepEqual(h.session.latched, { address: '127.0.0.2', port: phone.port });
    await deliver(h, other, run(1, 4));
    assert.equal(h.session.stats().dropped.foreign, 4);
    const played = h.session.play(new Int16Array(320));
    h.fake.advance(60);
    assert.equal(await played, 'done');
    await until(() => phone.got.length === 2, 'two packets at the latched source');
    assert.equal(other.got.length, 0);
  });

  test('a re-INVITE with a new remote learns again', async () => {
    const a = await peer();
    const b = await peer('127.0.0.2');
    const h = await harness(audio({ remote: { address: '127.0.0.1', port: a.port } }));
    await deliver(h, a, run(1, 2));
    h.session.update(audio({ remote: { address: '127.0.0.2', port: b.port } }));
    assert.equal(h.session.latched, undefined);
    await deliver(h, b, run(1000, 1, 0x77));
    assert.deepEqual(h.session.latched, { address: '127.0.0.2', port: b.port });
  });
});

describe('RTP session: what is received', () => {
  test('garbage (short, version 1, random bytes, RTCP on the RTP port) never throws and is counted', async () => {
    const src = await peer();
    const h = await harness(audio({ remote: { address: '127.0.0.1', port: src.port } }));
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const junk: Uint8Array[] = [Uint8Array.of(0x80, 0, 1), Buffer.alloc(0)];
    junk.push(Buffer.from([0x40, 0, ...new Array<number>(20).fill(0)])); // version 1
    junk.push(Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1])); // an RR, on the RTP port without rtcp-mux
    junk.push(Buffer.from([0x9f, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1])); // 15 CSRCs that are not there
    for (let i = 0; i < 300; i++) junk.push(Uint8Array.from({ length: random() % 200 }, random));
    await deliver(h, src, junk);
    const s = h.session.stats();
    assert.ok(s.dropped.short >= 3 && s.dropped.version >= 1 && s.dropped.rtcp >= 1 && s.dropped.layout >= 1);
    await deliver(h, src, run(1, 1));
    assert.equal(h.session.stats().received >= 1, true, 'still working');
  });

  test('payload types: the audio one to the sink, CN counted and ignored, others dropped; late ones passed on', async () => {
    const src = await peer();
    const h = await harness(audio({ remote: { address: '127.0.0.1', port: src.port } }));
    const sunk: number[] = [];
    h.session.sink = (payload, offset, length, timestamp, ssrc, arrivalMs) => {
      assert.equal(length, 160);
      assert.equal(payload[offset], 0xff);
      assert.equal(ssrc, SSRC);
      assert.equal(arrivalMs, h.fake.now());
      sunk.push(timestamp);
    };
    await deliver(h, src, [
      rtp(0, 1, 160, SSRC),
      rtp(8, 2, 320, SSRC), // PCMA, not negotiated
      rtp(18, 3, 480, SSRC), // G.729
      rtp(13, 4, 640, SSRC, Uint8Array.of(40)), // comfort noise, RFC 3389
      rtp(0, 5, 800, SSRC),
      rtp(0, 3, 480, SSRC), // late
      rtp(0, 5, 800, SSRC), // duplicate
      rtp(0, 9000, 999, SSRC), // a jump: dropped (RFC 3550 A.1)
    ]);
    const s = h.session.stats();
    assert.deepEqual(sunk, [160, 800, 480, 800]);
    assert.equal(s.dropped.payloadType, 2);
    assert.equal(s.cn, 1);
    assert.equal(s.lateOrDuplicate, 2);
    assert.equal(s.dropped.sequence, 1);
    assert.equal(s.received, 5);
  });

  test('RFC 4733: one digit per event although the end bit comes three times', async () => {
    const src = await peer();
    const h = await harness(audio({ remote: { address: '127.0.0.1', port: src.port } }));
    const digits: [string, number, number][] = [];
    h.session.onDigit = (d, ts, ssrc) => digits.push([d, ts, ssrc]);
    const ev = (end: boolean, dur: number): Uint8Array => Uint8Array.of(5, (end ? 0x80 : 0) | 10, dur >> 8, dur & 0xff);
    const packets = [rtp(0, 1, 160, SSRC)];
    [160, 320, 480].forEach((d, i) => packets.push(rtp(101, 2 + i, 8000, SSRC, ev(false, d), i === 0)));
    for (let i = 0; i < 3; i++) packets.push(rtp(101, 5 + i, 8000, SSRC, ev(true, 640)));
    await deliver(h, src, packets);
    assert.deepEqual(digits, [['5', 8000, SSRC]]);
    assert.equal(h.session.stats().dtmf, 6);
  });
});

describe('RTP session: timeout', () => {
  test('fires once after 30 s without RTP, counting from the last packet', async () => {
    const src = await peer();
    const h = await harness(audio({ remote: { address: '127.0.0.1', port: src.port }, remoteRtcpPort: src.port }));
    let timeouts = 0;
    h.session.onTimeout = () => timeouts++;
    h.fake.advance(20_000);
    await deliver(h, src, run(1, 1));
    h.fake.advance(29_000);
    assert.equal(timeouts, 0);
    h.fake.advance(1_500);
    assert.equal(timeouts, 1);
    h.fake.advance(60_000);
    assert.equal(timeouts, 1);
  });

  test('not while the peer holds us (sendonly, inactive, c=0.0.0.0); again after it resumes', async () => {
    const src = await peer();
    const live = audio({ remote: { address: '127.0.0.1', port: src.port }, remoteRtcpPort: src.port });
    const h = await harness(live);
    let timeouts = 0;
    h.session.onTimeout = () => timeouts++;
    for (const held of [
      { direction: 'recvonly' as const },
      { direction: 'inactive' as const },
      { remote: undefined },
    ]) {
      h.session.update({ ...live, ...held });
      h.fake.advance(60_000);
    }
    assert.equal(timeouts, 0);
    h.session.update(live);
    h.fake.advance(29_000);
    assert.equal(timeouts, 0);
    h.fake.advance(1_500);
    assert.equal(timeouts, 1);
  });
});

describe('RTP session: life cycle', () => {
  test('close() twice is fine; play after close resolves stopped; pending plays resolve stopped', async () => {
    const src = await peer();
    const h = await harness(audio({ remote: { address: '127.0.0.1', port: src.port } }));
    const pending = h.session.play(new Int16Array(8000));
    h.fake.advance(100);
    assert.equal(h.session.playing, true);
    h.session.close();
    h.session.close(); // the ports' close throws if called twice
    assert.equal(await pending, 'stopped');
    assert.equal(await h.session.play(new Int16Array(160)), 'stopped');
    h.fake.advance(1000);
  });
});
