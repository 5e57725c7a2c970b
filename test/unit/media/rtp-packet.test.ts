import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readRtp, rtpHeader, writeRtpHeader } from '../../../src/media/rtp-packet.js';
import { readPcapUdp } from '../../support/pcap.js';

const G711A_PCAP = '/usr/share/sip-tester/g711a.pcap';

describe('RTP fixed header (RFC 3550 section 5.1)', () => {
  test('write then read gives the fields back, at the edges of each field', () => {
    const b = new Uint8Array(12 + 160);
    const h = rtpHeader();
    for (const [marker, pt, seq, ts, ssrc] of [
      [true, 0, 0, 0, 0],
      [false, 127, 65535, 0xffffffff, 0xffffffff],
      [true, 101, 0x8001, 0x80000001, 0x12345678],
    ] as const) {
      writeRtpHeader(b, marker, pt, seq, ts, ssrc);
      assert.equal(readRtp(b, b.length, h), undefined);
      assert.deepEqual(h, {
        marker,
        payloadType: pt,
        sequence: seq,
        timestamp: ts,
        ssrc,
        payloadOffset: 12,
        payloadLength: 160,
      });
    }
  });

  test('CSRCs, a header extension and padding are stepped over', () => {
    const b = Buffer.alloc(12 + 8 + 8 + 20 + 4);
    writeRtpHeader(b, false, 8, 1, 2, 3);
    b[0] = 0x80 | 0x20 | 0x10 | 2; // padding, extension, 2 CSRCs
    b.writeUInt16BE(1, 12 + 8 + 2); // extension of one 32-bit word
    b[b.length - 1] = 4; // 4 bytes of padding
    const h = rtpHeader();
    assert.equal(readRtp(b, b.length, h), undefined);
    assert.equal(h.payloadOffset, 12 + 8 + 8);
    assert.equal(h.payloadLength, 20);
  });

  test('not RTP: short, version 1, RTCP on a muxed port (RFC 5761), layouts that run past the end', () => {
    const h = rtpHeader();
    assert.equal(readRtp(new Uint8Array(11), 11, h), 'short');
    const b = new Uint8Array(20);
    writeRtpHeader(b, false, 0, 0, 0, 0);
    b[0] = 0x40;
    assert.equal(readRtp(b, 20, h), 'version');
    writeRtpHeader(b, false, 0, 0, 0, 0);
    b[1] = 200; // RTCP SR
    assert.equal(readRtp(b, 20, h), 'rtcp');
    writeRtpHeader(b, false, 0, 0, 0, 0);
    b[0] = 0x80 | 15; // 15 CSRCs in 20 bytes
    assert.equal(readRtp(b, 20, h), 'layout');
    b[0] = 0xa0; // padding
    b[19] = 0;
    assert.equal(readRtp(b, 20, h), 'layout');
    b[19] = 9;
    assert.equal(readRtp(b, 20, h), 'layout');
  });

  test("SIPp's g711a.pcap: 236 PCMA packets of 240 bytes, marker on the first, steady sequence and timestamp", (t) => {
    if (!existsSync(G711A_PCAP)) {
      if (process.env.OPENUM_REQUIRE_INTEROP === '1') assert.fail(`${G711A_PCAP} missing (Debian sip-tester)`);
      t.skip(`${G711A_PCAP} missing (install Debian sip-tester)`);
      return;
    }
    const h = rtpHeader();
    const packets = readPcapUdp(G711A_PCAP).map((d) => {
      assert.equal(readRtp(d.payload, d.payload.length, h), undefined);
      return { ...h };
    });
    assert.equal(packets.length, 236);
    assert.ok(packets.every((p) => p.payloadType === 8 && p.payloadLength === 240));
    assert.deepEqual(
      packets.map((p) => p.marker),
      packets.map((_, i) => i === 0),
    );
    for (let i = 1; i < packets.length; i++) {
      assert.equal(packets[i]!.sequence, (packets[i - 1]!.sequence + 1) & 0xffff);
      assert.equal(packets[i]!.timestamp, packets[i - 1]!.timestamp + 240);
    }
  });
});
