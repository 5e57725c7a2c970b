import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readRtcp } from '../../../src/media/rtcp.js';
import { audio, closeOpened, harness, peer, rtp, step, until, counted, type Peer } from './rtp-peer.js';

afterEach(closeOpened);

const SSRC = 0x11223344;
const u32 = (b: Buffer, at: number): number => b.readUInt32BE(at);

/** An SR from the peer (RFC 3550 section 6.4.1) with no report blocks. */
function senderReport(ssrc: number, msw: number, lsw: number): Buffer {
  const b = Buffer.alloc(28);
  b[0] = 0x80;
  b[1] = 200;
  b.writeUInt16BE(6, 2);
  b.writeUInt32BE(ssrc, 4);
  b.writeUInt32BE(msw, 8);
  b.writeUInt32BE(lsw, 12);
  return b;
}

interface Block {
  ssrc: number;
  fraction: number;
  cumulative: number;
  highest: number;
  jitter: number;
  lsr: number;
  dlsr: number;
}

/**
 * Parse a compound packet by the layout of RFC 3550 section 6.4.1/6.4.2
 * (SR or RR), then section 6.5 (SDES with one chunk, CNAME). Asserts every
 * length and padding rule on the way.
 */
function parseCompound(b: Buffer): { type: number; ssrc: number; sender?: number[]; blocks: Block[]; cname: string } {
  assert.equal(b[0]! >> 6, 2, 'version 2');
  assert.equal(b[0]! & 0x20, 0, 'no padding');
  const type = b[1]!;
  assert.ok(type === 200 || type === 201);
  const count = b[0]! & 0x1f;
  const size = (b.readUInt16BE(2) + 1) * 4;
  const head = type === 200 ? 28 : 8;
  assert.equal(size, head + 24 * count, 'length counts the report blocks');
  const sender = type === 200 ? [u32(b, 8), u32(b, 12), u32(b, 16), u32(b, 20), u32(b, 24)] : undefined;
  const blocks: Block[] = [];
  for (let i = 0, at = head; i < count; i++, at += 24) {
    const word = u32(b, at + 4);
    blocks.push({
      ssrc: u32(b, at),
      fraction: word >>> 24,
      cumulative: word & 0xffffff,
      highest: u32(b, at + 8),
      jitter: u32(b, at + 12),
      lsr: u32(b, at + 16),
      dlsr: u32(b, at + 20),
    });
  }
  const sdes = b.subarray(size);
  assert.equal(sdes[0]! >> 6, 2);
  assert.equal(sdes[0]! & 0x1f, 1, 'one chunk');
  assert.equal(sdes[1], 202);
  assert.equal((sdes.readUInt16BE(2) + 1) * 4, sdes.length, 'the SDES packet ends the datagram');
  assert.equal(u32(sdes, 4), u32(b, 4), 'the chunk is about the reporter');
  assert.equal(sdes[8], 1, 'CNAME');
  const len = sdes[9]!;
  const cname = sdes.subarray(10, 10 + len).toString('ascii');
  assert.ok(sdes.length >= 10 + len + 1, 'at least one null octet ends the item list');
  assert.ok(sdes.subarray(10 + len).every((x) => x === 0));
  return { type, ssrc: u32(b, 4), ...(sender && { sender }), blocks, cname };
}

async function rtcpAt(p: Peer, n: number): Promise<Buffer[]> {
  const isRtcp = (d: Buffer): boolean => d[1] === 200 || d[1] === 201;
  await until(() => p.got.filter((g) => isRtcp(g.data)).length >= n, `${n} RTCP packets`);
  return p.got.filter((g) => isRtcp(g.data)).map((g) => g.data);
}

describe('RTCP (RFC 3550 section 6)', () => {
  test('receiver reports every ~5 s: loss, highest seq, jitter (A.8), LSR/DLSR, SDES CNAME', async () => {
    const media = await peer();
    const control = await peer();
    const h = await harness(
      audio({ remote: { address: '127.0.0.1', port: media.port }, remoteRtcpPort: control.port }),
    );
    const seqs = [1, 2, 3, 4, 5, 8, 9, 10];
    for (const s of seqs) await media.send(rtp(0, s, s * 160, SSRC), h.session.port);
    await media.send(rtp(0, 11, 11 * 160, 0x99), h.session.port); // a second source
    await control.send(senderReport(SSRC, 0x01020304, 0x05060708), h.rtcpPort!);
    await until(() => counted(h.session) === 10, 'packets counted');
    assert.equal(h.session.stats().rtcpReceived, 1);
    const srAt = h.fake.now();
    h.fake.advance(8000);
    const [first] = await rtcpAt(control, 1);
    const r = parseCompound(first!);
    assert.equal(r.type, 201, 'RR: we sent nothing');
    assert.equal(r.ssrc, h.session.ssrc);
    assert.equal(r.cname.length, 16);
    const block = r.blocks.find((b) => b.ssrc === SSRC)!;
    assert.equal(r.blocks.length, 2);
    assert.equal(block.cumulative, 2);
    assert.equal(block.fraction, Math.floor((2 * 256) / 10));
    assert.equal(block.highest, 10);
    let jitter = 0; // A.8 with every packet arriving at the same (fake) instant
    for (let i = 1; i < seqs.length; i++) jitter += (Math.abs((seqs[i]! - seqs[i - 1]!) * 160) - jitter) / 16;
    assert.equal(block.jitter, Math.floor(jitter));
    assert.equal(block.lsr, 0x03040506, 'the middle 32 bits of the NTP timestamp');
    const dlsrMs = (block.dlsr * 1000) / 65536;
    assert.ok(dlsrMs >= 2500 - 1 && dlsrMs <= 8000 && Math.abs(dlsrMs - (h.fake.now() - srAt)) <= 8000);
    h.fake.advance(8000);
    const reports = (await rtcpAt(control, 2)).map(parseCompound);
    assert.equal(reports[1]!.blocks.length, 0, 'no block for sources not heard since');
  });

  test('a sender report while we play; with rtcp-mux it goes to the RTP port and comes in on ours', async () => {
    const media = await peer();
    const a = audio({ remote: { address: '127.0.0.1', port: media.port }, remoteRtcpPort: media.port, rtcpMux: true });
    const h = await harness(a);
    const played = h.session.play(new Int16Array(8000 * 10));
    await media.send(senderReport(SSRC, 1, 2), h.session.port);
    await until(() => h.session.stats().rtcpReceived === 1, 'RTCP demultiplexed (RFC 5761 section 4)');
    await step(h.fake, 8000);
    const [sr] = await rtcpAt(media, 1);
    const r = parseCompound(sr!);
    assert.equal(r.type, 200);
    const [, , , packets, octets] = r.sender!;
    assert.ok(packets! > 100 && packets! <= 400);
    assert.equal(octets, packets! * 160);
    h.session.stopPlayback();
    assert.equal(await played, 'stopped');
  });

  test('readRtcp never throws and only accepts well-formed compounds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        readRtcp(bytes, bytes.length, () => undefined);
      }),
      { numRuns: 2000 },
    );
    const sr = senderReport(7, 0xaaaabbbb, 0xccccdddd);
    const seen: [number, number][] = [];
    assert.equal(
      readRtcp(sr, sr.length, (s, m) => seen.push([s, m])),
      true,
    );
    assert.deepEqual(seen, [[7, 0xbbbbcccc]]);
    assert.equal(
      readRtcp(sr, sr.length - 4, () => assert.fail('truncated')),
      false,
    );
  });
});
