import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DtmfReceiver, END_TIMEOUT_MS } from '../../../src/media/dtmf-receiver.js';
import { readRtp, rtpHeader } from '../../../src/media/rtp-packet.js';
import { readPcapUdp } from '../../support/pcap.js';

const ev = (event: number, end: boolean, duration: number): Uint8Array =>
  Uint8Array.of(event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff);

function receiver(): { r: DtmfReceiver; digits: string[] } {
  const digits: string[] = [];
  return { r: new DtmfReceiver((d) => digits.push(d)), digits };
}

describe('RFC 4733 telephone-event receiver', () => {
  test('one digit per event: updates, then the end bit three times', () => {
    const { r, digits } = receiver();
    for (const [end, dur] of [
      [false, 160],
      [false, 320],
      [false, 480],
      [true, 640],
      [true, 640],
      [true, 640],
    ] as const) {
      r.push(ev(11, end, dur), 0, 4, 8000, 1, 0);
    }
    assert.deepEqual(digits, ['#']);
  });

  test('the same key twice in a row is two events (two start timestamps)', () => {
    const { r, digits } = receiver();
    r.push(ev(1, true, 800), 0, 4, 8000, 1, 0);
    r.push(ev(1, true, 800), 0, 4, 9600, 1, 200);
    assert.deepEqual(digits, ['1', '1']);
  });

  test('a lost end: reported when the next event starts, or after the timeout', () => {
    const { r, digits } = receiver();
    r.push(ev(5, false, 160), 0, 4, 8000, 1, 0);
    r.push(ev(6, false, 160), 0, 4, 9600, 1, 200);
    assert.deepEqual(digits, ['5']);
    r.tick(200 + END_TIMEOUT_MS - 1);
    assert.deepEqual(digits, ['5']);
    r.tick(200 + END_TIMEOUT_MS);
    assert.deepEqual(digits, ['5', '6']);
    r.push(ev(6, true, 800), 0, 4, 9600, 1, 1100); // its late end changes nothing
    assert.deepEqual(digits, ['5', '6']);
  });

  test('flash (16) and short payloads are no digits', () => {
    const { r, digits } = receiver();
    r.push(ev(16, true, 800), 0, 4, 8000, 1, 0);
    r.push(Uint8Array.of(1, 0x80), 0, 2, 9600, 1, 0);
    assert.deepEqual(digits, []);
  });

  test("SIPp's dtmf_2833_pound.pcap is one #", (t) => {
    const file = '/usr/share/sip-tester/dtmf_2833_pound.pcap';
    if (!existsSync(file)) {
      if (process.env.OPENUM_REQUIRE_INTEROP === '1') assert.fail(`${file} missing (Debian sip-tester)`);
      t.skip(`${file} missing (install Debian sip-tester)`);
      return;
    }
    const { r, digits } = receiver();
    const h = rtpHeader();
    for (const d of readPcapUdp(file)) {
      if (readRtp(d.payload, d.payload.length, h) !== undefined || h.payloadType !== 101) continue;
      r.push(d.payload, h.payloadOffset, h.payloadLength, h.timestamp, h.ssrc, d.time * 1000);
    }
    assert.deepEqual(digits, ['#']);
  });
});
