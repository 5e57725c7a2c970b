import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../../../src/base/clock.js';
import { backoffDelay, parseRetryAfter, type RetryPolicy } from '../../../../src/app/notify/retry-policy.js';
import { RetryQueue, type AttemptResult, type OutcomeDetail } from '../../../../src/app/notify/retry-queue.js';

const POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

/** Let settled attempts' promise callbacks run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A queue over scripted results; each item's attempts are logged with the fake time they started. */
function harness(
  script: (item: string, attempt: number) => AttemptResult,
  opts: { maxPending?: number; concurrency?: number } = {},
) {
  const clock = new FakeClock(1_000_000);
  const started: { item: string; attempt: number; at: number }[] = [];
  const outcomes: { outcome: string; item: string; detail: OutcomeDetail }[] = [];
  const q = new RetryQueue<string>({
    clock,
    policy: POLICY,
    random: () => 1 - Number.EPSILON,
    attempt: (item, attempt) => {
      started.push({ item, attempt, at: clock.now() - 1_000_000 });
      return Promise.resolve(script(item, attempt));
    },
    onOutcome: (outcome, item, detail) => outcomes.push({ outcome, item, detail }),
    ...opts,
  });
  return { clock, q, started, outcomes };
}

const fail = (reason = 'HTTP 500'): AttemptResult => ({ ok: false, retry: true, reason });

describe('RetryQueue: back-off, bounds, one timer', () => {
  test('back-off doubles from the base up to the cap, jitter within [step/2, step]', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(POLICY, n, () => 1 - Number.EPSILON)),
      [1_000, 2_000, 4_000, 8_000, 8_000, 8_000],
    );
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffDelay(POLICY, n, () => 0)),
      [500, 1_000, 2_000, 4_000],
    );
  });

  test('Retry-After: seconds or an HTTP-date (RFC 9110 section 10.2.3)', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    assert.equal(parseRetryAfter('120', now), 120_000);
    assert.equal(parseRetryAfter('Wed, 01 May 2024 12:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  test('a failing item is tried at 0, +1 s, +2 s, +4 s, +8 s, then given up', async () => {
    const { clock, q, started, outcomes } = harness(() => fail());
    q.push('a');
    for (let i = 0; i < 20; i++) {
      await flush();
      const due = clock.nextDue();
      if (due === undefined) break;
      clock.advance(due - clock.now());
    }
    await flush();
    assert.deepEqual(
      started.map((s) => s.at),
      [0, 1_000, 3_000, 7_000, 15_000],
    );
    assert.deepEqual(
      outcomes.map((o) => o.outcome),
      ['retry', 'retry', 'retry', 'retry', 'failed'],
    );
    assert.match(outcomes[4]?.detail.reason ?? '', /HTTP 500 \(after 5 attempts\)/);
    assert.equal(q.pending, 0);
    assert.equal(clock.pending, 0, 'no timer left');
  });

  test('success after failures is delivered once; a permanent failure is not retried', async () => {
    const { clock, q, outcomes } = harness((item, attempt) =>
      item === 'bad' ? { ok: false, retry: false, reason: 'HTTP 400' } : attempt < 3 ? fail() : { ok: true },
    );
    q.push('good');
    q.push('bad');
    await flush();
    clock.advance(1_000);
    await flush();
    clock.advance(2_000);
    await flush();
    assert.deepEqual(
      outcomes.map((o) => `${o.item}:${o.outcome}:${o.detail.attempt}`),
      ['good:retry:1', 'bad:failed:1', 'good:retry:2', 'good:delivered:3'],
    );
    assert.equal(q.pending, 0);
  });

  test('Retry-After is waited for when longer than the back-off; beyond the limit it gives up', async () => {
    const { clock, q, started, outcomes } = harness((item, attempt) =>
      attempt > 1
        ? { ok: true }
        : { ok: false, retry: true, reason: 'HTTP 429', retryAfterMs: item === 'far' ? 61_000 : 30_000 },
    );
    q.push('near');
    q.push('far');
    await flush();
    clock.advance(29_999);
    await flush();
    assert.equal(started.length, 2, 'not before Retry-After');
    clock.advance(1);
    await flush();
    assert.deepEqual(started[2], { item: 'near', attempt: 2, at: 30_000 });
    assert.deepEqual(
      outcomes.map((o) => `${o.item}:${o.outcome}`),
      ['near:retry', 'far:failed', 'near:delivered'],
    );
    assert.match(outcomes[1]?.detail.reason ?? '', /Retry-After/);
  });

  test('full: the oldest waiting item is dropped and counted, never one in flight', async () => {
    let release: (() => void) | undefined;
    const clock = new FakeClock();
    const outcomes: string[] = [];
    const q = new RetryQueue<string>({
      clock,
      policy: POLICY,
      maxPending: 3,
      concurrency: 1,
      attempt: (item) =>
        item === 'first'
          ? new Promise<AttemptResult>((resolve) => (release = () => resolve({ ok: true })))
          : Promise.resolve(fail()),
      onOutcome: (outcome, item) => outcomes.push(`${item}:${outcome}`),
    });
    for (const item of ['first', 'b', 'c', 'd', 'e']) q.push(item);
    assert.equal(q.pending, 3);
    assert.equal(q.dropped, 2);
    assert.deepEqual(outcomes, ['b:dropped', 'c:dropped']);
    release?.();
    await flush();
    assert.equal(outcomes[2], 'first:delivered');
    assert.deepEqual(outcomes.slice(3), ['d:retry', 'e:retry'], 'the kept ones then go, one at a time');
    assert.equal(q.pending, 2);
    q.stop();
  });

  test('attempts in flight are bounded; thousands waiting share one timer', async () => {
    let inFlight = 0;
    let peak = 0;
    let attempts = 0;
    const clock = new FakeClock();
    const q = new RetryQueue<number>({
      clock,
      policy: POLICY,
      concurrency: 3,
      attempt: async () => {
        attempts++;
        peak = Math.max(peak, ++inFlight);
        await flush();
        inFlight--;
        return fail();
      },
    });
    for (let i = 0; i < 2_000; i++) q.push(i);
    for (let i = 0; i < 5_000 && attempts < 2_000; i++) {
      await flush();
      assert.ok(clock.pending <= 1, `timers: ${clock.pending}`);
    }
    await flush();
    assert.equal(attempts, 2_000);
    assert.equal(peak, 3);
    assert.equal(clock.pending, 1, 'one timer for 2,000 retries');
    q.stop();
    assert.equal(clock.pending, 0, 'stop cancels the timer');
    assert.equal(q.pending, 0);
  });

  test('a throwing attempt or hook does not stop the queue', async () => {
    const clock = new FakeClock();
    const outcomes: string[] = [];
    const q = new RetryQueue<string>({
      clock,
      policy: { ...POLICY, maxAttempts: 2 },
      attempt: (_item, attempt) => {
        if (attempt === 1) throw new Error('boom');
        return Promise.resolve({ ok: true });
      },
      onOutcome: (outcome, _item, detail) => {
        outcomes.push(`${outcome}:${detail.reason ?? ''}`);
        throw new Error('hook');
      },
    });
    q.push('x');
    await flush();
    clock.runAll();
    await flush();
    assert.deepEqual(outcomes, ['retry:boom', 'delivered:']);
  });
});
