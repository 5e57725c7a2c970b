import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SipRequest } from '../../src/sip/message/index.js';
import type { LoopbackUa } from '../support/loopback-ua.js';
import {
  DOMAIN,
  UM_ADDRESS,
  assertInDialog,
  exchange,
  exchangeNotifyText,
  lampOf,
  startServer,
  summaryBody,
  type Harness,
  type Phone,
} from '../support/mwi-harness.js';

async function umSets(h: Harness, um: LoopbackUa, nw: number, old: number): Promise<void> {
  const res = await exchange(um, h.server, exchangeNotifyText(um.local, { body: summaryBody(nw, old) }));
  assert.equal(res.status, 200, res.reason);
}

/** An unsolicited NOTIFY (PROTOCOLS.md section 2): outside any dialog, no To tag, Event: message-summary, to the contact. */
function assertUnsolicited(n: SipRequest, phone: Phone): void {
  assert.equal(n.method, 'NOTIFY');
  assert.equal(n.to.params.get('tag'), undefined, 'no To tag: out of dialog');
  assert.equal(n.to.uri.toString(), `sip:${phone.user}@${DOMAIN}`);
  assert.equal(n.uri.toString(), phone.uri, 'sent to the registered contact');
  assert.equal(n.getHeader('Event'), 'message-summary');
  assert.match(n.getHeader('Subscription-State') ?? '', /^(active|terminated)\b/);
}

const lamp = (nw: number, old: number) => ({ waiting: nw > 0, new: nw, old, urgentNew: 0, urgentOld: 0 });

async function registered(h: Harness, address: string, callId = `reg-${address}`): Promise<Phone> {
  const phone = await h.phone(address);
  const res = await phone.register({ callId, expires: 600 });
  assert.equal(res.status, 200, res.reason);
  return phone;
}

