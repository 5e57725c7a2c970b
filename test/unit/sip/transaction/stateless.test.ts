import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SipParseError, SipResponse, parseMessage } from '../../../../src/sip/message/index.js';
import { statelessErrorResponse } from '../../../../src/sip/transaction/stateless.js';

const BAD_MF = [
  'INVITE sip:bob@example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1',
  'v: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK0',
  'Max-Forwards: seventy',
  'From: <sip:alice@example.com>;tag=a1',
  'To: <sip:bob@example.com>',
  'Call-ID: abc@192.0.2.1',
  'CSeq: 1 INVITE',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

function parsed(buf: Buffer | undefined): SipResponse {
  assert.ok(buf, 'a response was built');
  const m = parseMessage(buf);
  assert.ok(m instanceof SipResponse);
  return m;
}

describe('statelessErrorResponse (RFC 3261 8.2.6, 21.4.1)', () => {
  test('400 with the parse error as reason, headers echoed, To tag added', () => {
    const out = statelessErrorResponse(Buffer.from(BAD_MF), new SipParseError('max-forwards', 'bad Max-Forwards'));
    const r = parsed(out);
    assert.equal(r.status, 400);
    assert.equal(r.reason, 'bad Max-Forwards');
    assert.deepEqual(r.getHeaders('Via'), [
      'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1',
      'SIP/2.0/UDP proxy.example.com;branch=z9hG4bK0',
    ]);
    assert.equal(r.getHeader('From'), '<sip:alice@example.com>;tag=a1');
    assert.equal(r.getHeader('Call-ID'), 'abc@192.0.2.1');
    assert.equal(r.getHeader('CSeq'), '1 INVITE');
    assert.equal(r.hasHeader('Max-Forwards'), false);
    assert.match(r.getHeader('To') ?? '', /^<sip:bob@example\.com>;tag=\S+$/);
    assert.equal(r.getHeader('Content-Length'), '0');
    assert.equal(r.body.length, 0);
  });

  test('a malformed CSeq is echoed byte for byte (the client matches what it sent)', () => {
    const out = statelessErrorResponse(
      Buffer.from(BAD_MF.replace('CSeq: 1 INVITE', 'CSeq: one INVITE')),
      new SipParseError('cseq', 'bad CSeq'),
    );
    assert.ok(out);
    const text = out.toString('latin1');
    assert.ok(text.startsWith('SIP/2.0 400 bad CSeq\r\n'));
    assert.ok(text.includes('\r\nCSeq: one INVITE\r\n'));
  });

  test('uses the status of the error (505, 513) and keeps an existing To tag', () => {
    const text = BAD_MF.replace('SIP/2.0\r\n', 'SIP/7.0\r\n').replace(
      'To: <sip:bob@example.com>',
      'To: <sip:bob@example.com> ; TAG = t9',
    );
    const r505 = parsed(statelessErrorResponse(Buffer.from(text), new SipParseError('version', '', 505)));
    assert.equal(r505.status, 505);
    assert.equal(r505.reason, 'Version Not Supported', 'standard phrase when the message is empty');
    assert.equal(r505.getHeader('To'), '<sip:bob@example.com> ; TAG = t9');
    const big = Buffer.concat([
      Buffer.from(BAD_MF.replace('Content-Length: 0', 'Content-Length: 100000')),
      Buffer.alloc(100_000, 0x61),
    ]);
    const r513 = parsed(statelessErrorResponse(big, new SipParseError('too-large', 'message too large', 513)));
    assert.equal(r513.status, 513);
  });

  test('501 for an unknown method error, with the standard phrase when the message is empty', () => {
    const r = parsed(statelessErrorResponse(Buffer.from(BAD_MF), new SipParseError('start-line', '', 501)));
    assert.equal(r.status, 501);
    assert.equal(r.reason, 'Not Implemented');
  });

  test('an out-of-range status on the error falls back to 400', () => {
    const r = parsed(statelessErrorResponse(Buffer.from(BAD_MF), new SipParseError('header', 'x', 200)));
    assert.equal(r.status, 400);
  });

  test('compact forms and folded lines are salvaged; control characters are neutralised', () => {
    const text = [
      'OPTIONS sip:x@example.com SIP/2.0',
      'v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK5',
      'f: <sip:a@example.com>',
      '  ;tag=f1',
      't: <sip:x@example.com>',
      'i: folded@id',
      'CSeq: 9 OPTIONS',
      'Bad Header Line Without Colon',
      '',
      '',
    ].join('\r\n');
    const r = parsed(statelessErrorResponse(Buffer.from(text), new SipParseError('header', 'bad\r\nheader\x00line')));
    assert.equal(r.getHeader('From'), '<sip:a@example.com> ;tag=f1');
    assert.equal(r.callId, 'folded@id');
    assert.equal(r.reason, 'bad header line');
  });

  test('tolerates bare LF line endings and leading CRLFs', () => {
    const text = '\r\n\r\n' + BAD_MF.replace(/\r\n/g, '\n');
    const r = parsed(statelessErrorResponse(Buffer.from(text), new SipParseError('max-forwards', 'bad')));
    assert.equal(r.status, 400);
  });

  test('drops responses, ACKs, garbage and requests missing a needed header', () => {
    const err = new SipParseError('header', 'x');
    assert.equal(
      statelessErrorResponse(Buffer.from('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\n\r\n'), err),
      undefined,
    );
    assert.equal(statelessErrorResponse(Buffer.from(BAD_MF.replace('INVITE sip', 'ACK sip')), err), undefined);
    assert.equal(statelessErrorResponse(Buffer.from(BAD_MF.replace('CSeq: 1 INVITE', 'CSeq: 1 ACK')), err), undefined);
    assert.equal(statelessErrorResponse(Buffer.from('\x16\x03\x01\x02\x00garbage'), err), undefined);
    assert.equal(statelessErrorResponse(Buffer.from(''), err), undefined);
    assert.equal(statelessErrorResponse(Buffer.from(BAD_MF.replace('Call-ID: abc@192.0.2.1\r\n', '')), err), undefined);
    assert.equal(
      statelessErrorResponse(Buffer.from(BAD_MF.replace(/Via: [^\r]*\r\nv: [^\r]*\r\n/, '')), err),
      undefined,
    );
    assert.equal(statelessErrorResponse(Buffer.from('IN VITE sip:x SIP/2.0\r\n\r\n'), err), undefined);
  });

  test('never throws; output keeps the framing intact (property)', () => {
    const err = new SipParseError('header', 'fuzz');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const out = statelessErrorResponse(Buffer.from(bytes), err);
        assert.equal(out, undefined);
      }),
      { numRuns: 300 },
    );
    const lines = fc.constantFrom(
      'Via: SIP/2.0/UDP h;branch=z9hG4bKq',
      'From: <sip:a@b>;tag=1',
      'To: <sip:c@d>',
      'Call-ID: q',
      'CSeq: 1 MESSAGE',
      ' folded',
      'X: \u0000\u00ff\u00e9',
      ':',
      '',
      'garbage',
    );
    fc.assert(
      fc.property(fc.array(lines, { maxLength: 12 }), fc.string(), (hs, reason) => {
        const text = ['MESSAGE sip:x@y SIP/2.0', ...hs, '', ''].join('\r\n');
        const out = statelessErrorResponse(Buffer.from(text, 'latin1'), new SipParseError('header', reason));
        if (out !== undefined) {
          const text = out.toString('latin1');
          assert.ok(text.startsWith('SIP/2.0 400 '));
          assert.ok(text.endsWith('\r\nContent-Length: 0\r\n\r\n'));
          // framing intact: every CR is followed by LF and every LF preceded by CR
          assert.equal(text.replace(/\r\n/g, '').search(/[\r\n]/), -1);
        }
      }),
      { numRuns: 300 },
    );
  });
});
