/**
 * RFC 4475 (SIP torture test messages): every message of section 3 is a
 * test. Beside each case: what the RFC says a receiver should do, and what
 * openum's parser does. Valid messages must parse, carry the fields the RFC
 * talks about, and re-serialize to a fixed point; invalid ones must throw a
 * SipParseError with the code and the status a server would answer.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  AbsoluteUri,
  SipParseError,
  SipRequest,
  SipResponse,
  SipUri,
  type Uri,
  type SipParseErrorCode,
  parseMessage,
  serializeMessage,
} from '../../../../src/sip/message/index.js';
import { conformanceFiles, conformanceMessage } from './conformance-data.js';

type Msg = SipRequest | SipResponse;

interface Case {
  section: string;
  /**
   * a function: the message parses and passes these checks (and round-trips);
   * { code, status }: parseMessage throws this SipParseError;
   * { later }: the message parses, and these checks concern a lazily parsed header
   */
  expect: ((m: Msg, raw: Buffer) => void) | { code: SipParseErrorCode; status: number } | { later: (m: Msg) => void };
}

function req(m: Msg): SipRequest {
  assert.ok(m instanceof SipRequest, 'a request');
  return m;
}
function res(m: Msg): SipResponse {
  assert.ok(m instanceof SipResponse, 'a response');
  return m;
}
function sip(u: Uri): SipUri {
  assert.ok(u instanceof SipUri, `a SIP URI, got ${u.toString()}`);
  return u;
}
function rejects(code: SipParseErrorCode, status = 400): { code: SipParseErrorCode; status: number } {
  return { code, status };
}

