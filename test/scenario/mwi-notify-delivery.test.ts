import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RETRY_BACKOFF_MS } from '../../src/events/notify-policy.js';
import { SipRequest, type SipResponse } from '../../src/sip/message/index.js';
import type { LoopbackUa } from '../support/loopback-ua.js';
import {
  UM_ADDRESS,
  assertInDialog,
  exchange,
  exchangeNotifyText,
  lampOf,
  startServer,
  summaryBody,
  type Harness,
  type Phone,
  type SubDialog,
} from '../support/mwi-harness.js';

/** Timer F on UDP: 64 * T1 (RFC 3261 section 17.1.2.2). */
const TIMER_F = 32_000;

async function umSets(h: Harness, um: LoopbackUa, nw: number, old: number): Promise<void> {
  const res = await exchange(um, h.server, exchangeNotifyText(um.local, { body: summaryBody(nw, old) }));
  assert.equal(res.status, 200, res.reason);
}

async function subscribed(h: Harness): Promise<{ phone: Phone; um: LoopbackUa; dialog: SubDialog; first: SipRequest }> {
  const phone = await h.phone('10.0.0.2');
  const um = await h.ua(UM_ADDRESS);
  const { dialog } = await phone.subscribe({ expires: 3600 });
  assert.ok(dialog);
  const first = await phone.takeNotify();
  return { phone, um, dialog, first };
}

const branch = (m: SipRequest | SipResponse): string => m.vias[0]?.params.get('branch') ?? '';

/** Advance the clock by `ms` and return what reached the phone; every message must be a retransmission of `of`. */
async function onlyRetransmissions(h: Harness, phone: Phone, of: SipRequest, ms: number): Promise<number> {
  h.clock.advance(ms);
  const got = await phone.ua.drain();
  for (const m of got) {
    assert.ok(m instanceof SipRequest, 'only requests');
    assert.equal(branch(m), branch(of), `a retransmission of CSeq ${of.cseq.seq}, not ${m.cseq.seq}`);
    assert.equal(m.cseq.seq, of.cseq.seq);
  }
  return got.length;
}

/**
 * Advance the clock in 250 ms steps until a NOTIFY other than a
 * retransmission of `of` arrives; returns it and how long that took.
 */
async function nextNewNotify(
  h: Harness,
  phone: Phone,
  of: SipRequest,
  maxMs: number,
): Promise<{ req: SipRequest; waited: number }> {
  for (let waited = 0; waited <= maxMs; waited += 250) {
    for (const m of await phone.ua.drain()) {
      assert.ok(m instanceof SipRequest && m.method === 'NOTIFY', 'only NOTIFYs');
      if (branch(m) !== branch(of)) return { req: m, waited };
    }
    h.clock.advance(250);
  }
  throw new Error(`no new NOTIFY within ${maxMs} ms`);
}

/** A retry comes `want` ms later (the expiry wheel ticks once a second: up to 1 s late, never early). */
function assertRetryDelay(waited: number, want: number): void {
  assert.ok(waited >= want && waited <= want + 1_000, `retry after ${waited} ms, want ${want} ms`);
}

