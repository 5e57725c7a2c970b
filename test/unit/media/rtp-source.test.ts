import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIp, LatchVerdict, RtpLatch } from '../../../src/media/rtp-latch.js';
import { MAX_DROPOUT, RtpSource, SeqVerdict } from '../../../src/media/rtp-source.js';

describe('RFC 3550 appendix A.1 sequence validation and A.3 loss', () => {
  test('in order, a gap is loss, late and duplicate packets are passed on', () => {
    const s = new RtpSource(1, 100);
    assert.equal(s.update(101), SeqVerdict.InOrder);
    assert.equal(s.update(104), SeqVerdict.InOrder);
    assert.equal(s.cumulativeLost, 2);
    assert.equal(s.update(102), SeqVerdict.Late);
    assert.equal(s.update(104), SeqVerdict.Late);
    assert.equal(s.extendedMax, 104);
    assert.equal(s.cumulativeLost, 0, 'A.1 counts the duplicate: one lost, one extra');
  });

  test('the sequence number wraps into the next cycle', () => {
    const s = new RtpSource(1, 65534);
    assert.equal(s.update(65535), SeqVerdict.InOrder);
    assert.equal(s.update(0), SeqVerdict.InOrder);
    assert.equal(s.update(1), SeqVerdict.InOrder);
    assert.equal(s.extendedMax, 65536 + 1);
    assert.equal(s.cumulativeLost, 0);
  });

  test('a jump beyond MAX_DROPOUT is dropped, unless the next packet follows it (a restart)', () => {
    const s = new RtpSource(1, 10);
    assert.equal(s.update(10 + MAX_DROPOUT), SeqVerdict.Bad);
    assert.equal(s.update(20000), SeqVerdict.Bad);
    assert.equal(s.update(20001), SeqVerdict.InOrder);
    assert.equal(s.update(20002), SeqVerdict.InOrder);
    assert.equal(s.extendedMax, 20002);
    assert.equal(s.cumulativeLost, 0);
  });

  test('report block: fraction lost of the interval, then the next interval starts', () => {
    const s = new RtpSource(0xabcdef01, 0);
    for (const q of [1, 2, 3, 5, 6, 7, 8, 9]) s.update(q); // seq 4 lost: 1 of 10
    const b = new Uint8Array(24);
    s.writeReportBlock(b, 0, 0);
    const view = Buffer.from(b);
    assert.equal(view.readUInt32BE(0), 0xabcdef01);
    assert.equal(view[4], Math.floor(256 / 10));
    assert.equal(view.readUIntBE(5, 3), 1);
    assert.equal(view.readUInt32BE(8), 9);
    assert.equal(s.heard, false);
    s.update(10);
    s.writeReportBlock(b, 0, 0);
    assert.equal(b[4], 0, 'nothing lost in the second interval');
  });
});

describe('latching policy (RFC 7362)', () => {
  test('IP literals compare in canonical form', () => {
    assert.equal(canonicalIp('2001:DB8:0:0::1'), '2001:db8::1');
    assert.equal(canonicalIp('pbx.example.com'), undefined);
  });

  test('probation counts consecutive packets of one SSRC per source; strangers do not block each other', () => {
    const l = new RtpLatch();
    l.expect({ address: '192.168.0.10', port: 4000 });
    const admit = (who: string, ssrc: number, seq: number): LatchVerdict => l.admit(who, 5000, ssrc, seq);
    assert.equal(admit('203.0.113.1', 1, 10), LatchVerdict.Probation);
    assert.equal(admit('198.51.100.7', 9, 500), LatchVerdict.Probation);
    assert.equal(admit('203.0.113.1', 1, 11), LatchVerdict.Probation);
    assert.equal(admit('198.51.100.7', 9, 501), LatchVerdict.Probation);
    assert.equal(admit('203.0.113.1', 2, 12), LatchVerdict.Probation, 'another SSRC restarts the count');
    assert.equal(admit('203.0.113.1', 2, 13), LatchVerdict.Probation);
    assert.equal(admit('198.51.100.7', 9, 502), LatchVerdict.Probation);
    assert.equal(admit('198.51.100.7', 9, 503), LatchVerdict.Accept);
    assert.equal(l.address, '198.51.100.7');
    assert.equal(admit('203.0.113.1', 2, 14), LatchVerdict.Foreign);
    assert.equal(l.expect({ address: '192.168.0.10', port: 4000 }), false, 'the same SDP keeps the latch');
    assert.equal(l.address, '198.51.100.7');
  });
});
