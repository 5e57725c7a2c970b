import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
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
} from '../support/mwi-harness.js';

/** The trusted voicemail system sets alice's counts. */
async function umSets(h: Harness, um: LoopbackUa, nw: number, old: number): Promise<void> {
  const res = await exchange(um, h.server, exchangeNotifyText(um.local, { body: summaryBody(nw, old) }));
  assert.equal(res.status, 200, res.reason);
}

describe('message-summary subscription lifecycle (RFC 6665 section 4, RFC 3842)', () => {
  test('create: 200 with To tag and Expires, then a full-state NOTIFY in the dialog; a refresh (CSeq+1, To tag) sends the full state again and moves the expiry', async () => {
    const h = await startServer();
    const phone = await h.phone('10.0.0.2');
    const um = await h.ua(UM_ADDRESS);
    await umSets(h, um, 2, 5);

    const { res, dialog } = await phone.subscribe({ expires: 600 });
    assert.equal(res.status, 200, res.reason);
    assert.ok(dialog, 'the 200 carries a To tag');
    assert.equal(res.getHeader('Expires'), '600');
    assert.ok(res.getHeader('Contact'), 'RFC 6665 section 4.2.1: the 200 carries a Contact');
    const first = await phone.takeNotify();
    assertInDialog(first, dialog);
    assert.equal(first.getHeader('Subscription-State'), 'active;expires=600');
    assert.deepEqual(lampOf(first), { waiting: true, new: 2, old: 5, urgentNew: 0, urgentOld: 0 });
    const seq1 = first.cseq.seq;
    assert.equal(h.svc.notifier.size, 1);
    assert.equal(h.storage.countSubscriptions(), 1, 'kept in storage');

    // A change of state: a NOTIFY with the next CSeq.
    await umSets(h, um, 8, 3);
    const change = await phone.takeNotify();
    assertInDialog(change, dialog);
    assert.equal(change.cseq.seq, seq1 + 1);
    assert.deepEqual(lampOf(change), { waiting: true, new: 8, old: 3, urgentNew: 0, urgentOld: 0 });

    // Refresh 100 s later for 300 s: 200 in the same dialog, then the full state at once.
    h.clock.advance(100_000);
    await phone.expectSilence('no NOTIFY while nothing changes');
    const refreshed = await dialog.refresh(300);
    assert.equal(refreshed.status, 200, refreshed.reason);
    assert.equal(refreshed.to.params.get('tag'), dialog.toTag, 'same dialog');
    assert.equal(refreshed.getHeader('Expires'), '300');
    const again = await phone.takeNotify();
    assertInDialog(again, dialog);
    assert.equal(again.cseq.seq, seq1 + 2);
    assert.equal(again.getHeader('Subscription-State'), 'active;expires=300');
    assert.deepEqual(lampOf(again), { waiting: true, new: 8, old: 3, urgentNew: 0, urgentOld: 0 });

    // The refresh moved the expiry: 300 s from the refresh, not 600 s from the start.
    h.clock.advance(299_000);
    await phone.expectSilence();
    assert.equal(h.svc.notifier.size, 1);
    h.clock.advance(2_000);
    const last = await phone.takeNotify();
    assertInDialog(last, dialog);
    assert.equal(last.getHeader('Subscription-State'), 'terminated;reason=timeout');
    assert.equal(h.svc.notifier.size, 0);
    await h.shutdown();
  });

  test('a refresh with a lower CSeq is refused and changes nothing (RFC 3261 section 12.2.2)', async () => {
    const h = await startServer();
    const phone = await h.phone('10.0.0.2');
    const { dialog } = await phone.subscribe({ expires: 600 });
    assert.ok(dialog);
    await phone.takeNotify();
    dialog.cseq -= 2; // the refresh below has a CSeq lower than the accepted SUBSCRIBE's
    const stale = await dialog.refresh(60);
    assert.ok(stale.status >= 400, `got ${stale.status}`);
    await phone.expectSilence('no NOTIFY for a refused refresh');
    // Still the original expiry: alive after 61 s.
    h.clock.advance(61_000);
    assert.equal(h.svc.notifier.size, 1);
    await phone.expectSilence();
    await h.shutdown();
  });

  test('no Expires: the package default 3600 s; too long: shortened to the maximum', async () => {
    const h = await startServer();
    const phone = await h.phone('10.0.0.2');
    const plain = await phone.subscribe({ expires: null });
    assert.equal(plain.res.status, 200);
    assert.equal(plain.res.getHeader('Expires'), '3600');
    assert.equal((await phone.takeNotify()).getHeader('Subscription-State'), 'active;expires=3600');
    const long = await phone.subscribe({ expires: 10_000_000 });
    assert.equal(long.res.status, 200);
    const granted = Number(long.res.getHeader('Expires'));
    assert.ok(granted > 0 && granted < 10_000_000, `granted ${granted}`);
    assert.equal((await phone.takeNotify()).getHeader('Subscription-State'), `active;expires=${granted}`);
    await h.shutdown();
  });

  test('unsubscribe (Expires: 0 in the dialog): 200, then a final NOTIFY terminated;reason=timeout with the state; the subscription is gone', async () => {
    const h = await startServer();
    const phone = await h.phone('10.0.0.2');
    const um = await h.ua(UM_ADDRESS);
    await umSets(h, um, 1, 0);
    const { dialog } = await phone.subscribe({ expires: 600 });
    assert.ok(dialog);
    const first = await phone.takeNotify();

    const bye = await dialog.refresh(0);
    assert.equal(bye.status, 200, 'the 200 comes before the final NOTIFY');
    assert.equal(bye.getHeader('Expires'), '0');
    const final = await phone.takeNotify();
    assertInDialog(final, dialog);
    assert.equal(final.cseq.seq, first.cseq.seq + 1);
    assert.equal(final.getHeader('Subscription-State'), 'terminated;reason=timeout');
    assert.deepEqual(lampOf(final), { waiting: true, new: 1, old: 0, urgentNew: 0, urgentOld: 0 });
    assert.equal(h.svc.notifier.size, 0);
    assert.equal(h.storage.countSubscriptions(), 0);

    // Nothing more reaches the phone; the dialog is unknown now.
    await umSets(h, um, 4, 0);
    await phone.expectSilence('no NOTIFY after unsubscribing');
    const late = await dialog.refresh(600);
    assert.equal(late.status, 481);
    await phone.expectSilence();
    await h.shutdown();
  });

  test('fetch (Expires: 0 on a new SUBSCRIBE): 200, one NOTIFY terminated;reason=timeout with the current state, nothing kept', async () => {
    const h = await startServer();
    const phone = await h.phone('10.0.0.2');
    const um = await h.ua(UM_ADDRESS);
    await umSets(h, um, 8, 3);
    const { res, dialog } = await phone.subscribe({ expires: 0 });
    assert.equal(res.status, 200);
    assert.equal(res.getHeader('Expires'), '0');
    assert.ok(dialog);
    const n = await phone.takeNotify();
    assertInDialog(n, dialog);
    assert.equal(n.getHeader('Subscription-State'), 'terminated;reason=timeout');
    assert.deepEqual(lampOf(n), { waiting: true, new: 8, old: 3, urgentNew: 0, urgentOld: 0 });
    assert.equal(h.svc.notifier.size, 0);
    assert.equal(h.storage.countSubscriptions(), 0);
    await umSets(h, um, 9, 3);
    await phone.expectSilence('a fetch is no subscription');
    await h.shutdown();
  });

  test('expiry: advance past it and the final NOTIFY says terminated;reason=timeout; the subscription is gone', async () => {
    const h = await startServer();
    const phone = await h.phone('10.0.0.2');
    const um = await h.ua(UM_ADDRESS);
    const { res, dialog } = await phone.subscribe({ expires: 60 });
    assert.equal(res.getHeader('Expires'), '60');
    assert.ok(dialog);
    assert.equal((await phone.takeNotify()).getHeader('Subscription-State'), 'active;expires=60');

    h.clock.advance(30_000);
    await umSets(h, um, 3, 0);
    const mid = await phone.takeNotify();
    assert.equal(mid.getHeader('Subscription-State'), 'active;expires=30', 'the time left');
    h.clock.advance(29_000);
    await phone.expectSilence();
    assert.equal(h.svc.notifier.size, 1);
    h.clock.advance(2_000);
    const final = await phone.takeNotify();
    assertInDialog(final, dialog);
    assert.equal(final.getHeader('Subscription-State'), 'terminated;reason=timeout');
    assert.deepEqual(lampOf(final), { waiting: true, new: 3, old: 0, urgentNew: 0, urgentOld: 0 });
    assert.equal(h.svc.notifier.size, 0);
    assert.equal(h.storage.countSubscriptions(), 0);
    await umSets(h, um, 4, 0);
    await phone.expectSilence('no NOTIFY after expiry');
    assert.equal((await dialog.refresh(600)).status, 481, 'an expired dialog is unknown');
    await h.shutdown();
  });
});
