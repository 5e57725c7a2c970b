import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, RealClock, type TimerHandle } from '../../../src/base/clock.js';

describe('FakeClock', () => {
  test('runs due timers in time order, ties in scheduling order, with now() at the due time', () => {
    const clock = new FakeClock(1000);
    const log: string[] = [];
    clock.setTimeout(() => log.push(`c@${clock.now()}`), 300);
    clock.setTimeout(() => log.push(`a@${clock.now()}`), 100);
    clock.setTimeout(() => log.push(`b1@${clock.now()}`), 200);
    clock.setTimeout(() => log.push(`b2@${clock.now()}`), 200);
    clock.advance(250);
    assert.deepEqual(log, ['a@1100', 'b1@1200', 'b2@1200']);
    assert.equal(clock.now(), 1250);
    clock.advance(50);
    assert.deepEqual(log, ['a@1100', 'b1@1200', 'b2@1200', 'c@1300']);
    assert.equal(clock.pending, 0);
  });

  test('runs timers scheduled by timers when they fall inside the advanced window', () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const tick = (): void => {
      at.push(clock.now());
      if (at.length < 5) clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    clock.advance(35);
    assert.deepEqual(at, [10, 20, 30]);
    clock.advance(100);
    assert.deepEqual(at, [10, 20, 30, 40, 50]);
  });

  test('a zero-delay timer set inside a callback runs in the same advance, after earlier ones', () => {
    const clock = new FakeClock();
    const log: string[] = [];
    clock.setTimeout(() => {
      log.push('first');
      clock.setTimeout(() => log.push('nested'), 0);
    }, 5);
    clock.setTimeout(() => log.push('second'), 5);
    clock.advance(5);
    assert.deepEqual(log, ['first', 'second', 'nested']);
  });

  test('advance(0) runs timers due now; negative delays count as zero', () => {
    const clock = new FakeClock();
    let n = 0;
    clock.setTimeout(() => n++, -50);
    assert.equal(n, 0, 'never synchronously');
    clock.advance(0);
    assert.equal(n, 1);
  });

  test('clearTimeout cancels; clearing twice, after firing or a foreign handle is harmless', () => {
    const clock = new FakeClock();
    let fired = 0;
    const h1 = clock.setTimeout(() => fired++, 10);
    const h2 = clock.setTimeout(() => fired++, 20);
    clock.clearTimeout(h1);
    clock.clearTimeout(h1);
    clock.clearTimeout({});
    assert.equal(clock.pending, 1);
    clock.advance(30);
    assert.equal(fired, 1);
    clock.clearTimeout(h2);
    assert.equal(clock.pending, 0);
  });

  test('a timer cleared by an earlier timer in the same advance does not run', () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const late = clock.setTimeout(() => log.push('late'), 20);
    clock.setTimeout(() => {
      log.push('early');
      clock.clearTimeout(late);
    }, 10);
    clock.advance(100);
    assert.deepEqual(log, ['early']);
  });

  test('handles 20,000 timers with random delays and cancellations in order', () => {
    const clock = new FakeClock();
    let seed = 42;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const fired: number[] = [];
    const handles: TimerHandle[] = [];
    for (let i = 0; i < 20_000; i++) {
      const delay = rnd() % 100_000;
      handles.push(clock.setTimeout(() => fired.push(clock.now()), delay));
    }
    for (let i = 0; i < handles.length; i += 2) clock.clearTimeout(handles[i] as TimerHandle);
    const expected = 10_000;
    assert.equal(clock.pending, expected);
    clock.advance(50_000);
    clock.advance(50_000);
    assert.equal(fired.length, expected);
    for (let i = 1; i < fired.length; i++) assert.ok((fired[i] as number) >= (fired[i - 1] as number));
    assert.equal(clock.pending, 0);
  });

  test('runAll drains pending timers and nextDue reports the earliest', () => {
    const clock = new FakeClock();
    assert.equal(clock.nextDue(), undefined);
    let n = 0;
    clock.setTimeout(() => n++, 7000);
    clock.setTimeout(() => n++, 300);
    assert.equal(clock.nextDue(), 300);
    clock.runAll();
    assert.equal(n, 2);
    assert.equal(clock.now(), 7000);
  });
});

describe('RealClock', () => {
  test('uses wall-clock milliseconds and unref()d node timers that can be cleared', () => {
    const clock = new RealClock();
    const before = Date.now();
    const now = clock.now();
    assert.ok(now >= before && now <= Date.now());
    const h = clock.setTimeout(() => assert.fail('cleared timer ran'), 10_000) as NodeJS.Timeout;
    assert.equal(h.hasRef(), false, 'must not keep the process alive');
    clock.clearTimeout(h);
  });
});
