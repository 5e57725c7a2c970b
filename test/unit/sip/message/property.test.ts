/**
 * Property tests (fast-check): (a) any bytes yield a message or a
 * SipParseError, never another exception, quickly; (b) parse/serialize
 * round-trips and serialize is a fixed point after one pass; (c) URI,
 * name-addr and Via format/parse round-trips on generated values.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type NameAddr,
  type Params,
  SipParseError,
  SipRequest,
  SipUri,
  type Via,
  formatNameAddr,
  formatVia,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  quote,
  serializeMessage,
} from '../../../../src/sip/message/index.js';
import { conformanceFiles, conformanceMessage } from './conformance-data.js';

const REGISTER = Buffer.from(
  [
    'REGISTER sip:example.com SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport',
    'Max-Forwards: 70',
    'From: "Alice" <sip:alice@example.com>;tag=1928301774',
    'To: "Alice" <sip:alice@example.com>',
    'Call-ID: a84b4c76e66710@pc33.example.com',
    'CSeq: 314159 REGISTER',
    'Contact: <sip:alice@192.0.2.10:5060;transport=udp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>";expires=3600',
    'Authorization: Digest username="alice", realm="example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:example.com", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'),
);
const SUMMARY = 'Messages-Waiting: yes\r\nMessage-Account: sip:alice@example.com\r\nVoice-Message: 2/8 (0/2)\r\n';
const NOTIFY = Buffer.from(
  [
    'NOTIFY sip:alice@192.0.2.10:5060;transport=udp SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK4b43c2ff8.1',
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=4fa3',
    'To: <sip:alice@example.com>;tag=1928301774',
    'Call-ID: 7a9c3b1d2e@192.0.2.1',
    'CSeq: 20 NOTIFY',
    'Event: message-summary',
    'Subscription-State: active;expires=3599',
    'Content-Type: application/simple-message-summary',
    `Content-Length: ${SUMMARY.length}`,
    '',
    SUMMARY,
  ].join('\r\n'),
);

const SEEDS: Buffer[] = [
  REGISTER,
  NOTIFY,
  ...conformanceFiles('rfc4475').map((f) => conformanceMessage('rfc4475', f)),
  ...conformanceFiles('rfc5118').map((f) => conformanceMessage('rfc5118', f)),
];

/** Parses; returns the message or undefined for a SipParseError; anything else fails the property. */
function tryParse(data: Buffer): ReturnType<typeof parseMessage> | undefined {
  const t0 = performance.now();
  try {
    return parseMessage(data);
  } catch (e) {
    if (!(e instanceof SipParseError)) throw new Error(`non-SipParseError thrown: ${String(e)}`, { cause: e });
    assert.ok([400, 501, 505, 513].includes(e.status));
    return undefined;
  } finally {
    // generous bound: parsing is linear; a quadratic or looping path would show here
    assert.ok(performance.now() - t0 < 250, `parse took ${performance.now() - t0} ms`);
  }
}

const INTERESTING = [
  ' ',
  '\t',
  '\r\n',
  '\r\n ',
  ':',
  ';',
  ',',
  '"',
  '\\',
  '<',
  '>',
  '%',
  '%0',
  '=',
  '@',
  '[',
  ']',
  '?',
  '\r',
  '\n',
  '\x00',
  'é',
];

/** A mutation of a seed message: byte edits, insertions of grammar chars, cuts, duplications. */
const mutated: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...INTERESTING) }),
        fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 20 }) }),
        fc.record({ op: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 60 }) }),
        fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([seed, ops]) => {
    let b = Buffer.from(seed);
    for (const o of ops) {
      const at = b.length === 0 ? 0 : o.at % b.length;
      if (o.op === 'set') {
        if (b.length > 0) b[at] = o.byte;
      } else if (o.op === 'insert') {
        b = Buffer.concat([b.subarray(0, at), Buffer.from(o.text), b.subarray(at)]);
      } else if (o.op === 'delete') {
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + o.len)]);
      } else if (o.op === 'dup') {
        b = Buffer.concat([b.subarray(0, at + o.len), b.subarray(at)]);
      } else {
        b = b.subarray(0, at);
      }
    }
    return b;
  });

