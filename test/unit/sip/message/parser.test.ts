import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMPACT_FORMS,
  SipParseError,
  SipRequest,
  SipResponse,
  SipUri,
  TelUri,
  type SipParseErrorCode,
  parseMessage,
  serializeMessage,
} from '../../../../src/sip/message/index.js';

const MANDATORY = [
  'Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: Alice <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.example.com',
];

function request(method: string, extra: string[] = [], body = '', startLine?: string): Buffer {
  const lines = [startLine ?? `${method} sip:bob@example.com SIP/2.0`, ...MANDATORY, `CSeq: 1 ${method}`, ...extra];
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body);
}

function rejects(data: Buffer | string, code: SipParseErrorCode, status = 400, opts?: { maxSize?: number }): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  assert.throws(
    () => parseMessage(buf, opts),
    (e: unknown) => {
      assert.ok(e instanceof SipParseError, String(e));
      assert.equal(e.code, code, e.message);
      assert.equal(e.status, status);
      return true;
    },
  );
}

describe('parseMessage: start line (RFC 3261 7.1, 7.2)', () => {
  test('a request', () => {
    const m = parseMessage(request('OPTIONS'));
    assert.ok(m instanceof SipRequest);
    assert.equal(m.method, 'OPTIONS');
    assert.ok(m.uri instanceof SipUri);
    assert.equal(m.uri.toString(), 'sip:bob@example.com');
  });

  test('a response, reason phrase with spaces and UTF-8', () => {
    const text = ['SIP/2.0 486 Busy Here – très occupé', ...MANDATORY, 'CSeq: 1 INVITE', '', ''].join('\r\n');
    const m = parseMessage(Buffer.from(text));
    assert.ok(m instanceof SipResponse);
    assert.equal(m.status, 486);
    assert.equal(m.reason, 'Busy Here – très occupé');
    assert.equal(serializeMessage(m).toString(), text.replace('\r\n\r\n', '\r\nContent-Length: 0\r\n\r\n'));
  });

  test('a response CSeq method need not match anything; status without reason', () => {
    const m = parseMessage(Buffer.from(['SIP/2.0 200', ...MANDATORY, 'CSeq: 1 FOO', '', ''].join('\r\n')));
    assert.ok(m instanceof SipResponse);
    assert.equal(m.reason, '');
  });

  test('tel: Request-URI; lower-case version', () => {
    const m = parseMessage(request('INVITE', [], '', 'INVITE tel:+15551234 sip/2.0'));
    assert.ok(m instanceof SipRequest && m.uri instanceof TelUri);
  });

  test('CRLFs before the start line are ignored (RFC 3261 7.5)', () => {
    const m = parseMessage(Buffer.concat([Buffer.from('\r\n\r\n'), request('OPTIONS')]));
    assert.ok(m instanceof SipRequest);
  });

  test('malformed start lines', () => {
    rejects(request('OPTIONS', [], '', 'OPTIONS sip:bob@example.com'), 'start-line');
    rejects(request('OPTIONS', [], '', 'OPTIONS  sip:bob@example.com SIP/2.0'), 'start-line');
    rejects(request('OPTIONS', [], '', 'OPTIONS sip:bob@example.com  SIP/2.0'), 'start-line');
    rejects(request('OPTIONS', [], '', 'OPTIONS sip:bob@example.com SIP/2.0 '), 'start-line');
    rejects(request('OPTIONS', [], '', 'OPT<IONS sip:bob@example.com SIP/2.0'), 'start-line');
    rejects(request('OPTIONS', [], '', 'OPTIONS sip:bob@example.com HTTP/1.1'), 'start-line');
    rejects(request('OPTIONS', [], '', 'OPTIONS sip:bob@example.com SIP/2'), 'start-line');
    rejects(request('OPTIONS', [], '', 'OPTIONS sip:bob@example.com SIP/3.0'), 'version', 505);
    rejects(request('OPTIONS', [], '', 'OPTIONS sip:bob@exa mple.com SIP/2.0'), 'uri');
    rejects(request('OPTIONS', [], '', 'OPTIONS\tsip:bob@example.com SIP/2.0'), 'start-line');
    rejects(['SIP/2.0 20 OK', ...MANDATORY, 'CSeq: 1 INVITE', '', ''].join('\r\n'), 'start-line');
    rejects(['SIP/2.0 099 Odd', ...MANDATORY, 'CSeq: 1 INVITE', '', ''].join('\r\n'), 'start-line');
    rejects(['SIP/2.0 700 Odd', ...MANDATORY, 'CSeq: 1 INVITE', '', ''].join('\r\n'), 'start-line');
    rejects(['SIP/2.0 2000 OK', ...MANDATORY, 'CSeq: 1 INVITE', '', ''].join('\r\n'), 'start-line');
    rejects(['SIP/2.1 200 OK', ...MANDATORY, 'CSeq: 1 INVITE', '', ''].join('\r\n'), 'version', 505);
  });
});

