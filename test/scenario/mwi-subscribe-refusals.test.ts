import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fresh, startServer, type Harness, type Phone } from '../support/mwi-harness.js';

/** Nothing was created and nothing was sent (PROTOCOLS.md "Bad input": none of them changes any state). */
async function assertNoSubscription(h: Harness, phone: Phone): Promise<void> {
  assert.equal(h.svc.notifier.size, 0);
  assert.equal(h.storage.countSubscriptions(), 0);
  await phone.expectSilence('no NOTIFY after a refused SUBSCRIBE');
}

describe('SUBSCRIBE refusals (RFC 6665 sections 4.2.1.1-4.2.1.2, RFC 3261 section 21)', () => {
  test('Expires below the minimum: 423 with Min-Expires', async () => {
    const h = await startServer();
    const phone = await h.phone('10.0.0.2');
    const { res } = await phone.subscribe({ expires: 30 });
    assert.equal(res.status, 423);
    assert.equal(res.getHeader('Min-Expires'), '60');
    await assertNoSubscription(h, phone);
    // The minimum itself is fine.
    assert.equal((await phone.subscribe({ expires: 60 })).res.status, 200);
    assert.equal((await phone.takeNotify()).getHeader('Subscription-State'), 'active;expires=60');
    await h.shutdown();
  });

  test('an unknown event package and a missing Event: 489 with Allow-Events', async () => {
    const h = await startServer();
    const phone = await h.phone('10.0.0.2');
    for (const event of ['presence', 'message-summary-x', null]) {
      const { res } = await phone.subscribe({ event });
      assert.equal(res.status, 489, `Event: ${event}`);
      const allow = res.getHeaderList('Allow-Events');
      assert.ok(allow.includes('message-summary'), `Allow-Events: ${allow.join(', ')}`);
    }
    await assertNoSubscription(h, phone);
    // Event tokens are case-insensitive (RFC 6665 section 8.2.1).
    assert.equal((await phone.subscribe({ event: 'Message-Summary' })).res.status, 200);
    await h.shutdown();
  });

  test('an Accept without our type: 406 (with the types we can send); one that lists it, or none at all, is fine', async () => {
    const h = await startServer();
    const phone = await h.phone('10.0.0.2');
    const { res } = await phone.subscribe({ accept: 'application/pidf+xml' });
    assert.equal(res.status, 406);
    assert.match(res.getHeader('Accept') ?? '', /application\/simple-message-summary/);
    await assertNoSubscription(h, phone);
    assert.equal(
      (await phone.subscribe({ accept: 'application/pidf+xml, application/simple-message-summary' })).res.status,
      200,
    );
    await phone.takeNotify();
    assert.equal((await phone.subscribe({ accept: null })).res.status, 200);
    await phone.takeNotify();
    assert.equal(h.svc.notifier.size, 2);
    await h.shutdown();
  });

  test('an in-dialog SUBSCRIBE of a dialog we do not know: 481', async () => {
    const h = await startServer();
    const phone = await h.phone('10.0.0.2');
    await phone.ua.send(h.server, phone.subscribeText({ toTag: fresh('nosuch'), cseq: 7, expires: 600 }));
    const res = await phone.ua.nextResponse();
    assert.equal(res.status, 481);
    await assertNoSubscription(h, phone);
    // A known Call-ID with a wrong To tag is no better.
    const { dialog } = await phone.subscribe({ expires: 600 });
    assert.ok(dialog);
    await phone.takeNotify();
    await phone.ua.send(
      h.server,
      phone.subscribeText({ callId: dialog.callId, fromTag: dialog.fromTag, toTag: 'wrong', cseq: 9 }),
    );
    assert.equal((await phone.ua.nextResponse()).status, 481);
    await phone.expectSilence();
    assert.equal(h.svc.notifier.size, 1);
    await h.shutdown();
  });

  test("another user's mailbox: 403; an unknown user: 404; a user whose MWI is off: 403 with a reason; an extension reaches the mailbox", async () => {
    const h = await startServer();
    const alice = await h.phone('10.0.0.2');
    const other = await alice.subscribe({ target: 'bob' });
    assert.equal(other.res.status, 403);
    const unknown = await alice.subscribe({ target: 'nobody' });
    assert.equal(unknown.res.status, 404);
    await assertNoSubscription(h, alice);

    const carol = await h.phone('10.0.0.3', 'carol');
    const off = await carol.subscribe();
    assert.equal(off.res.status, 403);
    assert.match(off.res.reason, /message waiting|MWI/i, off.res.reason);
    await assertNoSubscription(h, carol);

    const ext = await alice.subscribe({ target: '1001' });
    assert.equal(ext.res.status, 200);
    assert.equal([...h.svc.notifier.subscriptionsOf('message-summary', 'alice')].length, 1);
    await alice.takeNotify();
    await h.shutdown();
  });

  test('without credentials: 401 with a challenge, and nothing is created', async () => {
    const h = await startServer();
    const phone = await h.phone('10.0.0.2');
    await phone.ua.send(h.server, phone.subscribeText({ expires: 600 }));
    const res = await phone.ua.nextResponse();
    assert.equal(res.status, 401);
    assert.match(res.getHeader('WWW-Authenticate') ?? '', /^Digest /);
    await assertNoSubscription(h, phone);
    await h.shutdown();
  });
});