describe('NOTIFY delivery: 481, timeouts and the retry policy, coalescing (RFC 6665 section 4.2.2, notify-policy.ts)', () => {
  test('a NOTIFY answered 481 ends the subscription: no more NOTIFYs, the dialog is gone', async () => {
    const h = await startServer();
    const { phone, um, dialog } = await subscribed(h);
    await umSets(h, um, 1, 0);
    const n = await phone.nextNotify();
    await phone.answer(n, 481, 'Call/Transaction Does Not Exist');
    await phone.ua.settle();
    assert.equal(h.svc.notifier.size, 0);
    assert.equal(h.storage.countSubscriptions(), 0);
    await phone.expectSilence('no final NOTIFY to a subscriber that forgot the dialog');
    await umSets(h, um, 2, 0);
    await phone.expectSilence('no NOTIFY after 481');
    assert.equal((await dialog.refresh(600)).status, 481);
    await h.shutdown();
  });

  test('a NOTIFY that is never answered (Timer F) keeps the subscription and is retried 5 s later with the latest state; a change during the back-off goes out at once', async () => {
    const h = await startServer();
    const { phone, um, dialog, first } = await subscribed(h);
    await umSets(h, um, 8, 3);
    const lost = await phone.nextNotify(); // never answered
    assert.equal(lost.cseq.seq, first.cseq.seq + 1);

    // Timer E retransmits the same request until Timer F gives up; the subscription stays.
    const retransmits = await onlyRetransmissions(h, phone, lost, TIMER_F);
    assert.ok(retransmits >= 5, `${retransmits} retransmissions`);
    assert.equal(h.svc.notifier.size, 1, 'a timeout does not end the subscription');
    assert.equal(h.storage.countSubscriptions(), 1);

    // The retry: a new transaction with the next CSeq, the latest state, about 5 s after Timer F.
    const { req: retry1, waited } = await nextNewNotify(h, phone, lost, 60_000);
    assertRetryDelay(waited, RETRY_BACKOFF_MS[0]!);
    assertInDialog(retry1, dialog);
    assert.notEqual(branch(retry1), branch(lost), 'a new transaction');
    assert.equal(retry1.cseq.seq, lost.cseq.seq + 1);
    assert.deepEqual(lampOf(retry1), { waiting: true, new: 8, old: 3, urgentNew: 0, urgentOld: 0 });
    assert.match(retry1.getHeader('Subscription-State') ?? '', /^active;expires=\d+$/);

    // Lost again; during the back-off the lamp changes: that goes out at once, and is delivered.
    await onlyRetransmissions(h, phone, retry1, TIMER_F);
    assert.equal(h.svc.notifier.size, 1);
    await umSets(h, um, 9, 3);
    const change = await phone.nextNotify();
    assert.equal(change.cseq.seq, retry1.cseq.seq + 1);
    assert.deepEqual(lampOf(change), { waiting: true, new: 9, old: 3, urgentNew: 0, urgentOld: 0 });
    await phone.answer(change);
    h.clock.advance(RETRY_BACKOFF_MS[1]! + 2_000);
    await phone.expectSilence('nothing left to retry once delivered');
    await h.shutdown();
  });

  test('consecutive timeouts back off: the first retry 5 s after Timer F, the second 30 s after it; a delivery resets the back-off', async () => {
    assert.deepEqual(RETRY_BACKOFF_MS.slice(0, 2), [5_000, 30_000], 'the policy this test checks');
    const h = await startServer();
    const { phone, um } = await subscribed(h);
    await umSets(h, um, 1, 1);
    const lost1 = await phone.nextNotify();
    const a = await nextNewNotify(h, phone, lost1, 120_000);
    assertRetryDelay(a.waited, TIMER_F + RETRY_BACKOFF_MS[0]!);
    const b = await nextNewNotify(h, phone, a.req, 120_000);
    assertRetryDelay(b.waited, TIMER_F + RETRY_BACKOFF_MS[1]!);
    assert.equal(b.req.cseq.seq, lost1.cseq.seq + 2);
    assert.deepEqual(lampOf(b.req), { waiting: true, new: 1, old: 1, urgentNew: 0, urgentOld: 0 });
    assert.equal(h.svc.notifier.size, 1);
    await phone.answer(b.req);
    // Delivered: the next change goes out at once, and a loss of it waits only the first step again.
    await umSets(h, um, 2, 1);
    const next = await phone.nextNotify();
    assert.equal(next.cseq.seq, b.req.cseq.seq + 1);
    const c = await nextNewNotify(h, phone, next, 120_000);
    assertRetryDelay(c.waited, TIMER_F + RETRY_BACKOFF_MS[0]!);
    await phone.answer(c.req);
    await phone.expectSilence();
    await h.shutdown();
  });

  test('408 is retried like a timeout; 503 honours a longer Retry-After; a refresh during the back-off sends the state at once', async () => {
    const h = await startServer();
    const { phone, um, dialog } = await subscribed(h);
    await umSets(h, um, 4, 0);
    await phone.answer(await phone.nextNotify(), 408, 'Request Timeout');
    await phone.ua.settle();
    assert.equal(h.svc.notifier.size, 1);
    h.clock.advance(RETRY_BACKOFF_MS[0]! + 1_000);
    const after408 = await phone.nextNotify();
    assert.deepEqual(lampOf(after408), { waiting: true, new: 4, old: 0, urgentNew: 0, urgentOld: 0 });
    await phone.answer(after408, 503, 'Service Unavailable', [['Retry-After', '120']]);
    await phone.ua.settle();
    assert.equal(h.svc.notifier.size, 1);
    h.clock.advance(60_000);
    await phone.expectSilence('no retry before Retry-After');
    // The subscriber refreshes: the full state at once, whatever the back-off.
    const ok = await dialog.refresh(600);
    assert.equal(ok.status, 200);
    const now = await phone.takeNotify();
    assert.equal(now.getHeader('Subscription-State'), 'active;expires=600');
    assert.deepEqual(lampOf(now), { waiting: true, new: 4, old: 0, urgentNew: 0, urgentOld: 0 });
    h.clock.advance(120_000);
    await phone.expectSilence('the refresh delivered the state: no retry pending');
    await h.shutdown();
  });

  test('several changes while a NOTIFY is in flight coalesce into ONE more NOTIFY with the latest counts', async () => {
    const h = await startServer();
    const { phone, um, dialog } = await subscribed(h);
    await umSets(h, um, 1, 0);
    const inFlight = await phone.nextNotify();
    assert.deepEqual(lampOf(inFlight), { waiting: true, new: 1, old: 0, urgentNew: 0, urgentOld: 0 });
    await umSets(h, um, 2, 0);
    await umSets(h, um, 3, 1);
    await umSets(h, um, 5, 2);
    assert.equal((await phone.ua.drain()).length, 0, 'at most one NOTIFY in flight per subscription');
    await phone.answer(inFlight);
    const latest = await phone.takeNotify();
    assertInDialog(latest, dialog);
    assert.equal(latest.cseq.seq, inFlight.cseq.seq + 1);
    assert.deepEqual(lampOf(latest), { waiting: true, new: 5, old: 2, urgentNew: 0, urgentOld: 0 });
    await phone.expectSilence('exactly one NOTIFY for the three changes');
    assert.equal(h.svc.mwi.get('alice').version, 4);
    await h.shutdown();
  });
});