function sameContent(a: ReturnType<typeof parseMessage>, b: ReturnType<typeof parseMessage>): void {
  assert.equal(a.constructor, b.constructor);
  if (a instanceof SipRequest && b instanceof SipRequest) {
    assert.equal(a.method, b.method);
    assert.equal(a.uri.toString(), b.uri.toString());
  } else {
    assert.equal((a as { status: number }).status, (b as { status: number }).status);
    assert.equal((a as { reason: string }).reason, (b as { reason: string }).reason);
  }
  const fields = (m: typeof a) =>
    m.headers.filter((h) => h.key !== 'content-length').map((h) => [h.name, h.key, h.value]);
  assert.deepEqual(fields(b), fields(a));
  assert.ok(a.body.equals(b.body));
}

/** (b): parse(serialize(parse(x))) equals parse(x), and serialize is a fixed point after one pass. */
function assertRoundTrip(m: ReturnType<typeof parseMessage>): void {
  const once = serializeMessage(m);
  const again = parseMessage(once);
  sameContent(m, again);
  assert.ok(serializeMessage(again).equals(once), 'serialize(parse(serialize(m))) === serialize(m)');
}

describe('parser properties: any input', () => {
  test('(a) arbitrary bytes give a message or a SipParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        tryParse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
      }),
      { numRuns: 2000 },
    );
  });

  test('(a) arbitrary text lines shaped like SIP give a message or a SipParseError', () => {
    const line = fc.string({
      unit: fc.constantFrom(
        'a',
        'V',
        'i',
        ':',
        ' ',
        ';',
        '=',
        '"',
        '<',
        '>',
        '@',
        'sip:',
        'SIP/2.0',
        '/',
        '\r\n',
        '1',
        ',',
      ),
      maxLength: 60,
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        tryParse(Buffer.from(lines.join('\r\n') + '\r\n\r\n'));
      }),
      { numRuns: 1000 },
    );
  });

  test('(a)+(b) mutations of the conformance and typical messages: parse or SipParseError; what parses round-trips', () => {
    let parsed = 0;
    fc.assert(
      fc.property(mutated, (data) => {
        const m = tryParse(data);
        if (m !== undefined) {
          parsed++;
          assertRoundTrip(m);
        }
      }),
      { numRuns: 3000 },
    );
    assert.ok(parsed > 100, `only ${parsed} mutated messages parsed: the property would be vacuous`);
  });

  test('(b) every conformance message that parses round-trips', () => {
    for (const seed of SEEDS) {
      const m = tryParse(seed);
      if (m !== undefined) assertRoundTrip(m);
    }
  });
});

// ---- generators of valid values ------------------------------------------------------

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const TOKEN = ALNUM + "-.!%*_+`'~";
const tokenArb = fc.string({ unit: fc.constantFrom(...TOKEN), minLength: 1, maxLength: 12 });
const lowerTokenArb = tokenArb.map((s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase()));
/** octet strings: any char U+0000..U+00FF (URI components are decoded to octets) */
const octetsArb = (min: number) =>
  fc.string({
    unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
    minLength: min,
    maxLength: 12,
  });

const labelArb = fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 1, maxLength: 8 });
const hostArb = fc.oneof(
  fc.array(labelArb, { minLength: 1, maxLength: 4 }).map((l) => l.join('.')),
  fc.ipV4(),
  fc.ipV6().map((a) => `[${a}]`),
);
const portArb = fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined });

const uriParamsArb: fc.Arbitrary<Params> = fc
  .array(
    fc.tuple(
      octetsArb(1).filter((k) => k === k.replace(/[A-Z]/g, (c) => c.toLowerCase())),
      fc.option(octetsArb(0), { nil: null }),
    ),
    { maxLength: 4 },
  )
  .map((entries) => new Map(entries));
const uriHeadersArb = fc.array(fc.tuple(octetsArb(1), octetsArb(0)), { maxLength: 3 }).map((e) => new Map(e));

const sipUriArb: fc.Arbitrary<SipUri> = fc
  .record({
    scheme: fc.constantFrom('sip' as const, 'sips' as const),
    user: fc.option(octetsArb(1), { nil: undefined }),
    password: fc.option(octetsArb(0), { nil: undefined }),
    host: hostArb,
    port: portArb,
    params: uriParamsArb,
    headers: uriHeadersArb,
  })
  .map(
    (r) =>
      new SipUri(r.scheme, r.host, r.user, r.port, r.params, r.headers, r.user === undefined ? undefined : r.password),
  );

function plainUri(u: SipUri): unknown {
  return {
    scheme: u.scheme,
    user: u.user,
    password: u.password,
    host: u.host,
    port: u.port,
    params: [...u.params],
    headers: [...u.headers],
  };
}

