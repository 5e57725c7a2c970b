import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TimingWheel, type WheelItem } from '../../../src/events/timing-wheel.js';

interface Item extends WheelItem {
  id: number;
}
const item = (id: number, dueAt: number): Item => ({ id, dueAt, wheelSlot: -1 });

describe('TimingWheel', () => {
  test('fires each item once, never early, at most one resolution late; rescheduled and cancelled items follow their latest state', () => {
    const w = new TimingWheel<Item>(1000, 0);
    const a = item(1, 1500);
    const b = item(2, 2000);
    const c = item(3, 2500);
    w.schedule(a);
    w.schedule(b);
    w.schedule(c);
    assert.equal(w.size, 3);
    assert.deepEqual(
      w.advance(1499).map((i) => i.id),
      [],
    );
    a.dueAt = 5000;
    w.schedule(a); // refreshed
    w.cancel(c);
    assert.equal(w.size, 2);
    assert.deepEqual(
      w.advance(2000).map((i) => i.id),
      [2],
    );
    assert.deepEqual(
      w.advance(4999).map((i) => i.id),
      [],
    );
    assert.deepEqual(
      w.advance(5000).map((i) => i.id),
      [1],
    );
    assert.equal(w.size, 0);
  });

  test('a long gap (suspended process) still fires everything in order', () => {
    const w = new TimingWheel<Item>(1000, 0);
    for (let i = 0; i < 10; i++) w.schedule(item(i, (10 - i) * 100_000));
    assert.deepEqual(
      w.advance(1e12).map((i) => i.id),
      [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    );
  });

  test('property: what fires by t is exactly the live items due by t (rounded up to the resolution)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            due: fc.integer({ min: 0, max: 50_000 }),
            resched: fc.option(fc.integer({ min: 0, max: 50_000 })),
            cancel: fc.boolean(),
          }),
          { maxLength: 60 },
        ),
        fc.array(fc.integer({ min: 0, max: 60_000 }), { maxLength: 8 }),
        (specs, steps) => {
          const res = 100;
          const w = new TimingWheel<Item>(res, 0);
          const items = specs.map((s, i) => item(i, s.due));
          items.forEach((it) => w.schedule(it));
          specs.forEach((s, i) => {
            const it = items[i]!;
            if (s.resched !== null) {
              it.dueAt = s.resched;
              w.schedule(it);
            }
            if (s.cancel) w.cancel(it);
          });
          const fired = new Set<number>();
          let t = 0;
          for (const step of [...steps].sort((x, y) => x - y).concat([60_000])) {
            t = Math.max(t, step);
            for (const it of w.advance(t)) {
              assert.ok(!fired.has(it.id), 'fired twice');
              assert.ok(it.dueAt <= t + res, 'not early beyond resolution');
              assert.ok(Math.ceil(it.dueAt / res) * res <= t || it.dueAt <= res, 'not early');
              fired.add(it.id);
            }
          }
          const expected = specs.map((s, i) => (s.cancel ? -1 : i)).filter((i) => i >= 0);
          assert.deepEqual(
            [...fired].sort((x, y) => x - y),
            expected,
          );
        },
      ),
    );
  });
});