const CASES: Record<string, Case> = {
  // ---- 3.1.1 Valid messages: a parser must accept them -------------------------------
  // 3.1.1.1 A Short Tortuous INVITE: unusual but legal whitespace, folding, compact and
  // mixed-case names, escaped quotes; "an element must parse it". -> parses.
  wsinv: {
    section: '3.1.1.1',
    expect: (m) => {
      const r = req(m);
      assert.equal(r.method, 'INVITE');
      const u = sip(r.uri);
      assert.equal(u.user, 'vivekg');
      assert.equal(u.host, 'chair-dnrc.example.com');
      assert.equal(u.params.get('unknownparam'), null);
      assert.equal(r.to.params.get('tag'), '1918181833n');
      assert.equal(r.from.displayName, 'J Rosenberg \\"');
      assert.equal(r.from.params.get('tag'), '98asjd8');
      assert.equal(r.maxForwards, 68);
      assert.deepEqual(r.cseq, { seq: 9, method: 'INVITE' });
      assert.equal(r.callId, 'wsinv.ndaksdj@192.0.2.1');
      assert.deepEqual(
        r.vias.map((v) => [v.protocol, v.transport, v.host, v.params.get('branch')]),
        [
          ['SIP/2.0', 'UDP', '192.0.2.2', '390skdjuw'],
          ['SIP/2.0', 'TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
          ['SIP/2.0', 'UDP', '192.168.255.111', 'z9hG4bK30239'],
        ],
      );
      const c = r.contacts[0]?.nameAddr;
      assert.equal(c?.displayName, 'Quoted string ""');
      assert.equal(c.params.get('newparam'), 'newvalue');
      assert.equal(c.params.get('secondparam'), null);
      assert.equal(c.params.get('q'), '0.33');
      assert.equal(r.getHeader('Subject'), '');
      assert.equal(r.getHeader('NewFangledHeader'), 'newfangled value continued newfangled value');
      assert.equal(r.getHeader('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
      assert.equal(r.getHeader('route'), '<sip:services.example.com;lr;unknownwith=value;unknown-no-value>');
      assert.equal(r.body.length, 150);
    },
  },
  // 3.1.1.2 Wide Range of Valid Characters: every legal char in method, URI user and
  // password, display names (quoted-pairs of BEL, NUL, DEL), params, Call-ID, UTF-8. -> parses.
  intmeth: {
    section: '3.1.1.2',
    expect: (m) => {
      const r = req(m);
      const method = "!interesting-Method0123456789_*+`.%indeed'~";
      assert.equal(r.method, method);
      assert.equal(r.cseq.method, method);
      const u = sip(r.uri);
      assert.equal(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      assert.equal(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
      assert.equal(u.host, 'example.com');
      assert.equal(r.to.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
      assert.equal(r.from.displayName, "token1~` token2'+_ token3*%!.-");
      assert.equal(r.from.params.get("fromparam''~+*_!.-%"), '"работающий"');
      assert.equal(r.from.params.get('tag'), "_token~1'+`*%!-.");
      assert.equal(r.callId, 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
      assert.equal(r.getHeader("extensionHeader-!.%*+_`'~"), '\ufeff大停電');
      assert.equal(r.vias[0]?.params.get('branch'), "z9hG4bK-.!%66*_+`'~");
    },
  },
  // 3.1.1.3 Valid Use of the % Escaping Mechanism: the Request-URI user is
  // "sips:user@example.com"; To's URI equals sip:user@example.com; the Contact URI has
  // params lr and name=value%41. -> parses; escapes decoded.
  esc01: {
    section: '3.1.1.3',
    expect: (m) => {
      const r = req(m);
      const u = sip(r.uri);
      assert.equal(u.user, 'sips:user@example.com');
      assert.equal(u.host, 'example.net');
      assert.equal(u.toString(), 'sip:sips%3Auser%40example.com@example.net');
      assert.equal(sip(r.to.uri).user, 'user');
      assert.equal(sip(r.from.uri).user, 'I have spaces');
      const c = sip(r.contacts[0]?.nameAddr?.uri as Uri);
      assert.equal(c.user, 'caller');
      assert.equal(c.params.get('lr'), null);
      assert.equal(c.params.get('name'), 'value%41');
      assert.equal(r.callId, 'esc01.239409asdfakjkn23onasd0-3234');
      assert.equal(r.getHeader('Content-Type'), 'application/sdp');
    },
  },
  // 3.1.1.4 Escaped Nulls in URIs: %00 is legal and must not end anything. -> parses;
  // decoded users hold NUL, re-encoding restores %00.
  escnull: {
    section: '3.1.1.4',
    expect: (m) => {
      const r = req(m);
      assert.equal(sip(r.to.uri).user, 'null-\x00-null');
      const contacts = r.contacts.map((c) => sip(c.nameAddr?.uri as Uri));
      assert.deepEqual(
        contacts.map((c) => c.user),
        ['\x00', '\x00\x00'],
      );
      assert.equal(contacts[1]?.toString(), 'sip:%00%00@host5.example.com');
      assert.ok(!serializeMessage(r).includes(0));
    },
  },
  // 3.1.1.5 Use of % When It Is Not an Escape: RE%47IST%45R is an unknown method (not
  // REGISTER), "%Z%45" a quoted display name, the branch a token with %, C%6Fntact an
  // extension header, not Contact. -> parses.
  esc02: {
    section: '3.1.1.5',
    expect: (m) => {
      const r = req(m);
      assert.equal(r.method, 'RE%47IST%45R');
      assert.equal(r.cseq.method, 'RE%47IST%45R');
      assert.equal(r.to.displayName, '%Z%45');
      assert.equal(r.vias[0]?.params.get('branch'), 'z9hG4bK209%fzsnel234');
      assert.deepEqual(
        r.contacts.map((c) => sip(c.nameAddr?.uri as Uri).user),
        ['alias1', 'alias3'],
      );
      assert.equal(r.getHeader('C%6Fntact'), '<sip:alias2@host2.example.com>');
    },
  },
  // 3.1.1.6 Message with No LWS between Display Name and <. -> parses.
  lwsdisp: {
    section: '3.1.1.6',
    expect: (m) => {
      const r = req(m);
      assert.equal(r.from.displayName, 'caller');
      assert.equal(r.from.params.get('tag'), '323');
    },
  },
  // 3.1.1.7 Long Values in Header Fields: long display name, params, tag, Call-ID, an
  // unknown header, 34 Via entries in many spellings. -> parses.
  longreq: {
    section: '3.1.1.7',
    expect: (m, raw) => {
      const r = req(m);
      assert.equal(r.vias.length, 34);
      assert.equal(r.vias[33]?.params.get('received'), '192.0.2.5');
      assert.equal(sip(r.to.uri).port, 6000);
      assert.ok(r.to.displayName?.startsWith('I have a user name of extremeextreme'));
      assert.equal(r.from.params.get('tag')?.length, 155);
      const unknown = r.getHeader(`UNKNOWN-${'LONG'.repeat(20)}-NAME`);
      assert.ok(unknown !== undefined && raw.includes(unknown));
      assert.equal(r.body.length, 150);
    },
  },
  // 3.1.1.8 Extra Trailing Octets in a UDP Datagram: a REGISTER with Content-Length 0
  // followed by what looks like an INVITE; RFC 3261 18.3: the extra octets are
  // discarded. -> parses the REGISTER, empty body.
  dblreq: {
    section: '3.1.1.8',
    expect: (m) => {
      const r = req(m);
      assert.equal(r.method, 'REGISTER');
      assert.equal(r.body.length, 0);
      assert.equal(r.callId, 'dblreq.0ha0isndaksdj99sdfafnl3lk233412');
      assert.ok(!serializeMessage(r).toString('latin1').includes('INVITE'));
    },
  },
  // 3.1.1.9 Semicolon-Separated Parameters in URI User Part: the user is
  // "user;par=u@example.net", the URI has no parameters. -> parses.
  semiuri: {
    section: '3.1.1.9',
    expect: (m) => {
      const u = sip(req(m).uri);
      assert.equal(u.user, 'user;par=u@example.net');
      assert.equal(u.host, 'example.com');
      assert.equal(u.params.size, 0);
      assert.deepEqual(m.getHeaderList('Accept'), [
        'application/sdp',
        'application/pkcs7-mime',
        'multipart/mixed',
        'multipart/signed',
        'message/sip',
        'message/sipfrag',
      ]);
    },
  },
  // 3.1.1.10 Varied and Unknown Transport Types. -> parses, UNKNOWN kept.
  transports: {
    section: '3.1.1.10',
    expect: (m) =>
      assert.deepEqual(
        m.vias.map((v) => v.transport),
        ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
      ),
  },
  // 3.1.1.11 Multipart MIME Message with a binary part. -> parses, body bytes intact.
  mpart01: {
    section: '3.1.1.11',
    expect: (m, raw) => {
      const r = req(m);
      assert.equal(r.method, 'MESSAGE');
      assert.equal(r.body.length, 553);
      assert.ok(raw.subarray(raw.length - 553).equals(r.body));
      assert.equal(r.getHeader('c'), 'multipart/mixed;boundary=7a9cbec02ceef655');
      assert.ok(r.getHeader('y')?.startsWith('r5mwreLuyDRYBi/0TiPwEsY3rEVsk'));
    },
  },
  // 3.1.1.12 Unusual Reason Phrase (UTF-8). -> parses.
  unreason: {
    section: '3.1.1.12',
    expect: (m) => {
      const r = res(m);
      assert.equal(r.status, 200);
      assert.equal(r.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
    },
  },
  // 3.1.1.13 Empty Reason Phrase. -> parses.
  noreason: {
    section: '3.1.1.13',
    expect: (m) => {
      const r = res(m);
      assert.equal(r.status, 100);
      assert.equal(r.reason, '');
      assert.ok(serializeMessage(r).toString('latin1').startsWith('SIP/2.0 100 \r\n'));
    },
  },

  // ---- 3.1.2 Invalid messages ----------------------------------------------------------
  // 3.1.2.1 Extraneous Header Field Separators (Via ";;,;,,", Contact ";;;;"): "should
  // respond with a 400". -> 'via', 400.
  badinv01: { section: '3.1.2.1', expect: rejects('via') },
  // 3.1.2.2 Content Length Larger Than Message (UDP): "should respond with a 400". -> 'body', 400.
  clerr: { section: '3.1.2.2', expect: rejects('body') },
  // 3.1.2.3 Negative Content-Length: "should respond 400" (and on a stream, close). -> 'content-length', 400.
  ncl: { section: '3.1.2.3', expect: rejects('content-length') },
  // 3.1.2.4 Request Scalar Fields with Overlarge Values: "should respond with a 400 due
  // to the CSeq error" (Max-Forwards 300, Expires also out of range). -> 'cseq', 400.
  scalar02: { section: '3.1.2.4', expect: rejects('cseq') },
  // 3.1.2.5 Response Scalar Fields with Overlarge Values: the response is simply
  // discarded. -> 'cseq' (status unused for a response).
  scalarlg: { section: '3.1.2.5', expect: rejects('cseq') },
  // 3.1.2.6 Unterminated Quoted String in Display Name: "should respond 400". -> 'name-addr', 400.
  quotbal: { section: '3.1.2.6', expect: rejects('name-addr') },
  // 3.1.2.7 <> Enclosing Request-URI: "reasonable always to reject with 400". -> 'uri', 400.
  ltgtruri: { section: '3.1.2.7', expect: rejects('uri') },
  // 3.1.2.8 Malformed SIP Request-URI (embedded LWS): "should respond with a 400". -> 'uri', 400.
  lwsruri: { section: '3.1.2.8', expect: rejects('uri') },
  // 3.1.2.9 Multiple SP Separating Request-Line Elements: "acceptable to reject as
  // malformed" (or be liberal). We reject. -> 'start-line', 400.
  lwsstart: { section: '3.1.2.9', expect: rejects('start-line') },
  // 3.1.2.10 SP Characters at End of Request-Line: "acceptable to reject" (or be
  // liberal). We reject. -> 'start-line', 400.
  trws: { section: '3.1.2.10', expect: rejects('start-line') },
  // 3.1.2.11 Escaped Headers in SIP Request-URI: "acceptable to reject with 400. An
  // element could choose to be liberal ... and ignore the escaped headers". We are
  // liberal: parses, the header is visible in uri.headers (never acted upon).
  escruri: {
    section: '3.1.2.11',
    expect: (m) => assert.equal(sip(req(m).uri).headers.get('Route'), '<sip:example.com>'),
  },
  // 3.1.2.12 Invalid Time Zone in Date Header Field: "acceptable to reject ... (though an
  // element shouldn't do that unless the contents of the Date header field were actually
  // important to its processing)". Date is not validated: parses.
  baddate: {
    section: '3.1.2.12',
    expect: (m) => assert.deepEqual(m.getHeaderList('Date'), ['Fri, 01 Jan 2010 16:00:00 EST']),
  },
  // 3.1.2.13 Failure to Enclose name-addr URI in <> (Contact addr-spec with an escaped
  // header): "reasonable ... to respond with a 400". Contact is parsed lazily: the
  // message parses and reading `contacts` throws 'name-addr' 400 (what the registrar answers).
  regbadct: {
    section: '3.1.2.13',
    expect: {
      later: (m) =>
        assert.throws(
          () => m.contacts,
          (e: unknown) => isParseError(e, 'name-addr', 400),
        ),
    },
  },
  // 3.1.2.14 Spaces within addr-spec (To: < sip:... >): "reasonable to reject with 400". -> 'name-addr', 400.
  badaspec: { section: '3.1.2.14', expect: rejects('name-addr') },
  // 3.1.2.15 Non-token Characters in Display Name (unquoted "Bell, Alexander"):
  // "reasonable always to reject ... with a 400". -> 'name-addr', 400.
  baddn: { section: '3.1.2.15', expect: rejects('name-addr') },
  // 3.1.2.16 Unknown Protocol Version SIP/7.0: "should respond ... with a 505". -> 'version', 505.
  badvers: { section: '3.1.2.16', expect: rejects('version', 505) },
  // 3.1.2.17 Start Line and CSeq Method Mismatch: "will respond with a 400". -> 'cseq', 400.
  mismatch01: { section: '3.1.2.17', expect: rejects('cseq') },
  // 3.1.2.18 Unknown Method with CSeq Method Mismatch: "should respond with a 501 ...
  // A 400 is also acceptable". -> 'cseq', 501.
  mismatch02: { section: '3.1.2.18', expect: rejects('cseq', 501) },
  // 3.1.2.19 Overlarge Response Code (4294967301): "should simply drop it". -> 'start-line'.
  bigcode: { section: '3.1.2.19', expect: rejects('start-line') },

  // ---- 3.2 Transaction layer semantics --------------------------------------------------
  // 3.2.1 Missing Transaction Identifier (branch "z9hG4bK" only): "parsers must not
  // break"; it is treated as an RFC 2543 branch by the transaction layer. -> parses.
  badbranch: {
    section: '3.2.1',
    expect: (m) => assert.equal(m.vias[0]?.params.get('branch'), 'z9hG4bK'),
  },

  // ---- 3.3 Application layer semantics: all syntactically valid except 3.3.1, 3.3.8, 3.3.9
  // 3.3.1 Missing Required Header Fields (no Call-ID, From, To): "must not break ...
  // Ideally, it will respond with a 400". -> 'missing-header', 400.
  insuf: { section: '3.3.1', expect: rejects('missing-header') },
  // 3.3.2 Request-URI with Unknown Scheme: parses; a proxy/UAS answers 416 (above the parser).
  unkscm: {
    section: '3.3.2',
    expect: (m) => {
      const u = req(m).uri;
      assert.ok(u instanceof AbsoluteUri);
      assert.equal(u.scheme, 'nobodyknowsthisscheme');
      assert.equal(u.raw, 'nobodyKnowsThisScheme:totallyopaquecontent');
    },
  },
  // 3.3.3 Request-URI with Known but Atypical Scheme (soap.beep): parses; 416 above.
  novelsc: {
    section: '3.3.3',
    expect: (m) => {
      const u = req(m).uri;
      assert.ok(u instanceof AbsoluteUri);
      assert.equal(u.scheme, 'soap.beep');
      assert.equal(u.toString(), 'soap.beep://192.0.2.103:3002');
    },
  },
  // 3.3.4 Unknown URI Schemes in Header Fields: "syntactically valid. Parsers must not
  // fail"; a registrar answers 400 (To is not a SIP AOR). -> parses.
  unksm2: {
    section: '3.3.4',
    expect: (m) => {
      assert.ok(m.to.uri instanceof AbsoluteUri && m.to.uri.raw === 'isbn:2983792873');
      assert.ok(m.from.uri instanceof AbsoluteUri && m.from.uri.scheme === 'http');
      assert.equal(m.contacts[0]?.nameAddr?.uri.toString(), 'name:John_Smith');
    },
  },
  // 3.3.5 Proxy-Require and Require: parses; 420 Bad Extension above the parser.
  bext01: {
    section: '3.3.5',
    expect: (m) => {
      assert.deepEqual(m.getHeaderList('Require'), ['nothingSupportsThis', 'nothingSupportsThisEither']);
      assert.deepEqual(m.getHeaderList('Proxy-Require'), ['noProxiesSupportThis', 'norDoAnyProxiesSupportThis']);
    },
  },
  // 3.3.6 Unknown Content-Type: parses; 415 above the parser.
  invut: {
    section: '3.3.6',
    expect: (m) => {
      assert.equal(m.getHeader('Content-Type'), 'application/unknownformat');
      assert.equal(m.body.length, 40);
    },
  },
  // 3.3.7 Unknown Authorization Scheme: parses; 401 above. Authorization is not a list.
  regaut01: {
    section: '3.3.7',
    expect: (m) => assert.deepEqual(m.getHeaderList('Authorization'), ['NoOneKnowsThisScheme opaque-data=here']),
  },
  // 3.3.8 Multiple Values in Single Value Required Fields (two CSeq, Call-ID, To, From,
  // Max-Forwards): "would respond with a 400". -> 'duplicate-header', 400.
  multi01: { section: '3.3.8', expect: rejects('duplicate-header') },
  // 3.3.9 Multiple Content-Length Values: the framing is unknowable; UDP: discard, TCP:
  // close. -> 'duplicate-header', 400.
  mcl01: { section: '3.3.9', expect: rejects('duplicate-header') },
  // 3.3.10 200 OK Response with Broadcast Via Header Field Value: parses; the element
  // must not send to 255.255.255.255 (above the parser).
  bcast: {
    section: '3.3.10',
    expect: (m) => {
      assert.equal(res(m).status, 200);
      assert.equal(m.vias[1]?.host, '255.255.255.255');
    },
  },
  // 3.3.11 Max-Forwards of Zero: parses; a proxy answers 483, an OPTIONS to the UAS is answered.
  zeromf: { section: '3.3.11', expect: (m) => assert.equal(m.maxForwards, 0) },
  // 3.3.12 REGISTER with a Contact Header Parameter (addr-spec form: the param belongs
  // to the header, RFC 3261 20.10). -> parses.
  cparam01: {
    section: '3.3.12',
    expect: (m) => {
      const na = m.contacts[0]?.nameAddr;
      assert.equal(na?.params.get('unknownparam'), null);
      assert.equal(sip(na.uri).params.size, 0);
    },
  },
  // 3.3.13 REGISTER with a url-parameter (inside <>: the param belongs to the URI). -> parses.
  cparam02: {
    section: '3.3.13',
    expect: (m) => {
      const na = m.contacts[0]?.nameAddr;
      assert.equal(na?.params.size, 0);
      assert.equal(sip(na.uri).params.get('unknownparam'), null);
    },
  },
  // 3.3.14 REGISTER with a URL Escaped Header (in <>): valid. -> parses.
  regescrt: {
    section: '3.3.14',
    expect: (m) => assert.equal(sip(m.contacts[0]?.nameAddr?.uri as Uri).headers.get('Route'), '<sip:sip.example.com>'),
  },
  // 3.3.15 Unacceptable Accept Offering: parses; 406 above the parser.
  sdp01: { section: '3.3.15', expect: (m) => assert.equal(m.getHeader('Accept'), 'text/nobodyKnowsThis') },

  // ---- 3.4 Backward compatibility -------------------------------------------------------
  // 3.4.1 INVITE with RFC 2543 Syntax (no branch, no Max-Forwards, no Content-Length):
  // "should be accepted by RFC 3261 elements that want to maintain backwards
  // compatibility". -> parses; the body runs to the end of the datagram.
  inv2543: {
    section: '3.4.1',
    expect: (m) => {
      assert.equal(m.maxForwards, undefined);
      assert.equal(m.vias[0]?.params.size, 0);
      assert.equal(m.body.length, 105);
    },
  },
};

function isParseError(e: unknown, code: SipParseErrorCode, status: number): boolean {
  assert.ok(e instanceof SipParseError, `expected SipParseError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  assert.equal(e.status, status, e.message);
  return true;
}

/** parse(serialize(parse(x))) keeps the content, and serialize is a fixed point after one pass. */
function assertRoundTrip(m: Msg): void {
  const once = serializeMessage(m);
  const again = parseMessage(once);
  assert.deepEqual(
    again.headers.map((h) => [h.key, h.value]),
    m.headers
      .filter((h) => h.key !== 'content-length')
      .map((h) => [h.key, h.value])
      .concat([['content-length', String(m.body.length)]]),
  );
  assert.ok(again.body.equals(m.body));
  assert.ok(serializeMessage(again).equals(once), 'serialize is a fixed point');
}

describe('RFC 4475 torture messages', () => {
  const files = conformanceFiles('rfc4475');

  test('all 49 messages are present and each has an expectation', () => {
    assert.equal(files.length, 49);
    assert.deepEqual(
      files.map((f) => f.replace(/\.dat$/, '')),
      Object.keys(CASES).sort(),
    );
  });

  for (const file of files) {
    const name = file.replace(/\.dat$/, '');
    const c = CASES[name];
    if (c === undefined) continue;
    test(`${c.section} ${name}`, () => {
      const raw = conformanceMessage('rfc4475', file);
      const e = c.expect;
      if (typeof e === 'function') {
        const m = parseMessage(raw);
        e(m, raw);
        assertRoundTrip(m);
      } else if ('later' in e) {
        const m = parseMessage(raw);
        e.later(m);
      } else {
        assert.throws(
          () => parseMessage(raw),
          (err: unknown) => isParseError(err, e.code, e.status),
        );
      }
    });
  }
});
