import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DigestServer, type DigestResult } from '../../../../src/sip/auth/digest-server.js';
import { parseChallenge } from '../../../../src/sip/auth/auth-header.js';
import type { DigestAlgorithm } from '../../../../src/sip/auth/ha1.js';

class FakeNow {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
}

const SECRET = Buffer.from('an HMAC key of 32 bytes, for tests');
const REALM = 'localhost';
const USERS: Record<string, string> = { alice: 'secret', bob: 'zanzibar' };

/** Independent oracle: the client side written with node:crypto only. */
function H(alg: DigestAlgorithm, s: string): string {
  return createHash(alg === 'MD5' ? 'md5' : 'sha256')
    .update(s, 'utf8')
    .digest('hex');
}

interface ClientOpts {
  nonce: string;
  username?: string;
  password?: string;
  realm?: string;
  algorithm?: DigestAlgorithm | string | null; // null: omit the parameter
  method?: string;
  uri?: string;
  nc?: number;
  qop?: string | null; // null: RFC 2069 form
  cnonce?: string;
}

function authorization(o: ClientOpts): string {
  const username = o.username ?? 'alice';
  const realm = o.realm ?? REALM;
  const method = o.method ?? 'REGISTER';
  const uri = o.uri ?? 'sip:localhost';
  const algParam = o.algorithm === undefined ? 'SHA-256' : o.algorithm;
  const hashAlg: DigestAlgorithm = algParam === 'MD5' || algParam === null ? 'MD5' : 'SHA-256';
  const ha1 = H(hashAlg, `${username}:${realm}:${o.password ?? USERS[username] ?? 'x'}`);
  const ha2 = H(hashAlg, `${method}:${uri}`);
  const nc = (o.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = o.cnonce ?? '0a4f113b';
  const qop = o.qop === undefined ? 'auth' : o.qop;
  const response =
    qop === null
      ? H(hashAlg, `${ha1}:${o.nonce}:${ha2}`)
      : H(hashAlg, `${ha1}:${o.nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
  let v = `Digest username="${username}", realm="${realm}", nonce="${o.nonce}", uri="${uri}", response="${response}"`;
  if (algParam !== null) v += `, algorithm=${algParam}`;
  if (qop !== null) v += `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"`;
  return v;
}

function lookup(username: string, algorithm: DigestAlgorithm): string | undefined {
  const pw = USERS[username];
  return pw === undefined ? undefined : H(algorithm, `${username}:${REALM}:${pw}`);
}

function setup(opts: Partial<ConstructorParameters<typeof DigestServer>[0]> = {}) {
  const clock = new FakeNow();
  const server = new DigestServer({ realm: REALM, secret: SECRET, clock, ...opts });
  const nonceOf = (challenge: string[] = server.challenge()): string => parseChallenge(challenge[0] ?? '').nonce;
  const verify = (auth: string | readonly string[] | undefined, method = 'REGISTER'): DigestResult =>
    server.verify({ method, authorization: auth, lookupHa1: lookup });
  return { clock, server, nonceOf, verify };
}

const FAILED: DigestResult = { ok: false, reason: 'failed', stale: false };

describe('DigestServer.challenge', () => {
  test('one value per algorithm, SHA-256 first (RFC 8760 section 2.4), same fresh nonce, qop="auth"', () => {
    const { server } = setup();
    const values = server.challenge();
    assert.equal(values.length, 2);
    const [a, b] = values.map((v) => parseChallenge(v));
    assert.equal(a?.algorithm, 'SHA-256');
    assert.equal(b?.algorithm, 'MD5');
    assert.equal(a?.realm, REALM);
    assert.deepEqual(a?.qop, ['auth']);
    assert.equal(a?.stale, undefined);
    assert.equal(a?.nonce, b?.nonce);
    assert.notEqual(parseChallenge(server.challenge()[0] ?? '').nonce, a?.nonce);
    assert.match(
      values[0] ?? '',
      /^Digest realm="localhost", nonce="[A-Za-z0-9_-]{75}", algorithm=SHA-256, qop="auth"$/,
    );
  });

  test('stale=TRUE on request; configured algorithm order is kept', () => {
    const { server } = setup({ algorithms: ['MD5'] });
    const values = server.challenge({ stale: true });
    assert.equal(values.length, 1);
    assert.match(values[0] ?? '', /stale=TRUE, algorithm=MD5/);
  });

  test('bad configuration is refused', () => {
    assert.throws(() => new DigestServer({ realm: REALM, secret: SECRET, algorithms: [] }), RangeError);
    assert.throws(
      () => new DigestServer({ realm: REALM, secret: SECRET, algorithms: ['MD5-sess' as DigestAlgorithm] }),
      RangeError,
    );
    assert.throws(() => new DigestServer({ realm: REALM, secret: Buffer.alloc(4) }), RangeError);
    assert.throws(() => new DigestServer({ realm: '', secret: SECRET }), RangeError);
  });
});

describe('DigestServer.verify', () => {
  test('SHA-256 and MD5 credentials verify', () => {
    const { nonceOf, verify } = setup();
    assert.deepEqual(verify(authorization({ nonce: nonceOf() })), {
      ok: true,
      username: 'alice',
      algorithm: 'SHA-256',
    });
    assert.deepEqual(verify(authorization({ nonce: nonceOf(), algorithm: 'MD5', username: 'bob' })), {
      ok: true,
      username: 'bob',
      algorithm: 'MD5',
    });
  });

  test('no algorithm parameter means MD5 (RFC 3261 section 22.4) when MD5 is offered', () => {
    const { nonceOf, verify } = setup();
    assert.deepEqual(verify(authorization({ nonce: nonceOf(), algorithm: null })), {
      ok: true,
      username: 'alice',
      algorithm: 'MD5',
    });
    const s = setup({ algorithms: ['SHA-256'] });
    assert.deepEqual(s.verify(authorization({ nonce: s.nonceOf(), algorithm: null })), {
      ok: false,
      reason: 'algorithm',
      stale: false,
    });
  });

  test('the method and uri take part in the digest', () => {
    const { nonceOf, verify } = setup();
    assert.deepEqual(verify(authorization({ nonce: nonceOf(), method: 'INVITE' }), 'REGISTER'), FAILED);
    assert.equal(
      verify(authorization({ nonce: nonceOf(), method: 'INVITE', uri: 'sip:bob@localhost' }), 'INVITE').ok,
      true,
    );
    const tampered = authorization({ nonce: nonceOf() }).replace('uri="sip:localhost"', 'uri="sip:other"');
    assert.deepEqual(verify(tampered), FAILED);
  });

  test('upper-case hex in response is accepted', () => {
    const { nonceOf, verify } = setup();
    const v = authorization({ nonce: nonceOf() }).replace(
      /response="([0-9a-f]+)"/,
      (_m, r: string) => `response="${r.toUpperCase()}"`,
    );
    assert.equal(verify(v).ok, true);
  });

  test('missing header -> missing; other scheme -> missing; garbage -> malformed', () => {
    const { verify } = setup();
    assert.deepEqual(verify(undefined), { ok: false, reason: 'missing', stale: false });
    assert.deepEqual(verify(''), { ok: false, reason: 'missing', stale: false });
    assert.deepEqual(verify([]), { ok: false, reason: 'missing', stale: false });
    assert.deepEqual(verify('Basic YWxpY2U6c2VjcmV0'), { ok: false, reason: 'missing', stale: false });
    assert.deepEqual(verify('Digest username="alice'), { ok: false, reason: 'malformed', stale: false });
    assert.deepEqual(verify('Digest username="alice", realm="localhost"'), {
      ok: false,
      reason: 'malformed',
      stale: false,
    });
  });

  test('a response of the wrong length or not hex is malformed', () => {
    const { nonceOf, verify } = setup();
    const sha = authorization({ nonce: nonceOf() });
    assert.deepEqual(verify(sha.replace(/response="[0-9a-f]+"/, 'response="abc"')), {
      ok: false,
      reason: 'malformed',
      stale: false,
    });
    // an MD5-length response for SHA-256
    assert.deepEqual(verify(sha.replace(/response="[0-9a-f]+"/, `response="${'a'.repeat(32)}"`)), {
      ok: false,
      reason: 'malformed',
      stale: false,
    });
    assert.deepEqual(verify(sha.replace(/response="[0-9a-f]+"/, `response="${'g'.repeat(64)}"`)), {
      ok: false,
      reason: 'malformed',
      stale: false,
    });
  });

  test('wrong realm', () => {
    const { nonceOf, verify } = setup();
    assert.deepEqual(verify(authorization({ nonce: nonceOf(), realm: 'example.com' })), {
      ok: false,
      reason: 'realm',
      stale: false,
    });
    assert.deepEqual(verify(authorization({ nonce: nonceOf(), realm: 'LOCALHOST' })), {
      ok: false,
      reason: 'realm',
      stale: false,
    });
  });

  test('several credentials: the one for our realm is used (RFC 3261 section 22.3)', () => {
    const { nonceOf, verify } = setup();
    const ours = authorization({ nonce: nonceOf() });
    const theirs = authorization({ nonce: 'x', realm: 'proxy.example' });
    assert.equal(verify(['Basic Zm9v', theirs, ours]).ok, true);
    assert.deepEqual(verify([theirs, 'Basic Zm9v']), { ok: false, reason: 'realm', stale: false });
    assert.deepEqual(verify(['Digest bad', theirs]), { ok: false, reason: 'malformed', stale: false });
  });

  test('unknown algorithm, -sess, and an algorithm not offered', () => {
    const { nonceOf, verify } = setup();
    for (const alg of ['SHA-512-256', 'MD5-sess', 'SHA-256-sess', 'AKAv1-MD5']) {
      assert.deepEqual(
        verify(authorization({ nonce: nonceOf(), algorithm: alg })),
        { ok: false, reason: 'algorithm', stale: false },
        alg,
      );
    }
    const s = setup({ algorithms: ['SHA-256'] });
    assert.deepEqual(s.verify(authorization({ nonce: s.nonceOf(), algorithm: 'MD5' })), {
      ok: false,
      reason: 'algorithm',
      stale: false,
    });
    assert.equal(s.verify(authorization({ nonce: s.nonceOf(), algorithm: 'sha-256' })).ok, true);
  });

  test('qop: auth-int and absent qop are refused by default', () => {
    const { nonceOf, verify } = setup();
    assert.deepEqual(verify(authorization({ nonce: nonceOf(), qop: 'auth-int' })), {
      ok: false,
      reason: 'qop',
      stale: false,
    });
    assert.deepEqual(verify(authorization({ nonce: nonceOf(), qop: null })), {
      ok: false,
      reason: 'qop',
      stale: false,
    });
  });

  test('RFC 2069 form when allowed: single-use nonce', () => {
    const { nonceOf, verify } = setup({ allowRfc2069: true });
    const nonce = nonceOf();
    const v = authorization({ nonce, qop: null, algorithm: null });
    assert.deepEqual(verify(v), { ok: true, username: 'alice', algorithm: 'MD5' });
    assert.deepEqual(verify(v), { ok: false, reason: 'replay', stale: true });
    assert.deepEqual(verify(authorization({ nonce, qop: null, algorithm: null, password: 'wrong' })), FAILED);
  });

  test('forged nonce -> bad-nonce', () => {
    const { verify } = setup();
    assert.deepEqual(verify(authorization({ nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093' })), {
      ok: false,
      reason: 'bad-nonce',
      stale: false,
    });
    const other = setup({ secret: Buffer.from('another HMAC key of 32 bytes!!!!') });
    assert.deepEqual(verify(authorization({ nonce: other.nonceOf() })), {
      ok: false,
      reason: 'bad-nonce',
      stale: false,
    });
  });

  test('tampered nonce -> bad-nonce, even with a matching response', () => {
    const { nonceOf, verify } = setup();
    const nonce = nonceOf();
    const flip = (i: number): string => nonce.slice(0, i) + (nonce[i] === 'A' ? 'B' : 'A') + nonce.slice(i + 1);
    for (const i of [0, 10, 40, 74]) {
      const tampered = flip(i);
      assert.notEqual(tampered, nonce);
      assert.deepEqual(
        verify(authorization({ nonce: tampered })),
        { ok: false, reason: 'bad-nonce', stale: false },
        `position ${i}`,
      );
    }
    assert.equal(verify(authorization({ nonce })).ok, true);
  });

  test('expired nonce + right password -> stale=true; + wrong password -> failed', () => {
    const { clock, nonceOf, verify } = setup({ nonceTtlMs: 60_000 });
    const nonce = nonceOf();
    clock.t += 60_000;
    assert.equal(verify(authorization({ nonce })).ok, true);
    clock.t += 1;
    assert.deepEqual(verify(authorization({ nonce, nc: 2 })), { ok: false, reason: 'stale', stale: true });
    assert.deepEqual(verify(authorization({ nonce, nc: 3, password: 'wrong' })), FAILED);
    assert.deepEqual(verify(authorization({ nonce, nc: 3, username: 'mallory' })), FAILED);
  });

  test('default lifetime is 300 s', () => {
    const { clock, nonceOf, verify } = setup();
    const nonce = nonceOf();
    clock.t += 300_000;
    assert.equal(verify(authorization({ nonce })).ok, true);
    clock.t += 1;
    assert.equal(verify(authorization({ nonce, nc: 2 })).ok, false);
  });

  test('replayed nc -> replay (stale=true); higher nc ok; reordered nc inside the window ok', () => {
    const { nonceOf, verify } = setup();
    const nonce = nonceOf();
    const first = authorization({ nonce, nc: 1 });
    assert.equal(verify(first).ok, true);
    assert.deepEqual(verify(first), { ok: false, reason: 'replay', stale: true });
    assert.equal(verify(authorization({ nonce, nc: 2 })).ok, true);
    assert.equal(verify(authorization({ nonce, nc: 5 })).ok, true);
    assert.equal(verify(authorization({ nonce, nc: 4, method: 'SUBSCRIBE' }), 'SUBSCRIBE').ok, true);
    assert.deepEqual(verify(authorization({ nonce, nc: 4 })), { ok: false, reason: 'replay', stale: true });
    assert.deepEqual(verify(authorization({ nonce, nc: 2 })), { ok: false, reason: 'replay', stale: true });
  });

  test('a failed attempt does not burn the nonce-count', () => {
    const { nonceOf, verify } = setup();
    const nonce = nonceOf();
    assert.deepEqual(verify(authorization({ nonce, nc: 1, password: 'guess' })), FAILED);
    assert.equal(verify(authorization({ nonce, nc: 1 })).ok, true);
  });

  test('unknown user and wrong password give identical results through the same path', () => {
    const { nonceOf, verify, server } = setup();
    const nonce = nonceOf();
    const wrongPassword = verify(authorization({ nonce, password: 'wrong' }));
    const unknownUser = verify(authorization({ nonce, username: 'mallory', password: 'secret' }));
    assert.deepEqual(wrongPassword, FAILED);
    assert.deepEqual(unknownUser, wrongPassword);
    // the lookup happens (once) for both, so the cost is the same
    const calls: string[] = [];
    const spy = (u: string, a: DigestAlgorithm): string | undefined => {
      calls.push(`${u}/${a}`);
      return lookup(u, a);
    };
    const n2 = nonceOf();
    const r1 = server.verify({
      method: 'REGISTER',
      authorization: authorization({ nonce: n2, password: 'wrong' }),
      lookupHa1: spy,
    });
    const r2 = server.verify({
      method: 'REGISTER',
      authorization: authorization({ nonce: n2, username: 'mallory' }),
      lookupHa1: spy,
    });
    assert.deepEqual(r1, r2);
    assert.deepEqual(calls, ['alice/SHA-256', 'mallory/SHA-256']);
  });

  test('a stored HA1 of the wrong shape is treated like an unknown user', () => {
    const { nonceOf, server } = setup();
    const r = server.verify({
      method: 'REGISTER',
      authorization: authorization({ nonce: nonceOf() }),
      lookupHa1: () => 'not-hex',
    });
    assert.deepEqual(r, FAILED);
  });

  test('hostile header values never throw', () => {
    const { verify } = setup();
    for (const v of [
      'Digest',
      'Digest ,,,',
      'Digest a=b',
      `Digest username="${'x'.repeat(20_000)}"`,
      'Digest nc=zz',
      '\u0000',
      'Digest realm="localhost", username="a", nonce="", uri="", response="", qop=auth, nc=00000001, cnonce=""',
    ]) {
      const r = verify(v);
      assert.equal(r.ok, false);
    }
  });
});
