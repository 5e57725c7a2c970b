import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TIMER_SETTINGS, deriveTimers } from '../../../../src/sip/transaction/timers.js';

describe('deriveTimers (RFC 3261 Table 4, RFC 6026)', () => {
  test('defaults: T1 500 ms, T2 4 s, T4 5 s and the derived timers', () => {
    const t = deriveTimers();
    assert.deepEqual({ t1: t.t1, t2: t.t2, t4: t.t4 }, { t1: 500, t2: 4000, t4: 5000 });
    assert.equal(t.A, 500);
    assert.equal(t.B, 32_000);
    assert.equal(t.D, 32_000);
    assert.equal(t.E, 500);
    assert.equal(t.F, 32_000);
    assert.equal(t.G, 500);
    assert.equal(t.H, 32_000);
    assert.equal(t.I, 5000);
    assert.equal(t.J, 32_000);
    assert.equal(t.K, 5000);
    assert.equal(t.L, 32_000);
    assert.equal(t.M, 32_000);
    assert.equal(t.trying, 200);
    assert.equal(DEFAULT_TIMER_SETTINGS.t1, 500);
  });

  test('derives from a configured T1/T2/T4', () => {
    const t = deriveTimers({ t1: 100, t2: 1000, t4: 2000, timerD: 40_000, trying: 50 });
    assert.equal(t.A, 100);
    assert.equal(t.B, 6400);
    assert.equal(t.F, 6400);
    assert.equal(t.H, 6400);
    assert.equal(t.J, 6400);
    assert.equal(t.L, 6400);
    assert.equal(t.M, 6400);
    assert.equal(t.I, 2000);
    assert.equal(t.K, 2000);
    assert.equal(t.D, 40_000);
    assert.equal(t.t2, 1000);
    assert.equal(t.trying, 50);
  });

  test('rejects nonsense values in favour of the defaults', () => {
    const t = deriveTimers({ t1: -1, t2: Number.NaN, t4: Number.POSITIVE_INFINITY });
    assert.equal(t.t1, 500);
    assert.equal(t.t2, 4000);
    assert.equal(t.t4, 5000);
  });

  test('result is frozen', () => {
    const t = deriveTimers();
    assert.ok(Object.isFrozen(t));
  });
});
