import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { signWebhook, verifyWebhookSignature } from '../../../../src/app/notify/webhook-signature.js';

const SECRET = 'whsec-test-0123456789';
const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('webhook signature: t=SECONDS,v1=HEX(HMAC-SHA256(secret, "t.body"))', () => {
  test('what a receiver computes with its own HMAC, independently of openum', () => {
    const body = '{"event":"message.deposited"}';
    const header = signWebhook(SECRET, body, NOW + 999);
    const expected = createHmac('sha256', SECRET).update(`1714564800.${body}`).digest('hex');
    assert.equal(header, `t=1714564800,v1=${expected}`);
  });

  test('property: verifies with the secret and body it was made with, not with another of either', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.string(),
        fc.string(),
        fc.integer({ min: 0, max: 299_000 }),
        (secret, other, body, otherBody, lateMs) => {
          const header = signWebhook(secret, body, NOW);
          assert.ok(verifyWebhookSignature(secret, header, body, NOW + lateMs));
          assert.ok(verifyWebhookSignature(secret, header, Buffer.from(body, 'utf8'), NOW - lateMs));
          if (other !== secret) assert.ok(!verifyWebhookSignature(other, header, body, NOW));
          if (otherBody !== body) assert.ok(!verifyWebhookSignature(secret, header, otherBody, NOW));
        },
      ),
    );
  });

  test('outside the tolerance (replays), and malformed headers, fail', () => {
    const body = 'x';
    const header = signWebhook(SECRET, body, NOW);
    assert.ok(!verifyWebhookSignature(SECRET, header, body, NOW + 301_000));
    assert.ok(!verifyWebhookSignature(SECRET, header, body, NOW - 301_000));
    assert.ok(verifyWebhookSignature(SECRET, header, body, NOW + 3_599_000, 3_600));
    const v1 = header.split('v1=')[1] ?? '';
    for (const bad of [
      undefined,
      null,
      '',
      `v1=${v1}`,
      't=1714564800',
      `t=abc,v1=${v1}`,
      `t=1714564800,v1=${v1.toUpperCase()}`,
      `t=1714564800,v1=${v1.slice(2)}`,
      `t=1714564801,v1=${v1}`,
      `t=1714564800,v0=${v1}`,
    ])
      assert.ok(!verifyWebhookSignature(SECRET, bad, body, NOW), String(bad));
  });

  test('several v1 values (a secret being changed): any one that matches will do; spaces are allowed', () => {
    const body = 'x';
    const good = signWebhook(SECRET, body, NOW).split('v1=')[1] ?? '';
    const old = signWebhook('old-secret-0123456789', body, NOW).split('v1=')[1] ?? '';
    assert.ok(verifyWebhookSignature(SECRET, `t=1714564800, v1=${old}, v1=${good}`, body, NOW));
    assert.ok(!verifyWebhookSignature(SECRET, `t=1714564800,v1=${old}`, body, NOW));
  });
});
