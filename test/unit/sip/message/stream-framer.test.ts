import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StreamFramer, type FramerEvent } from '../../../../src/sip/message/stream-framer.js';

const MAX = 65535;

function req(n: number, body = '', clHeader = 'Content-Length'): string {
  return (
    `INVITE sip:u${n}@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h.example.com;branch=z9hG4bK${n}\r\n` +
    `Call-ID: c${n}\r\n${clHeader}: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

function feed(framer: StreamFramer, ...chunks: (string | Buffer)[]): FramerEvent[] {
  const out: FramerEvent[] = [];
  for (const c of chunks) out.push(...framer.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c));
  return out;
}

function messages(events: FramerEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'message' ? [e.data.toString('latin1')] : []));
}

function types(events: FramerEvent[]): string[] {
  return events.map((e) => (e.type === 'error' ? `error:${e.reason}` : e.type));
}

describe('StreamFramer (RFC 3261 section 18.3)', () => {
  test('one message with a body in one chunk', () => {
    const m = req(1, 'v=0\r\n\r\nbody with CRLFCRLF inside');
    const ev = feed(new StreamFramer({ maxMessageSize: MAX }), m);
    assert.deepEqual(types(ev), ['message']);
    assert.deepEqual(messages(ev), [m]);
  });

  test('Content-Length: 0 and a response', () => {
    const r = 'SIP/2.0 200 OK\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n';
    assert.deepEqual(messages(feed(new StreamFramer({ maxMessageSize: MAX }), r)), [r]);
  });

  test('header name variants: compact l, any case, space before colon, folded value', () => {
    for (const name of ['l', 'L', 'CONTENT-LENGTH', 'content-length', 'Content-Length  ', 'l\t']) {
      const m = req(2, 'abc', name);
      assert.deepEqual(messages(feed(new StreamFramer({ maxMessageSize: MAX }), m)), [m], name);
    }
    const folded = 'MESSAGE sip:a@b SIP/2.0\r\nContent-Length:\r\n   4\r\nX: y\r\n\r\nabcd';
    assert.deepEqual(messages(feed(new StreamFramer({ maxMessageSize: MAX }), folded)), [folded]);
  });

  test('similar header names are not Content-Length', () => {
    const m =
      'MESSAGE sip:a@b SIP/2.0\r\nLanguage: 5\r\nContent-Length-X: 9\r\nc: text/plain\r\nContent-Length: 2\r\n\r\nhi';
    assert.deepEqual(messages(feed(new StreamFramer({ maxMessageSize: MAX }), m)), [m]);
  });

  test('partial: headers and body split anywhere, byte by byte', () => {
    const m = req(3, 'hello body');
    const f = new StreamFramer({ maxMessageSize: MAX });
    const out: FramerEvent[] = [];
    for (let i = 0; i < m.length; i++) {
      out.push(...f.push(Buffer.from(m[i] as string, 'latin1')));
      if (i < m.length - 1) {
        assert.equal(out.length, 0);
        assert.equal(f.bufferedBytes, i + 1);
      }
    }
    assert.deepEqual(messages(out), [m]);
    assert.equal(f.bufferedBytes, 0);
  });

  test('pipelined messages and a partial tail', () => {
    const a = req(4, 'x');
    const b = req(5);
    const c = req(6, 'tail body');
    const f = new StreamFramer({ maxMessageSize: MAX });
    const all = a + b + c;
    const cut = all.length - 5;
    assert.deepEqual(messages(feed(f, all.slice(0, cut))), [a, b]);
    assert.equal(f.bufferedBytes, c.length - 5);
    assert.deepEqual(messages(feed(f, all.slice(cut))), [c]);
  });

  test('RFC 5626 keep-alives: CRLFCRLF ping, lone CRLF pong, CRLF before a message', () => {
    const f = new StreamFramer({ maxMessageSize: MAX });
    assert.deepEqual(types(feed(f, '\r\n\r\n')), ['ping']);
    assert.deepEqual(types(feed(f, '\r\n' + req(7))), ['pong', 'message']);
    assert.deepEqual(types(feed(f, req(8) + '\r\n\r\n' + req(9))), ['message', 'ping', 'message']);
    assert.equal(f.bufferedBytes, 0);
  });

  test('a ping split byte by byte is still answered', () => {
    const f = new StreamFramer({ maxMessageSize: MAX });
    const ev = feed(f, '\r', '\n', '\r', '\n');
    assert.equal(types(ev).filter((t) => t === 'ping').length, 1);
    assert.deepEqual(messages(feed(f, req(10))), [req(10)]);
  });

  test('too large: endless headers, or a Content-Length beyond the limit (before the body arrives)', () => {
    const f = new StreamFramer({ maxMessageSize: 200 });
    const ev = feed(f, 'INVITE sip:a@b SIP/2.0\r\n', 'X: ' + 'a'.repeat(300));
    assert.deepEqual(types(ev), ['error:too-large']);
    const g = new StreamFramer({ maxMessageSize: 200 });
    assert.deepEqual(types(feed(g, 'INVITE sip:a@b SIP/2.0\r\nContent-Length: 500\r\n\r\n')), ['error:too-large']);
    // Exactly at the limit is fine.
    const exact = req(11, 'b'.repeat(40));
    assert.deepEqual(messages(feed(new StreamFramer({ maxMessageSize: exact.length }), exact)), [exact]);
    assert.deepEqual(types(feed(new StreamFramer({ maxMessageSize: exact.length - 1 }), exact)), ['error:too-large']);
  });

  test('missing or bad Content-Length is an error on a stream', () => {
    const head = 'OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n';
    assert.deepEqual(types(feed(new StreamFramer({ maxMessageSize: MAX }), head + '\r\n')), [
      'error:missing-content-length',
    ]);
    for (const v of ['abc', '-1', '5 5', '', '1e3', '99999999999']) {
      const ev = feed(new StreamFramer({ maxMessageSize: MAX }), head + `Content-Length: ${v}\r\n\r\n`);
      assert.deepEqual(types(ev), ['error:bad-content-length'], v);
    }
    const dup = feed(new StreamFramer({ maxMessageSize: MAX }), head + 'Content-Length: 1\r\nl: 2\r\n\r\nab');
    assert.deepEqual(types(dup), ['error:bad-content-length']);
    const same = head + 'Content-Length: 2\r\nl: 2\r\n\r\nab';
    assert.deepEqual(messages(feed(new StreamFramer({ maxMessageSize: MAX }), same)), [same]);
  });

  test('garbage is an error at once and the framer stays failed', () => {
    const tlsHello = Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01]);
    const f = new StreamFramer({ maxMessageSize: MAX });
    assert.deepEqual(types(feed(f, tlsHello)), ['error:garbage']);
    assert.equal(f.hasFailed, true);
    assert.deepEqual(feed(f, req(12)), []);
    assert.deepEqual(types(feed(new StreamFramer({ maxMessageSize: MAX }), 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')), [
      'error:garbage',
    ]);
    assert.deepEqual(types(feed(new StreamFramer({ maxMessageSize: MAX }), '\r\x00')), ['error:garbage']);
    assert.deepEqual(types(feed(new StreamFramer({ maxMessageSize: MAX }), 'hello\r\n\r\n')), ['error:garbage']);
  });

  test('a request with another SIP version still frames (the parser answers 505)', () => {
    const m = 'OPTIONS sip:a@b SIP/3.0\r\nContent-Length: 0\r\n\r\n';
    assert.deepEqual(messages(feed(new StreamFramer({ maxMessageSize: MAX }), m)), [m]);
  });
});

describe('StreamFramer properties (fast-check)', () => {
  const clName = fc.constantFrom('Content-Length', 'content-length', 'CONTENT-LENGTH', 'l', 'L', 'Content-Length ');
  const body = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
  const keepAlive = fc.constantFrom('', '', '\r\n', '\r\n\r\n', '\r\n\r\n\r\n');
  const item = fc.record({ name: clName, body, before: keepAlive, response: fc.boolean(), extra: fc.nat({ max: 5 }) });

  function build(it: { name: string; body: Buffer; response: boolean; extra: number }, i: number): Buffer {
    const start = it.response ? `SIP/2.0 ${200 + i} OK\r\n` : `MESSAGE sip:u${i}@h SIP/2.0\r\n`;
    let headers = '';
    for (let k = 0; k < it.extra; k++) headers += `X-H${k}: value ${k}\r\n`;
    return Buffer.concat([Buffer.from(`${start}${headers}${it.name}: ${it.body.length}\r\n\r\n`, 'latin1'), it.body]);
  }

  test('any chunking of a stream of messages and keep-alives yields the same messages and pings', () => {
    fc.assert(
      fc.property(
        fc.array(item, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 40 }),
        (items, cuts) => {
          const parts: Buffer[] = [];
          const expected: Buffer[] = [];
          let pings = 0;
          items.forEach((it, i) => {
            const m = build(it, i);
            parts.push(Buffer.from(it.before, 'latin1'), m);
            expected.push(m);
            pings += Math.floor(it.before.length / 4);
          });
          const stream = Buffer.concat(parts);
          const f = new StreamFramer({ maxMessageSize: MAX });
          const got: FramerEvent[] = [];
          let off = 0;
          let k = 0;
          while (off < stream.length) {
            const n = cuts[k++ % cuts.length] as number;
            got.push(...f.push(stream.subarray(off, off + n)));
            off += n;
          }
          const msgs = got.filter((e) => e.type === 'message').map((e) => (e as { data: Buffer }).data);
          assert.equal(msgs.length, expected.length);
          msgs.forEach((m, i) => assert.ok(m.equals(expected[i] as Buffer), `message ${i}`));
          assert.equal(got.filter((e) => e.type === 'ping').length, pings);
          assert.equal(got.filter((e) => e.type === 'error').length, 0);
          assert.equal(f.bufferedBytes, 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('random bytes never throw and any error is final', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const f = new StreamFramer({ maxMessageSize: 512 });
        let failed = false;
        for (const c of chunks) {
          const ev = f.push(Buffer.from(c));
          if (failed) assert.deepEqual(ev, []);
          if (ev.some((e) => e.type === 'error')) failed = true;
        }
        assert.ok(f.bufferedBytes <= 512 + 64);
      }),
      { numRuns: 500 },
    );
  });
});
