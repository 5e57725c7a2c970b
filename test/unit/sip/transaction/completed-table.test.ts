import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../../src/sip/transaction/clock.js';
import { CompletedTable } from '../../../../src/sip/transaction/completed-table.js';

describe('CompletedTable', () => {
  test('an entry lives at least the lifetime and at most a quarter more, whenever it was added', () => {
    for (const offset of [0, 1, 3999, 4000, 7999]) {
      const clock = new FakeClock();
      const t = new CompletedTable(clock, 32_000, 4);
      t.add('warm-up', 'w'); // arms the generation timer at 0
      clock.advance(offset);
      t.add('k', 'v');
      clock.advance(31_999);
      assert.equal(t.get('k'), 'v', `added at ${offset}: still there at +31.999 s`);
      clock.advance(8001);
      assert.equal(t.get('k'), undefined, `added at ${offset}: gone by +40 s`);
    }
  });

  test('no timer is left once empty; clear drops everything', () => {
    const clock = new FakeClock();
    const t = new CompletedTable(clock, 1000, 4);
    t.add('a', '1');
    t.add('b', '2');
    assert.equal(t.size, 2);
    clock.advance(1250);
    assert.equal(t.size, 0);
    assert.equal(clock.pending, 0);
    t.add('c', '3');
    t.clear();
    assert.equal(t.get('c'), undefined);
    assert.equal(clock.pending, 0);
  });
});
