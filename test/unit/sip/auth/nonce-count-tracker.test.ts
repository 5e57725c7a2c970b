import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NC_WINDOW, NonceCountTracker } from '../../../../src/sip/auth/nonce-count-tracker.js';

const T0 = 1_000_000;
const TTL = 300_000;

describe('NonceCountTracker', () => {
  test('increasing counts pass, a repeated count is a replay', () => {
    const t = new NonceCountTracker();
    assert.equal(t.use('n', 1, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('n', 1, T0, T0 + TTL, T0), 'replay');
    assert.equal(t.use('n', 2, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('n', 7, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('n', 7, T0, T0 + TTL, T0), 'replay');
    assert.equal(t.use('n', 2, T0, T0 + TTL, T0), 'replay');
  });

  test('counts are per nonce', () => {
    const t = new NonceCountTracker();
    assert.equal(t.use('a', 1, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('b', 1, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.size, 2);
  });

  test('out-of-order counts inside the window pass once', () => {
    const t = new NonceCountTracker();
    assert.equal(t.use('n', 10, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('n', 8, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('n', 9, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('n', 8, T0, T0 + TTL, T0), 'replay');
    assert.equal(t.use('n', 10 - (NC_WINDOW - 1), T0, T0 + TTL, T0), 'ok'); // oldest slot of the window
    assert.equal(t.use('n', 10 - NC_WINDOW, T0, T0 + TTL, T0), 'replay'); // older than the window
    // after a jump the window slides; bits shift along with it
    assert.equal(t.use('n', 12, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('n', 9, T0, T0 + TTL, T0), 'replay');
    assert.equal(t.use('n', 11, T0, T0 + TTL, T0), 'ok');
    // a jump beyond the window clears it
    assert.equal(t.use('n', 12 + 100, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('n', 111, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('n', 12, T0, T0 + TTL, T0), 'replay');
  });

  test('works up to the largest nc (ffffffff)', () => {
    const t = new NonceCountTracker();
    assert.equal(t.use('n', 0xfffffffe, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('n', 0xffffffff, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('n', 0xffffffff, T0, T0 + TTL, T0), 'replay');
    assert.equal(t.use('n', 0xfffffffe, T0, T0 + TTL, T0), 'replay');
    assert.equal(t.use('n', 0xfffffffd, T0, T0 + TTL, T0), 'ok');
  });

  test('without qop a nonce is single-use', () => {
    const t = new NonceCountTracker();
    assert.equal(t.use('n', null, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('n', null, T0, T0 + TTL, T0), 'replay');
    assert.equal(t.use('n', 1, T0, T0 + TTL, T0), 'replay');
    assert.equal(t.use('m', 1, T0, T0 + TTL, T0), 'ok');
    assert.equal(t.use('m', null, T0, T0 + TTL, T0), 'replay');
  });

  test('expired entries are dropped by sweep', () => {
    const t = new NonceCountTracker();
    t.use('old', 1, T0, T0 + TTL, T0);
    t.use('new', 1, T0 + 1000, T0 + 1000 + TTL, T0 + 1000);
    t.sweep(T0 + TTL + 1);
    assert.equal(t.size, 1);
  });

  test('expired least-recently-used entries are dropped as new ones arrive', () => {
    const t = new NonceCountTracker();
    for (let i = 0; i < 5; i++) t.use(`n${i}`, 1, T0, T0 + TTL, T0);
    const later = T0 + TTL + 1;
    t.use('x', 1, later, later + TTL, later);
    t.use('y', 1, later, later + TTL, later);
    assert.ok(t.size <= 3, `size ${t.size}`);
  });

  test('the cap holds; evicting a live entry never re-opens a replay', () => {
    const t = new NonceCountTracker({ maxEntries: 3 });
    t.use('a', 5, T0 + 1, T0 + 1 + TTL, T0 + 10);
    t.use('b', 1, T0 + 2, T0 + 2 + TTL, T0 + 10);
    t.use('c', 1, T0 + 3, T0 + 3 + TTL, T0 + 10);
    t.use('a', 6, T0 + 1, T0 + 1 + TTL, T0 + 10); // a is now most recently used
    t.use('d', 1, T0 + 4, T0 + 4 + TTL, T0 + 10); // evicts b (LRU)
    assert.equal(t.size, 3);
    // b was evicted: its old counts must not be accepted again
    assert.equal(t.use('b', 1, T0 + 2, T0 + 2 + TTL, T0 + 10), 'evicted');
    // nonces issued before the floor and never seen are refused too (client gets stale)
    assert.equal(t.use('older', 1, T0 + 1, T0 + 1 + TTL, T0 + 10), 'evicted');
    // tracked ones keep working, newer ones are admitted
    assert.equal(t.use('a', 7, T0 + 1, T0 + 1 + TTL, T0 + 10), 'ok');
    assert.equal(t.use('e', 1, T0 + 5, T0 + 5 + TTL, T0 + 10), 'ok');
    assert.equal(t.size, 3);
    for (let i = 0; i < 100; i++) t.use(`f${i}`, 1, T0 + 10 + i, T0 + 10 + i + TTL, T0 + 20);
    assert.equal(t.size, 3);
  });

  test('rejects a bad cap', () => {
    assert.throws(() => new NonceCountTracker({ maxEntries: 0 }), RangeError);
    assert.throws(() => new NonceCountTracker({ maxEntries: 1.5 }), RangeError);
  });
});