describe('parseMessage: header fields (RFC 3261 7.3)', () => {
  test('folding (LWS continuation lines) becomes one SP', () => {
    const m = parseMessage(
      request('OPTIONS', ["Subject: I know you're there,\r\n  pick up the phone\r\n\tand talk to me!"]),
    );
    assert.equal(m.getHeader('subject'), "I know you're there, pick up the phone and talk to me!");
  });

  test('a folded value that starts on the next line', () => {
    const m = parseMessage(request('OPTIONS', ['Contact:\r\n  <sip:a@b>', 'X-Empty:   ']));
    assert.equal(m.getHeader('Contact'), '<sip:a@b>');
    assert.equal(m.getHeader('X-Empty'), '');
  });

  test('every compact form maps to its long name', () => {
    const extra = Object.keys(COMPACT_FORMS)
      .filter((c) => !'iftvl'.includes(c))
      .map((c) => `${c.toUpperCase()}: value-${c}`);
    const m = parseMessage(request('OPTIONS', extra));
    for (const [c, long] of Object.entries(COMPACT_FORMS)) {
      if ('iftvl'.includes(c)) continue;
      assert.equal(m.getHeader(long), `value-${c}`, long);
      assert.equal(m.getHeader(c), `value-${c}`, c);
    }
    assert.equal(m.getHeader('o'), 'value-o'); // Event (RFC 6665)
    assert.equal(m.getHeader('Allow-Events'), 'value-u');
  });

  test('names are case-insensitive; whitespace before the colon', () => {
    const m = parseMessage(
      Buffer.from(
        [
          'OPTIONS sip:bob@example.com SIP/2.0',
          'v  : SIP/2.0/UDP h;branch=z9hG4bK1',
          'T:<sip:bob@example.com>',
          'f:<sip:a@b>;tag=1',
          'i:x@y',
          'CSEQ : 1 OPTIONS',
          'call-info  :<http://x>',
          '',
          '',
        ].join('\r\n'),
      ),
    );
    assert.deepEqual(
      m.headers.map((h) => [h.name, h.key]),
      [
        ['v', 'via'],
        ['T', 'to'],
        ['f', 'from'],
        ['i', 'call-id'],
        ['CSEQ', 'cseq'],
        ['call-info', 'call-info'],
      ],
    );
    assert.equal(m.callId, 'x@y');
  });

  test('comma lists are split quote- and <>-aware; non-list headers are not split', () => {
    const m = parseMessage(
      request('OPTIONS', [
        'Contact: "Doe, John" <sip:a@b;x=1,2>, <sip:c@d>;q=0.5',
        'Allow: INVITE, ACK,BYE',
        'Allow: OPTIONS',
        'WWW-Authenticate: Digest realm="a, b", nonce="n", qop="auth,auth-int"',
        'Date: Sat, 13 Nov 2010 23:29:00 GMT',
      ]),
    );
    assert.deepEqual(m.getHeaderList('Allow'), ['INVITE', 'ACK', 'BYE', 'OPTIONS']);
    assert.deepEqual(m.getHeaderList('contact'), ['"Doe, John" <sip:a@b;x=1,2>', '<sip:c@d>;q=0.5']);
    assert.equal(m.getHeaderList('WWW-Authenticate').length, 1);
    assert.equal(m.getHeaderList('Date').length, 1);
    assert.deepEqual(m.getHeaders('Allow'), ['INVITE, ACK,BYE', 'OPTIONS']);
  });

  test('bad header lines', () => {
    rejects(request('OPTIONS', ['NoColonHere']), 'header');
    rejects(request('OPTIONS', ['Bad Name: x']), 'header');
    rejects(request('OPTIONS', [': x']), 'header');
    rejects(request('OPTIONS', ['X: a\rb']), 'header');
    rejects(request('OPTIONS', ['X: a\nb']), 'header');
    rejects(Buffer.from(' Via: SIP/2.0/UDP h\r\n\r\n'), 'start-line');
    rejects(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n  folded-first-line: x\r\n\r\n'), 'header');
    rejects(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n'), 'header');
    rejects(Buffer.from(''), 'header');
  });

  test('mandatory headers (RFC 3261 8.1.1); Max-Forwards may be absent (RFC 2543 peers)', () => {
    for (const drop of ['Via', 'To', 'From', 'Call-ID']) {
      const lines = [
        'OPTIONS sip:bob@example.com SIP/2.0',
        ...MANDATORY.filter((l) => !l.startsWith(drop + ':')),
        'CSeq: 1 OPTIONS',
        '',
        '',
      ];
      rejects(lines.join('\r\n'), 'missing-header');
    }
    rejects(['OPTIONS sip:bob@example.com SIP/2.0', ...MANDATORY, '', ''].join('\r\n'), 'missing-header');
    const lines = [
      'OPTIONS sip:bob@example.com SIP/2.0',
      ...MANDATORY.filter((l) => !l.startsWith('Max-Forwards')),
      'CSeq: 1 OPTIONS',
      '',
      '',
    ];
    assert.equal(parseMessage(Buffer.from(lines.join('\r\n'))).maxForwards, undefined);
  });

  test('single-valued headers may not repeat; eager validation of their values', () => {
    rejects(request('OPTIONS', ['Call-ID: again@x']), 'duplicate-header');
    rejects(request('OPTIONS', ['Max-Forwards: 1']), 'duplicate-header');
    rejects(request('OPTIONS', ['Content-Length: 0', 'l: 0']), 'duplicate-header');
    rejects(
      request('OPTIONS', [], '', undefined).toString().replace('Max-Forwards: 70', 'Max-Forwards: 256'),
      'max-forwards',
    );
    rejects(
      request('OPTIONS', [], '', undefined).toString().replace('Max-Forwards: 70', 'Max-Forwards: -1'),
      'max-forwards',
    );
    rejects(
      request('OPTIONS').toString().replace('Call-ID: a84b4c76e66710@pc33.example.com', 'Call-ID: a b'),
      'call-id',
    );
    rejects(
      request('OPTIONS').toString().replace('Call-ID: a84b4c76e66710@pc33.example.com', 'Call-ID: a@b@c'),
      'call-id',
    );
    rejects(request('OPTIONS').toString().replace('CSeq: 1 OPTIONS', 'CSeq: 4294967296 OPTIONS'), 'cseq');
    rejects(request('OPTIONS').toString().replace('CSeq: 1 OPTIONS', 'CSeq: OPTIONS'), 'cseq');
    rejects(request('OPTIONS').toString().replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE'), 'cseq');
    rejects(request('FOO').toString().replace('CSeq: 1 FOO', 'CSeq: 1 BAR'), 'cseq', 501);
    rejects(request('OPTIONS').toString().replace('Via: SIP/2.0/UDP pc33', 'Via: SIP/2.0 pc33'), 'via');
    rejects(request('OPTIONS').toString().replace('From: Alice <', 'From: Alice, <'), 'name-addr');
    const max = Buffer.from(request('OPTIONS').toString().replace('CSeq: 1 OPTIONS', 'CSeq: 4294967295 OPTIONS'));
    assert.equal(parseMessage(max).cseq.seq, 4294967295);
  });
});

describe('parseMessage: body and size (RFC 3261 18.3, 20.14)', () => {
  test('Content-Length selects the body; extra datagram octets are discarded', () => {
    const m = parseMessage(request('MESSAGE', ['Content-Length: 5', 'Content-Type: text/plain'], 'helloEXTRA'));
    assert.equal(m.body.toString(), 'hello');
  });

  test('no Content-Length: the body runs to the end of the datagram', () => {
    const m = parseMessage(request('MESSAGE', ['Content-Type: text/plain'], 'hello\r\n'));
    assert.equal(m.body.toString(), 'hello\r\n');
  });

  test('the body is a copy', () => {
    const data = request('MESSAGE', ['l: 5'], 'hello');
    const m = parseMessage(data);
    data.fill(0x41);
    assert.equal(m.body.toString(), 'hello');
  });

  test('a body shorter than Content-Length, or a malformed Content-Length, is an error', () => {
    rejects(request('MESSAGE', ['Content-Length: 6'], 'hello'), 'body');
    rejects(request('MESSAGE', ['Content-Length: five'], 'hello'), 'content-length');
    rejects(request('MESSAGE', ['Content-Length: 99999999999999999999'], 'hello'), 'content-length');
    rejects(request('MESSAGE', ['Content-Length: '], 'hello'), 'content-length');
  });

  test('a binary body (non-ASCII octets) with a UTF-8 header section', () => {
    const body = Buffer.from([0, 0xff, 0x80, 13, 10, 13, 10, 0xc3]);
    const data = Buffer.concat([request('MESSAGE', ['Subject: Grüße', `Content-Length: ${body.length}`]), body]);
    const m = parseMessage(data);
    assert.equal(m.getHeader('Subject'), 'Grüße');
    assert.ok(m.body.equals(body));
    const again = parseMessage(serializeMessage(m));
    assert.equal(again.getHeader('Subject'), 'Grüße');
    assert.ok(again.body.equals(body));
  });

  test('size limit: default 65535, configurable, 513 when exceeded', () => {
    const big = request('MESSAGE', ['Content-Length: 70000'], 'x'.repeat(70000));
    rejects(big, 'too-large', 513);
    assert.equal(parseMessage(big, { maxSize: 100000 }).body.length, 70000);
    rejects(request('OPTIONS'), 'too-large', 513, { maxSize: 100 });
  });
});

describe('parseMessage: linear time on adversarial input', () => {
  const base = ['OPTIONS sip:bob@example.com SIP/2.0', ...MANDATORY, 'CSeq: 1 OPTIONS'];
  const cases: [string, (n: number) => string][] = [
    ['many Contact entries without "@"', (n) => 'Contact: ' + Array(n).fill('<sip:h>').join(',')],
    ['many IPv6 Contact entries', (n) => 'Contact: ' + Array(n).fill('<sip:[::1]>').join(',')],
    ['many IPv6 Via entries', (n) => 'Via: ' + Array(n).fill('SIP/2.0/UDP [::1]').join(',')],
    ['many folded lines', (n) => 'X: a' + '\r\n b'.repeat(n)],
    ['many header fields', (n) => Array(n).fill('X: y').join('\r\n')],
    ['many quoted parameters', (n) => 'Contact: ' + Array(n).fill('"a" <sip:h>;x="y"').join(',')],
  ];
  function bestTime(data: Buffer): number {
    let best = Infinity;
    for (let k = 0; k < 5; k++) {
      const t0 = performance.now();
      try {
        const m = parseMessage(data);
        void m.contacts;
        void m.vias;
      } catch (e) {
        assert.ok(e instanceof SipParseError);
      }
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  }
  for (const [name, make] of cases) {
    test(name, () => {
      let n = 100;
      while ([...base, make(n * 2)].join('\r\n').length < 65000) n *= 2;
      const small = bestTime(Buffer.from([...base, make(n / 4), '', ''].join('\r\n')));
      const large = bestTime(Buffer.from([...base, make(n), '', ''].join('\r\n')));
      // 4x the input: about 4x the time when linear, 16x when quadratic
      assert.ok(
        large < 8 * small + 10,
        `${name}: ${small.toFixed(2)} ms for n=${n / 4}, ${large.toFixed(2)} ms for n=${n}`,
      );
    });
  }
});