const genValueArb = fc.oneof(
  tokenArb,
  hostArb,
  fc.string({ maxLength: 10 }).map((s) => quote(s.replace(/[\r\n]/g, ' '))),
);
const headerParamsArb: fc.Arbitrary<Params> = fc
  .array(fc.tuple(lowerTokenArb, fc.option(genValueArb, { nil: null })), { maxLength: 4 })
  .map((e) => new Map(e));

const nameAddrArb: fc.Arbitrary<NameAddr> = fc.record({
  displayName: fc.option(
    fc.string({ maxLength: 16 }).map((s) => s.replace(/[\r\n]/g, ' ')),
    { nil: undefined },
  ),
  uri: sipUriArb,
  params: headerParamsArb,
});

const viaArb: fc.Arbitrary<Via> = fc.record({
  protocol: fc.constant('SIP/2.0'),
  transport: fc.oneof(
    fc.constantFrom('UDP', 'TCP', 'TLS', 'WS', 'WSS', 'SCTP'),
    tokenArb.map((t) => t.toUpperCase()),
  ),
  host: hostArb,
  port: portArb,
  params: headerParamsArb,
});

describe('format/parse round-trips of generated values (c)', () => {
  test('SIP URIs', () => {
    fc.assert(
      fc.property(sipUriArb, (u) => {
        const text = u.toString();
        const back = parseUri(text);
        assert.ok(back instanceof SipUri);
        assert.deepEqual(plainUri(back), plainUri(u));
        assert.equal(back.toString(), text);
      }),
      { numRuns: 1500 },
    );
  });

  test('name-addr', () => {
    fc.assert(
      fc.property(nameAddrArb, (n) => {
        const text = formatNameAddr(n);
        const back = parseNameAddr(text);
        assert.equal(back.displayName, n.displayName);
        assert.deepEqual(plainUri(back.uri as SipUri), plainUri(n.uri as SipUri));
        assert.deepEqual([...back.params], [...n.params]);
        assert.equal(formatNameAddr(back), text);
      }),
      { numRuns: 1500 },
    );
  });

  test('Via (lists of entries)', () => {
    fc.assert(
      fc.property(fc.array(viaArb, { minLength: 1, maxLength: 3 }), (vias) => {
        const text = vias.map(formatVia).join(', ');
        const back = parseVia(text);
        assert.deepEqual(
          back.map((v) => ({ ...v, params: [...v.params] })),
          vias.map((v) => ({ ...v, params: [...v.params] })),
        );
      }),
      { numRuns: 1500 },
    );
  });

  test('(b) generated messages: folding, compact and odd-case names, UTF-8 values, bodies', () => {
    // any text, folded anywhere (CRLF + SP), with UTF-8
    const valueArb = fc.string({
      unit: fc.constantFrom(...TOKEN, ' ', ',', ';', '"', 'é', '中', '\r\n '),
      maxLength: 30,
    });
    const nameArb = fc.constantFrom(
      'Subject',
      's',
      'X-Thing',
      'k',
      'Supported',
      'ALLOW',
      'Event',
      'o',
      'u',
      'Accept',
      'User-Agent',
    );
    const msgArb = fc.record({
      method: fc.constantFrom('REGISTER', 'NOTIFY', 'SUBSCRIBE', 'OPTIONS', 'X-NEW'),
      uri: sipUriArb,
      from: nameAddrArb,
      to: nameAddrArb,
      via: fc.array(viaArb, { minLength: 1, maxLength: 3 }),
      extra: fc.array(fc.tuple(nameArb, valueArb), { maxLength: 6 }),
      body: fc.uint8Array({ maxLength: 64 }),
    });
    fc.assert(
      fc.property(msgArb, (g) => {
        const lines = [
          `${g.method} ${g.uri.toString()} SIP/2.0`,
          ...g.via.map((v) => `Via: ${formatVia(v)}`),
          `f: ${formatNameAddr(g.from)}`,
          `To: ${formatNameAddr(g.to)}`,
          'Call-ID: abc@def',
          `CSeq: 42 ${g.method}`,
          ...g.extra.map(([n, v]) => `${n}: ${v}`),
          `l: ${g.body.length}`,
        ];
        const data = Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), Buffer.from(g.body)]);
        const m = parseMessage(data);
        assert.ok(m instanceof SipRequest);
        assert.equal(m.uri.toString(), g.uri.toString());
        assert.equal(m.vias.length, g.via.length);
        assert.ok(m.body.equals(Buffer.from(g.body)));
        assertRoundTrip(m);
      }),
      { numRuns: 1000 },
    );
  });
});
