import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  UnsupportedDigestAlgorithmError,
  computeHa1,
  digestHexLength,
  isHex,
  parseDigestAlgorithm,
  type DigestAlgorithm,
} from '../../../../src/sip/auth/ha1.js';
import { computeDigestResponse, computeHa2 } from '../../../../src/sip/auth/digest-response.js';

/** Independent oracle: node:crypto by hand. */
function h(alg: 'md5' | 'sha256', s: string): string {
  return createHash(alg).update(Buffer.from(s, 'utf8')).digest('hex');
}

// RFC 7616 section 3.9.1 (password per erratum 4495: "Circle of Life").
const RFC = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  nc: '00000001',
  qop: 'auth',
  method: 'GET',
  uri: '/dir/index.html',
};

describe('computeHa1', () => {
  test('MD5 and SHA-256 match node:crypto computed by hand', () => {
    assert.equal(computeHa1('alice', 'localhost', 'secret', 'MD5'), h('md5', 'alice:localhost:secret'));
    assert.equal(computeHa1('alice', 'localhost', 'secret', 'SHA-256'), h('sha256', 'alice:localhost:secret'));
    assert.equal(computeHa1('alice', 'localhost', 'secret', 'MD5').length, 32);
    assert.equal(computeHa1('alice', 'localhost', 'secret', 'SHA-256').length, 64);
  });

  test('hashes UTF-8 bytes', () => {
    assert.equal(computeHa1('jörg', 'ü.example', 'pässword', 'SHA-256'), h('sha256', 'jörg:ü.example:pässword'));
    assert.notEqual(
      computeHa1('jörg', 'r', 'p', 'MD5'),
      createHash('md5').update(Buffer.from('jörg:r:p', 'latin1')).digest('hex'),
    );
  });

  test('rejects -sess and unknown algorithms with a clear reason', () => {
    for (const alg of ['MD5-sess', 'SHA-256-sess', 'SHA-512-256']) {
      assert.throws(
        () => computeHa1('u', 'r', 'p', alg as DigestAlgorithm),
        (e: unknown) => e instanceof UnsupportedDigestAlgorithmError && e.algorithm === alg && e.message.includes(alg),
      );
    }
    assert.throws(() => computeHa1('u', 'r', 'p', 'MD5-sess' as DigestAlgorithm), /-sess variants are not implemented/);
  });
});

describe('parseDigestAlgorithm / helpers', () => {
  test('case-insensitive; -sess and others are undefined', () => {
    assert.equal(parseDigestAlgorithm('md5'), 'MD5');
    assert.equal(parseDigestAlgorithm('sha-256'), 'SHA-256');
    assert.equal(parseDigestAlgorithm('MD5-sess'), undefined);
    assert.equal(parseDigestAlgorithm('SHA-256-sess'), undefined);
    assert.equal(parseDigestAlgorithm('SHA-512-256'), undefined);
    assert.equal(parseDigestAlgorithm(''), undefined);
  });

  test('isHex and digestHexLength', () => {
    assert.equal(digestHexLength('MD5'), 32);
    assert.equal(digestHexLength('SHA-256'), 64);
    assert.ok(isHex('0123456789abcdefABCDEF', 22));
    assert.ok(!isHex('0123456789abcdefg', 17));
    assert.ok(!isHex('abc', 4));
  });
});

describe('computeDigestResponse', () => {
  test('RFC 7616 section 3.9.1 MD5 example', () => {
    const ha1 = computeHa1(RFC.username, RFC.realm, RFC.password, 'MD5');
    assert.equal(computeDigestResponse({ algorithm: 'MD5', ha1, ...RFC }), '8ca523f5e9506fed4657c9700eebdbec');
  });

  test('RFC 7616 section 3.9.1 SHA-256 example', () => {
    const ha1 = computeHa1(RFC.username, RFC.realm, RFC.password, 'SHA-256');
    assert.equal(
      computeDigestResponse({ algorithm: 'SHA-256', ha1, ...RFC }),
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  test('SIP REGISTER with qop=auth, SHA-256 and MD5, against node:crypto by hand', () => {
    const p = {
      nonce: 'NONCE',
      nc: '0000002a',
      cnonce: 'c-nonce',
      qop: 'auth',
      method: 'REGISTER',
      uri: 'sip:localhost',
    };
    for (const [alg, n] of [
      ['MD5', 'md5'],
      ['SHA-256', 'sha256'],
    ] as const) {
      const ha1 = h(n, 'alice:localhost:secret');
      const ha2 = h(n, 'REGISTER:sip:localhost');
      assert.equal(computeHa2(alg, 'REGISTER', 'sip:localhost'), ha2);
      assert.equal(
        computeDigestResponse({ algorithm: alg, ha1, ...p }),
        h(n, `${ha1}:NONCE:0000002a:c-nonce:auth:${ha2}`),
      );
    }
  });

  test('RFC 2069 form without qop', () => {
    const ha1 = h('md5', 'bob:biloxi.com:zanzibar');
    const ha2 = h('md5', 'INVITE:sip:bob@biloxi.com');
    assert.equal(
      computeDigestResponse({ algorithm: 'MD5', ha1, nonce: 'n1', method: 'INVITE', uri: 'sip:bob@biloxi.com' }),
      h('md5', `${ha1}:n1:${ha2}`),
    );
  });
});
