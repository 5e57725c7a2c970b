import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RateLimiter } from '../../../src/base/rate-limiter.js';

describe('RateLimiter', () => {
  test('a key spends its burst at once, then earns perSecond tokens each second', () => {
    const l = new RateLimiter(2, 3);
    assert.deepEqual(
      [1, 2, 3, 4].map(() => l.take('a', 0)),
      [true, true, true, false],
    );
    assert.equal(l.take('b', 0), true, 'keys are independent');
    assert.equal(l.take('a', 499), false, 'less than one token earned');
    assert.equal(l.take('a', 500), true);
    assert.equal(l.take('a', 500), false);
  });

  test('prune forgets exactly the keys whose bucket is full again, and they behave as new keys', () => {
    const l = new RateLimiter(2, 20); // full again 10 s after the last take
    l.take('old', 0);
    l.take('mid', 5000);
    for (let i = 0; i < 20; i++) l.take('busy', 9000);
    l.prune(9999);
    assert.equal(l.size, 3, 'nobody full yet');
    l.prune(10_000);
    assert.equal(l.size, 2, 'old is full again and goes');
    l.take('old', 12_000); // back, as a new key: full burst
    l.prune(15_000);
    assert.equal(l.size, 2, 'mid goes at 15 s; old and busy are refilling');
    assert.equal(l.take('busy', 15_000), true, 'busy kept its (partly refilled) bucket');
    l.prune(60_000);
    assert.equal(l.size, 0);
  });

  test('at most maxKeys keys are tracked under a spray of keys', () => {
    const l = new RateLimiter(1, 1, 100);
    for (let i = 0; i < 1000; i++) l.take(`k${i}`, 0);
    assert.ok(l.size <= 100, String(l.size));
  });
});