describe('unsolicited MWI to registered contacts (PROTOCOLS.md section 2)', () => {
  test('a new registration gets the current state (paced, after the clock moves), and every lamp change an out-of-dialog NOTIFY', async () => {
    const h = await startServer();
    const um = await h.ua(UM_ADDRESS);
    await umSets(h, um, 2, 0); // nobody registered yet: nothing to send
    const phone = await registered(h, '10.0.0.2');
    await phone.expectSilence('the re-send is paced: nothing before the clock moves');
    h.clock.advance(100);
    const onRegister = await phone.takeNotify();
    assertUnsolicited(onRegister, phone);
    assert.deepEqual(lampOf(onRegister), lamp(2, 0));

    await umSets(h, um, 8, 3);
    const change = await phone.takeNotify();
    assertUnsolicited(change, phone);
    assert.deepEqual(lampOf(change), lamp(8, 3));
    assert.notEqual(
      change.callId,
      onRegister.callId,
      'each unsolicited NOTIFY is its own transaction outside any dialog',
    );
    await phone.expectSilence();
    await h.shutdown();
  });

  test('re-sends on registration are paced: a wave of registrations does not go out at once', async () => {
    const h = await startServer({ resendRatePerSecond: 50 }); // one per 20 ms tick
    const phones: Phone[] = [];
    for (let i = 0; i < 5; i++) phones.push(await registered(h, `10.0.1.${i + 1}`));
    const arrived = async (): Promise<number> => {
      let n = 0;
      for (const p of phones) {
        for (const m of await p.ua.drain()) {
          assert.ok('method' in m && m.method === 'NOTIFY');
          await p.answer(m);
          n++;
        }
      }
      return n;
    };
    h.clock.advance(0);
    assert.equal(await arrived(), 1, 'one in the first tick');
    h.clock.advance(20);
    assert.equal(await arrived(), 1, 'one more per tick');
    h.clock.advance(60);
    assert.equal(await arrived(), 3, 'the rest');
    h.clock.advance(1_000);
    assert.equal(await arrived(), 0, 'each contact once');
    await h.shutdown();
  });

  for (const [status, reason] of [
    [489, 'Bad Event'],
    [405, 'Method Not Allowed'],
    [501, 'Not Implemented'],
  ] as const) {
    test(`a contact that answers ${status} gets no unsolicited NOTIFY again until it registers anew (after removal)`, async () => {
      const h = await startServer();
      const um = await h.ua(UM_ADDRESS);
      const phone = await registered(h, '10.0.0.2', 'reg-a');
      h.clock.advance(100);
      await phone.answer(await phone.nextNotify(), status, reason);
      await umSets(h, um, 1, 0);
      await phone.expectSilence(`no NOTIFY after ${status}`);
      // A refresh of the same registration changes nothing.
      assert.equal((await phone.register({ callId: 'reg-a', expires: 600 })).status, 200);
      h.clock.advance(100);
      await umSets(h, um, 2, 0);
      await phone.expectSilence('a refresh is not a new registration');
      // Removed, then registered again: the current state, and changes, reach it again.
      assert.equal((await phone.register({ callId: 'reg-a', expires: 0 })).status, 200);
      assert.equal(h.svc.registrar.lookup('alice').length, 0);
      assert.equal((await phone.register({ callId: 'reg-a', expires: 600 })).status, 200);
      h.clock.advance(100);
      const back = await phone.takeNotify();
      assertUnsolicited(back, phone);
      assert.deepEqual(lampOf(back), lamp(2, 0));
      await umSets(h, um, 3, 0);
      assert.deepEqual(lampOf(await phone.takeNotify()), lamp(3, 0));
      await h.shutdown();
    });
  }

  // A REGISTER of a known contact with a NEW Call-ID (RFC 3261 section 10.2.4: a new boot cycle of the phone) is a new
  // registration: it lifts the 489 ban and gets the state again.
  test('a contact that answered 489 and registers anew with a new Call-ID (a rebooted phone) gets the state again', async () => {
    const h = await startServer();
    const um = await h.ua(UM_ADDRESS);
    const phone = await registered(h, '10.0.0.2', 'boot-1');
    h.clock.advance(100);
    await phone.answer(await phone.nextNotify(), 489, 'Bad Event');
    await umSets(h, um, 1, 0);
    await phone.expectSilence();
    // The phone reboots: same contact, new Call-ID (RFC 3261 section 10.2.4: a new registration).
    assert.equal((await phone.register({ callId: 'boot-2', expires: 600 })).status, 200);
    h.clock.advance(100);
    const fresh = await phone.takeNotify();
    assertUnsolicited(fresh, phone);
    assert.deepEqual(lampOf(fresh), lamp(1, 0));
    await h.shutdown();
  });

  test('a contact that also holds a subscription gets only the in-dialog NOTIFY; another contact of the user gets the unsolicited one', async () => {
    const h = await startServer();
    const um = await h.ua(UM_ADDRESS);
    const subscriber = await h.phone('10.0.0.2');
    const { dialog } = await subscriber.subscribe({ expires: 3600 });
    assert.ok(dialog);
    await subscriber.takeNotify();
    assert.equal((await subscriber.register({ callId: 'reg-s', expires: 600 })).status, 200);
    const plain = await registered(h, '10.0.0.3');
    h.clock.advance(100);
    await subscriber.expectSilence('its subscription already has the state');
    assertUnsolicited(await plain.takeNotify(), plain);

    await umSets(h, um, 4, 2);
    const inDialog = await subscriber.takeNotify();
    assertInDialog(inDialog, dialog);
    assert.deepEqual(lampOf(inDialog), lamp(4, 2));
    const unsolicited = await plain.takeNotify();
    assertUnsolicited(unsolicited, plain);
    assert.deepEqual(lampOf(unsolicited), lamp(4, 2));
    await subscriber.expectSilence('exactly one NOTIFY per change');
    await plain.expectSilence();

    // The subscription ends: the contact falls back to unsolicited NOTIFYs.
    assert.equal((await dialog.refresh(0)).status, 200);
    await subscriber.takeNotify(); // terminated;reason=timeout
    await umSets(h, um, 5, 2);
    const fallback = await subscriber.takeNotify();
    assertUnsolicited(fallback, subscriber);
    assert.deepEqual(lampOf(fallback), lamp(5, 2));
    await plain.takeNotify();
    await h.shutdown();
  });

  test('changes while an unsolicited NOTIFY is in flight coalesce into one more with the latest counts', async () => {
    const h = await startServer();
    const um = await h.ua(UM_ADDRESS);
    const phone = await registered(h, '10.0.0.2');
    h.clock.advance(100);
    await phone.takeNotify();
    await umSets(h, um, 1, 0);
    const held = await phone.nextNotify();
    await umSets(h, um, 2, 0);
    await umSets(h, um, 6, 1);
    assert.equal((await phone.ua.drain()).length, 0, 'one in flight per contact');
    await phone.answer(held);
    const latest = await phone.takeNotify();
    assertUnsolicited(latest, phone);
    assert.deepEqual(lampOf(latest), lamp(6, 1));
    await phone.expectSilence();
    await h.shutdown();
  });

  test('a contact that unregistered or whose binding expired gets nothing', async () => {
    const h = await startServer();
    const um = await h.ua(UM_ADDRESS);
    const gone = await registered(h, '10.0.0.2', 'reg-gone');
    const brief = await h.phone('10.0.0.3');
    assert.equal((await brief.register({ callId: 'reg-brief', expires: 60 })).status, 200);
    h.clock.advance(100);
    await gone.takeNotify();
    await brief.takeNotify();
    assert.equal((await gone.register({ callId: 'reg-gone', expires: 0 })).status, 200);
    h.clock.advance(61_000);
    await umSets(h, um, 7, 0);
    await gone.expectSilence('unregistered');
    await brief.expectSilence('expired');
    await h.shutdown();
  });
});

describe('registration grace (MwiFanout.registrationGraceMs)', () => {
  test('a phone that subscribes within the grace after registering gets only its in-dialog NOTIFY; one that does not gets the unsolicited state after it', async () => {
    const h = await startServer({ registrationGraceMs: 2000 });
    const subscriber = await h.phone('10.0.0.2');
    const plain = await h.phone('10.0.0.3');
    assert.equal((await subscriber.register({ callId: 'grace-1' })).status, 200);
    assert.equal((await plain.register({ callId: 'grace-2' })).status, 200);
    const { res } = await subscriber.subscribe();
    assert.equal(res.status, 200);
    const inDialog = await subscriber.nextNotify();
    assert.ok(inDialog.to.params.get('tag'), 'the in-dialog NOTIFY');
    await subscriber.answer(inDialog);
    h.clock.advance(1000);
    await plain.expectSilence('an unsolicited NOTIFY before the grace ran out');
    h.clock.advance(1100);
    const unsolicited = await plain.nextNotify();
    assert.equal(unsolicited.to.params.get('tag'), undefined, 'out of dialog');
    await plain.answer(unsolicited);
    await subscriber.expectSilence('an unsolicited NOTIFY on top of the subscription');
    await h.shutdown();
  });
});
