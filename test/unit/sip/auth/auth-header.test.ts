import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DigestParseError,
  MAX_AUTH_VALUE_LENGTH,
  formatChallenge,
  formatCredentials,
  parseChallenge,
  parseCredentials,
  type DigestChallenge,
  type DigestCredentials,
  type DigestParseErrorCode,
} from '../../../../src/sip/auth/auth-header.js';

// RFC 7616 section 3.9.1 (SHA-256 request), unfolded onto one line.
const RFC7616_SHA256 =
  'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, ' +
  'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, ' +
  'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, ' +
  'response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", ' +
  'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';

function throwsCode(fn: () => unknown, code: DigestParseErrorCode): DigestParseError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DigestParseError, `expected DigestParseError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return caught;
}

describe('parseCredentials', () => {
  test('parses the RFC 7616 section 3.9.1 SHA-256 example', () => {
    const c = parseCredentials(RFC7616_SHA256);
    assert.deepEqual(c, {
      username: 'Mufasa',
      realm: 'http-auth@example.org',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      uri: '/dir/index.html',
      response: '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
      algorithm: 'SHA-256',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
      qop: 'auth',
      nc: '00000001',
      extensions: new Map(),
    });
  });

  test('parses the RFC 3261 section 22.4 style example without algorithm', () => {
    const c = parseCredentials(
      'Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
        'uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", ' +
        'response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    assert.equal(c.username, 'bob');
    assert.equal(c.uri, 'sip:bob@biloxi.com');
    assert.equal(c.algorithm, undefined);
    assert.equal('algorithm' in c, false);
  });

  test('scheme and parameter names are case-insensitive, order is free, whitespace is SWS', () => {
    const c = parseCredentials('dIgEsT\tResponse = "0123" ,NONCE="n",  URI="sip:a" , Realm="r",USERNAME= "u"');
    assert.deepEqual(c, {
      username: 'u',
      realm: 'r',
      nonce: 'n',
      uri: 'sip:a',
      response: '0123',
      extensions: new Map(),
    });
  });

  test('unescapes quoted-pairs and keeps commas, = and UTF-8 inside quotes', () => {
    const c = parseCredentials('Digest username="a\\"b\\\\c, d=e ü", realm="r", nonce="n", uri="sip:x", response="0"');
    assert.equal(c.username, 'a"b\\c, d=e ü');
  });

  test('accepts quoted qop, algorithm and nc (seen from some UAs)', () => {
    const c = parseCredentials(
      'Digest username="u", realm="r", nonce="n", uri="sip:x", response="0", qop="auth", nc="0000000a", cnonce="c", algorithm="MD5"',
    );
    assert.equal(c.qop, 'auth');
    assert.equal(c.nc, '0000000a');
    assert.equal(c.algorithm, 'MD5');
  });

  test('keeps unknown parameters, lower-cased names', () => {
    const c = parseCredentials(
      'Digest username="u", realm="r", nonce="n", uri="sip:x", response="0", UserHash=false, x-foo="b a r"',
    );
    assert.deepEqual(
      [...c.extensions],
      [
        ['userhash', 'false'],
        ['x-foo', 'b a r'],
      ],
    );
  });

  test('tolerates empty list elements and a trailing comma', () => {
    const c = parseCredentials('Digest ,username="u",, realm="r", nonce="n", uri="sip:x", response="0",');
    assert.equal(c.realm, 'r');
  });

  test('a duplicate parameter is an error, whatever its case', () => {
    throwsCode(
      () => parseCredentials('Digest username="u", realm="r", nonce="n", uri="sip:x", response="0", nonce="m"'),
      'duplicate',
    );
    throwsCode(
      () => parseCredentials('Digest username="u", realm="r", Nonce="n", uri="sip:x", response="0", NONCE="n"'),
      'duplicate',
    );
  });

  test('a non-Digest scheme is reported with its name', () => {
    const e = throwsCode(() => parseCredentials('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='), 'scheme');
    assert.equal(e.scheme, 'Basic');
    assert.equal(throwsCode(() => parseCredentials('Digestive a=b'), 'scheme').scheme, 'Digestive');
  });

  test('missing required parameters', () => {
    throwsCode(() => parseCredentials('Digest'), 'missing-param');
    throwsCode(() => parseCredentials('Digest realm="r", nonce="n", uri="sip:x", response="0"'), 'missing-param');
    throwsCode(() => parseCredentials('Digest username="u", realm="r", nonce="n", uri="sip:x"'), 'missing-param');
    // qop without cnonce / nc (RFC 7616 section 3.4)
    throwsCode(
      () =>
        parseCredentials('Digest username="u", realm="r", nonce="n", uri="sip:x", response="0", qop=auth, nc=00000001'),
      'missing-param',
    );
    throwsCode(
      () =>
        parseCredentials('Digest username="u", realm="r", nonce="n", uri="sip:x", response="0", qop=auth, cnonce="c"'),
      'missing-param',
    );
  });

  test('nc must be exactly 8 hex digits', () => {
    for (const nc of ['1', '000000001', '0000000g', '-0000001']) {
      throwsCode(
        () => parseCredentials(`Digest username="u", realm="r", nonce="n", uri="sip:x", response="0", nc=${nc}`),
        'invalid-param',
      );
    }
  });

  test('syntax errors', () => {
    const bad = [
      'Digest username="u', // unterminated
      'Digest username="u\\', // dangling backslash
      'Digest username', // no =
      'Digest username=', // no value
      'Digest username=a b', // junk after a token
      'Digest username="a" realm="r"', // missing comma
      'Digest =x', // no name
      'Digest,username="u"', // no space after scheme
      'Digest username="a\u0001b"', // bare control char
      'Digest username="a\r\nb"', // CRLF in quotes
      'Digest username=ü', // non-token
      '"Digest"', // no scheme
    ];
    for (const v of bad) throwsCode(() => parseCredentials(v), 'syntax');
  });

  test('empty and oversized values', () => {
    throwsCode(() => parseCredentials(''), 'empty');
    throwsCode(() => parseCredentials('   '), 'empty');
    throwsCode(() => parseCredentials(`Digest username="${'a'.repeat(MAX_AUTH_VALUE_LENGTH)}"`), 'too-long');
  });

  test('any input either parses or throws DigestParseError (never anything else)', () => {
    const prefix = fc.constantFrom('', 'Digest ', 'Digest username="u", ', 'digest realm=');
    fc.assert(
      fc.property(prefix, fc.string({ unit: 'binary-ascii', maxLength: 80 }), (p, s) => {
        try {
          parseCredentials(p + s);
        } catch (e) {
          assert.ok(e instanceof DigestParseError);
        }
        try {
          parseChallenge(p + s);
        } catch (e) {
          assert.ok(e instanceof DigestParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseChallenge / formatChallenge', () => {
  test('formats the challenge openum sends', () => {
    const v = formatChallenge({
      realm: 'atlanta.com',
      nonce: 'abc',
      algorithm: 'SHA-256',
      qop: ['auth'],
      extensions: new Map(),
    });
    assert.equal(v, 'Digest realm="atlanta.com", nonce="abc", algorithm=SHA-256, qop="auth"');
    const stale = formatChallenge({
      realm: 'r',
      nonce: 'n',
      stale: true,
      algorithm: 'MD5',
      qop: ['auth'],
      extensions: new Map(),
    });
    assert.equal(stale, 'Digest realm="r", nonce="n", stale=TRUE, algorithm=MD5, qop="auth"');
  });

  test('parses the RFC 3261 section 20.44 example', () => {
    const c = parseChallenge(
      'Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5',
    );
    assert.deepEqual(c, {
      realm: 'atlanta.com',
      nonce: 'f84f1cec41e6cbe5aea9c8e88d359',
      domain: 'sip:boxesbybob.com',
      opaque: '',
      stale: false,
      algorithm: 'MD5',
      qop: ['auth'],
      extensions: new Map(),
    });
  });

  test('qop option lists and bad stale', () => {
    assert.deepEqual(parseChallenge('Digest realm="r", nonce="n", qop="auth, auth-int"').qop, ['auth', 'auth-int']);
    throwsCode(() => parseChallenge('Digest realm="r", nonce="n", stale=maybe'), 'invalid-param');
    throwsCode(() => parseChallenge('Digest realm="r", nonce="n", qop="a b"'), 'invalid-param');
    throwsCode(() => parseChallenge('Digest realm="r"'), 'missing-param');
  });

  test('format refuses what it cannot write', () => {
    const base: DigestChallenge = { realm: 'r', nonce: 'n', extensions: new Map() };
    throwsCode(() => formatChallenge({ ...base, realm: 'a\r\nb' }), 'unrepresentable');
    throwsCode(() => formatChallenge({ ...base, algorithm: 'SHA 256' }), 'unrepresentable');
    throwsCode(() => formatChallenge({ ...base, qop: ['a,b'] }), 'unrepresentable');
    throwsCode(() => formatChallenge({ ...base, extensions: new Map([['nonce', 'x']]) }), 'unrepresentable');
    throwsCode(() => formatChallenge({ ...base, extensions: new Map([['Upper', 'x']]) }), 'unrepresentable');
  });
});

// ---- round-trip properties -------------------------------------------------

const TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~".split('');
const LOWER_TOKEN_CHARS = TOKEN_CHARS.filter((ch) => ch === ch.toLowerCase());
const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 12 });
// Any code points except CR and LF, with quotes, backslashes, controls and UTF-8 made frequent.
const quotedUnit = fc.oneof(
  fc.constantFrom('"', '\\', '\t', ' ', ',', '=', '\u0000', '\u001f', '\u007f', 'ü', '😀'),
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const quoted = fc.string({ unit: quotedUnit, maxLength: 24 }).map((s) => s.replace(/[\r\n]/g, ''));
const nc = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), minLength: 8, maxLength: 8 });

function extensions(known: ReadonlySet<string>): fc.Arbitrary<Map<string, string>> {
  const name = fc.string({ unit: fc.constantFrom(...LOWER_TOKEN_CHARS), minLength: 1, maxLength: 10 });
  return fc
    .uniqueArray(fc.tuple(name, quoted), { selector: (t) => t[0], maxLength: 4 })
    .map((entries) => new Map(entries.filter(([k]) => !known.has(k))));
}

const CRED_KNOWN = new Set([
  'username',
  'realm',
  'nonce',
  'uri',
  'response',
  'algorithm',
  'cnonce',
  'opaque',
  'qop',
  'nc',
]);
const CHAL_KNOWN = new Set(['realm', 'nonce', 'domain', 'opaque', 'stale', 'algorithm', 'qop']);

const credentials: fc.Arbitrary<DigestCredentials> = fc
  .record(
    {
      username: quoted,
      realm: quoted,
      nonce: quoted,
      uri: quoted,
      response: quoted,
      algorithm: token,
      cnonce: quoted,
      opaque: quoted,
      qop: token,
      nc,
      extensions: extensions(CRED_KNOWN),
    },
    { requiredKeys: ['username', 'realm', 'nonce', 'uri', 'response', 'extensions'] },
  )
  .filter((c) => c.qop === undefined || (c.cnonce !== undefined && c.nc !== undefined));

const challenge: fc.Arbitrary<DigestChallenge> = fc.record(
  {
    realm: quoted,
    nonce: quoted,
    domain: quoted,
    opaque: quoted,
    stale: fc.boolean(),
    algorithm: token,
    qop: fc.array(token, { maxLength: 3 }),
    extensions: extensions(CHAL_KNOWN),
  },
  { requiredKeys: ['realm', 'nonce', 'extensions'] },
);

describe('round trip', () => {
  test('parseCredentials(formatCredentials(x)) equals x', () => {
    fc.assert(
      fc.property(credentials, (c) => {
        assert.deepStrictEqual({ ...parseCredentials(formatCredentials(c)) }, { ...c });
      }),
      { numRuns: 1000 },
    );
  });

  test('parseChallenge(formatChallenge(x)) equals x', () => {
    fc.assert(
      fc.property(challenge, (c) => {
        assert.deepStrictEqual({ ...parseChallenge(formatChallenge(c)) }, { ...c });
      }),
      { numRuns: 1000 },
    );
  });
});
