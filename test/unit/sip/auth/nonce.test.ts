import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { NONCE_LENGTH, NonceIssuer } from '../../../../src/sip/auth/nonce.js';

class FakeNow {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
}

const SECRET = Buffer.from('0123456789abcdef0123456789abcdef');

function issuer(clock = new FakeNow(), over: Partial<{ secret: Buffer; realm: string; ttlMs: number }> = {}) {
  return new NonceIssuer({ secret: SECRET, realm: 'localhost', clock, ttlMs: 300_000, ...over });
}

/** Replace the character at i by another base64url character. */
function flip(s: string, i: number): string {
  const c = s[i] === 'A' ? 'B' : 'A';
  return s.slice(0, i) + c + s.slice(i + 1);
}

describe('NonceIssuer', () => {
  test('a fresh nonce is valid, 75 base64url characters, unique', () => {
    const clock = new FakeNow();
    const n = issuer(clock);
    const a = n.issue();
    const b = n.issue();
    assert.equal(a.length, NONCE_LENGTH);
    assert.equal(NONCE_LENGTH, 75);
    assert.match(a, /^[A-Za-z0-9_-]{75}$/);
    assert.notEqual(a, b);
    assert.deepEqual(n.check(a), { status: 'valid', issuedAt: clock.t });
  });

  test('valid until the lifetime, stale after it', () => {
    const clock = new FakeNow();
    const n = issuer(clock);
    const nonce = n.issue();
    const t0 = clock.t;
    clock.t = t0 + 300_000;
    assert.equal(n.check(nonce).status, 'valid');
    clock.t = t0 + 300_001;
    assert.deepEqual(n.check(nonce), { status: 'stale', issuedAt: t0 });
    // explicit now argument wins over the clock
    assert.equal(n.check(nonce, t0 + 1).status, 'valid');
  });

  test('a nonce from far in the future (clock stepped back) is stale, not valid', () => {
    const clock = new FakeNow();
    const n = issuer(clock);
    const nonce = n.issue();
    clock.t -= 300_001;
    assert.equal(n.check(nonce).status, 'stale');
  });

  test('default lifetime is 300 s', () => {
    const clock = new FakeNow();
    const n = new NonceIssuer({ secret: SECRET, realm: 'r', clock });
    assert.equal(n.ttlMs, 300_000);
  });

  test('forged nonces are invalid', () => {
    const n = issuer();
    assert.deepEqual(n.check(randomBytes(56).toString('base64url')), { status: 'invalid' });
    assert.deepEqual(n.check(''), { status: 'invalid' });
    assert.deepEqual(n.check('x'.repeat(75)), { status: 'invalid' });
    assert.deepEqual(n.check('7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v'), { status: 'invalid' });
  });

  test('every single-character tampering is detected', () => {
    const n = issuer();
    const nonce = n.issue();
    for (let i = 0; i < nonce.length; i++) {
      assert.equal(n.check(flip(nonce, i)).status, 'invalid', `position ${i}`);
    }
  });

  test('a tampered timestamp (re-dating an expired nonce) is invalid', () => {
    const clock = new FakeNow();
    const n = issuer(clock);
    const nonce = n.issue();
    const buf = Buffer.from(nonce, 'base64url');
    buf.writeUInt32BE(buf.readUInt32BE(4) + 1000, 4);
    assert.equal(n.check(buf.toString('base64url')).status, 'invalid');
  });

  test('non-canonical encodings and stray characters are invalid', () => {
    const n = issuer();
    const nonce = n.issue();
    // base64 (not url) alphabet, padding, or a character Node would silently skip
    assert.equal(n.check(nonce + '=').status, 'invalid');
    let urlish = nonce;
    for (let k = 0; k < 100 && !/[-_]/.test(urlish); k++) urlish = n.issue();
    assert.match(urlish, /[-_]/);
    const std = urlish.replace(/-/g, '+').replace(/_/g, '/');
    assert.deepEqual(Buffer.from(std, 'base64url'), Buffer.from(urlish, 'base64url'));
    assert.equal(n.check(urlish).status, 'valid');
    assert.equal(n.check(std).status, 'invalid');
    assert.equal(n.check(nonce.slice(0, 74) + '*').status, 'invalid');
    // 75th character carries 2 padding bits: changing them keeps the bytes, not the text
    const last = nonce[74] ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const idx = alphabet.indexOf(last);
    const sibling = alphabet[idx ^ 1] ?? '';
    const alias = nonce.slice(0, 74) + sibling;
    assert.deepEqual(Buffer.from(alias, 'base64url'), Buffer.from(nonce, 'base64url'));
    assert.equal(n.check(alias).status, 'invalid');
  });

  test('another secret or another realm does not accept our nonce', () => {
    const clock = new FakeNow();
    const nonce = issuer(clock).issue();
    assert.equal(
      issuer(clock, { secret: Buffer.from('fedcba9876543210fedcba9876543210') }).check(nonce).status,
      'invalid',
    );
    assert.equal(issuer(clock, { realm: 'example.com' }).check(nonce).status, 'invalid');
    assert.equal(issuer(clock).check(nonce).status, 'valid');
  });

  test('rejects a short secret and a bad lifetime', () => {
    const clock = new FakeNow();
    assert.throws(() => new NonceIssuer({ secret: Buffer.alloc(8), realm: 'r', clock }), RangeError);
    assert.throws(() => new NonceIssuer({ secret: SECRET, realm: 'r', clock, ttlMs: 0 }), RangeError);
  });
});
