import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  SipParseError,
  SipRequest,
  SipResponse,
  SipUri,
  createResponse,
  formatNameAddr,
  headerKey,
  parseMessage,
  parseUri,
  randomToken,
  reasonPhrase,
  serializeMessage,
} from '../../../../src/sip/message/index.js';

function invite(): SipRequest {
  return new SipRequest('INVITE', parseUri('sip:bob@example.com'), [
    ['Via', 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1'],
    ['v', 'SIP/2.0/TCP b.example.com:5070;branch=z9hG4bK2;received=192.0.2.9'],
    ['Max-Forwards', '70'],
    ['From', 'Alice <sip:alice@example.com>;tag=f1'],
    ['To', '<sip:bob@example.com>'],
    ['Call-ID', 'c1@a.example.com'],
    ['CSeq', '7 INVITE'],
    ['Timestamp', '54'],
    ['Contact', '<sip:alice@192.0.2.1>;expires=60, "B" <sip:b@h>'],
    ['Expires', '300'],
  ]);
}

function isCode(code: string) {
  return (e: unknown) => e instanceof SipParseError && e.code === code;
}

describe('SipMessage header access', () => {
  test('names are case-insensitive and compact forms are accepted', () => {
    const m = invite();
    assert.equal(m.getHeader('call-id'), 'c1@a.example.com');
    assert.equal(m.getHeader('I'), 'c1@a.example.com');
    assert.equal(m.getHeader('FROM'), 'Alice <sip:alice@example.com>;tag=f1');
    assert.deepEqual(m.getHeaders('VIA').length, 2);
    assert.ok(m.hasHeader('m'));
    assert.ok(!m.hasHeader('Record-Route'));
    assert.equal(m.getHeader('Record-Route'), undefined);
    assert.equal(headerKey('V'), 'via');
    assert.equal(headerKey('X-Custom'), 'x-custom');
  });

  test('setHeader replaces every field in place of the first; add/prepend/remove', () => {
    const m = invite();
    m.setHeader('via', 'SIP/2.0/UDP c.example.com;branch=z9hG4bK3');
    assert.deepEqual(m.getHeaders('Via'), ['SIP/2.0/UDP c.example.com;branch=z9hG4bK3']);
    assert.equal(m.headers[0]?.name, 'via');
    m.setHeader('Subject', '  hello  ');
    assert.equal(m.headers.at(-1)?.value, 'hello');
    m.prependHeader('Via', 'SIP/2.0/UDP top.example.com;branch=z9hG4bK0');
    m.addHeader('Via', 'SIP/2.0/UDP bottom.example.com;branch=z9hG4bK9');
    assert.deepEqual(
      m.vias.map((v) => v.host),
      ['top.example.com', 'c.example.com', 'bottom.example.com'],
    );
    m.removeHeader('v');
    assert.deepEqual(m.vias, []);
  });

  test('values with CR, LF or NUL and bad names are refused (no header injection)', () => {
    const m = invite();
    assert.throws(() => m.setHeader('Subject', 'a\r\nVia: evil'), isCode('header'));
    assert.throws(() => m.addHeader('Subject', 'a\nb'), isCode('header'));
    assert.throws(() => m.addHeader('Subject', 'a\x00b'), isCode('header'));
    assert.throws(() => m.addHeader('Bad Name', 'x'), isCode('header'));
    assert.throws(() => m.addHeader('', 'x'), isCode('header'));
    assert.throws(() => new SipRequest('IN VITE', parseUri('sip:a@b')), isCode('start-line'));
    assert.throws(() => new SipResponse(99, 'x'), isCode('start-line'));
    assert.throws(() => new SipResponse(200, 'O\r\nK'), isCode('start-line'));
  });
});

describe('typed header views', () => {
  test('values', () => {
    const m = invite();
    assert.equal(m.callId, 'c1@a.example.com');
    assert.deepEqual(m.cseq, { seq: 7, method: 'INVITE' });
    assert.equal(m.from.displayName, 'Alice');
    assert.equal(m.from.params.get('tag'), 'f1');
    assert.equal(m.to.params.get('tag'), undefined);
    assert.equal(m.maxForwards, 70);
    assert.equal(m.expires, 300);
    assert.deepEqual(
      m.vias.map((v) => [v.transport, v.host, v.port]),
      [
        ['UDP', 'a.example.com', undefined],
        ['TCP', 'b.example.com', 5070],
      ],
    );
    assert.equal(m.contacts.length, 2);
    assert.equal(m.contacts[0]?.nameAddr?.params.get('expires'), '60');
    assert.equal(m.contacts[1]?.nameAddr?.displayName, 'B');
  });

  test('views are cached and reused until a header changes', () => {
    const m = invite();
    const from = m.from;
    const vias = m.vias;
    assert.equal(m.from, from);
    assert.equal(m.vias, vias);
    m.setHeader('From', 'Carol <sip:carol@example.com>;tag=f2');
    assert.notEqual(m.from, from);
    assert.equal(m.from.params.get('tag'), 'f2');
    m.addHeader('Via', 'SIP/2.0/UDP z;branch=z9hG4bK9');
    assert.equal(m.vias.length, 3);
  });

  test('direct edits of the headers array or of a field value are noticed', () => {
    const m = invite();
    assert.equal(m.cseq.seq, 7);
    const field = m.headers.find((h) => h.key === 'cseq');
    assert.ok(field);
    field.value = '8 INVITE';
    assert.equal(m.cseq.seq, 8);
    assert.equal(m.vias.length, 2);
    m.headers.splice(1, 1);
    assert.equal(m.vias.length, 1);
    const mf = m.headers.find((h) => h.key === 'max-forwards');
    assert.ok(mf);
    mf.value = '69';
    assert.equal(m.maxForwards, 69);
  });

  test('a parsed message arrives with its validated views cached', () => {
    const m = parseMessage(serializeMessage(invite()));
    assert.equal(m.from, m.from);
    assert.equal(m.vias[1]?.params.get('received'), '192.0.2.9');
  });

  test('missing and malformed headers', () => {
    const m = new SipRequest('OPTIONS', parseUri('sip:a@b'), [
      ['Contact', '*'],
      ['Expires', 'soon'],
      ['Max-Forwards', '300'],
    ]);
    assert.throws(() => m.callId, isCode('missing-header'));
    assert.throws(() => m.cseq, isCode('missing-header'));
    assert.throws(() => m.from, isCode('missing-header'));
    assert.throws(() => m.to, isCode('missing-header'));
    assert.throws(() => m.expires, isCode('header'));
    assert.throws(() => m.maxForwards, isCode('max-forwards'));
    assert.deepEqual(m.contacts, [{ star: true, nameAddr: undefined }]);
    assert.deepEqual(m.vias, []);
    const n = new SipRequest('OPTIONS', parseUri('sip:a@b'));
    assert.equal(n.maxForwards, undefined);
    assert.equal(n.expires, undefined);
    assert.deepEqual(n.contacts, []);
  });
});

describe('serializeMessage', () => {
  test('start line, fields in order, Content-Length from the body', () => {
    const m = new SipRequest(
      'MESSAGE',
      new SipUri('sip', 'example.com', 'bob'),
      [
        ['Via', 'SIP/2.0/UDP h;branch=z9hG4bK1'],
        ['Content-Length', '999'],
        ['Subject', 'héllo'],
      ],
      Buffer.from('hi there'),
    );
    assert.equal(
      serializeMessage(m).toString(),
      'MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n' +
        'Subject: héllo\r\nContent-Length: 8\r\n\r\nhi there',
    );
    const r = new SipResponse(180, 'Ringing');
    assert.equal(serializeMessage(r).toString(), 'SIP/2.0 180 Ringing\r\nContent-Length: 0\r\n\r\n');
  });
});

describe('createResponse (RFC 3261 8.2.6)', () => {
  test('copies Via (all, in order), From, To, Call-ID, CSeq; adds a To tag above 100', () => {
    const req = invite();
    const res = createResponse(req, 486, undefined, 'tt1');
    assert.equal(res.status, 486);
    assert.equal(res.reason, 'Busy Here');
    assert.deepEqual(
      res.headers.map((h) => h.name),
      ['Via', 'Via', 'From', 'To', 'Call-ID', 'CSeq'],
    );
    assert.deepEqual(res.getHeaders('Via'), req.getHeaders('Via'));
    assert.equal(res.to.params.get('tag'), 'tt1');
    assert.equal(res.from.params.get('tag'), 'f1');
    assert.deepEqual(res.cseq, req.cseq);
    assert.equal(res.callId, req.callId);
    const random = createResponse(req, 200);
    assert.ok((random.to.params.get('tag') ?? '').length >= 8);
  });

  test('100 Trying has no To tag but copies Timestamp (8.2.6.1)', () => {
    const res = createResponse(invite(), 100);
    assert.equal(res.reason, 'Trying');
    assert.equal(res.to.params.has('tag'), false);
    assert.equal(res.getHeader('Timestamp'), '54');
    assert.equal(createResponse(invite(), 180).getHeader('Timestamp'), undefined);
  });

  test('an existing To tag is kept; addr-spec To gets a header tag', () => {
    const req = invite();
    req.setHeader('To', 'sip:bob@example.com');
    const res = createResponse(req, 200, 'OK', 'x9');
    assert.equal(res.getHeader('To'), 'sip:bob@example.com;tag=x9');
    assert.equal((res.to.uri as SipUri).params.size, 0);
    req.setHeader('To', formatNameAddr({ uri: parseUri('sip:bob@example.com'), params: new Map([['tag', 'keep']]) }));
    assert.equal(createResponse(req, 200).to.params.get('tag'), 'keep');
  });

  test('the response parses back', () => {
    const res = parseMessage(serializeMessage(createResponse(invite(), 404)));
    assert.ok(res instanceof SipResponse);
    assert.equal(res.reason, 'Not Found');
  });

  test('reason phrases', () => {
    assert.equal(reasonPhrase(489), 'Bad Event');
    assert.equal(reasonPhrase(423), 'Interval Too Brief');
    assert.equal(reasonPhrase(499), 'Client Error');
  });
});

describe('randomToken', () => {
  test('token chars, length, uniqueness', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const t = randomToken();
      assert.match(t, /^[A-Za-z0-9_-]{16}$/);
      seen.add(t);
    }
    assert.equal(seen.size, 2000);
    assert.equal(randomToken(3).length, 4);
    assert.throws(() => randomToken(0), RangeError);
  });
});
