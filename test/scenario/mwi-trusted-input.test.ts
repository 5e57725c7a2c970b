import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DOMAIN,
  PUBLISHER_ADDRESS,
  STRANGER_ADDRESS,
  UM_ADDRESS,
  exchange,
  exchangeNotifyText,
  lampOf,
  publishText,
  startServer,
  summaryBody,
  type Harness,
  type Phone,
} from '../support/mwi-harness.js';

/** alice's phone, subscribed, first NOTIFY read. */
async function subscribedPhone(h: Harness): Promise<Phone> {
  const phone = await h.phone('10.0.0.2');
  const { res } = await phone.subscribe({ expires: 3600 });
  assert.equal(res.status, 200);
  assert.equal(lampOf(await phone.takeNotify()).new, 0);
  return phone;
}

const lamp = (nw: number, old: number) => ({ waiting: nw > 0, new: nw, old, urgentNew: 0, urgentOld: 0 });

describe('trusted MWI input: an Exchange UM NOTIFY out of dialog (PROTOCOLS.md section 3)', () => {
  test('from a trusted address: 200, and the subscriber sees Voice-Message: 8/3', async () => {
    const h = await startServer();
    const phone = await subscribedPhone(h);
    const um = await h.ua(UM_ADDRESS);
    // As in the field: no Content-Length (allowed over UDP, RFC 3261 section 18.3).
    const text = exchangeNotifyText(um.local, { noContentLength: true });
    assert.match(text, /Voice-Message: 8\/3/);
    assert.doesNotMatch(text, /Content-Length/);
    const res = await exchange(um, h.server, text);
    assert.equal(res.status, 200, res.reason);
    const n = await phone.takeNotify();
    assert.deepEqual(lampOf(n), lamp(8, 3));
    assert.match(
      n.body.toString(),
      new RegExp(`^Messages-Waiting: yes\\r\\nMessage-Account: sip:alice@${DOMAIN}\\r\\n`),
    );
    const st = h.svc.mwi.get('alice');
    assert.deepEqual(st.counts, { new: 8, old: 3, urgentNew: 0, urgentOld: 0 });
    assert.equal(st.version, 1);
    assert.ok(h.svc.mwi.source('alice', `sip:${UM_ADDRESS}`), 'kept as the counts of that peer');
    // The same counts again: no change, no NOTIFY.
    assert.equal((await exchange(um, h.server, exchangeNotifyText(um.local))).status, 200);
    await phone.expectSilence('no NOTIFY when the lamp does not change');
    assert.equal(h.svc.mwi.get('alice').version, 1);
    // An extension reaches the same mailbox.
    const viaExt = exchangeNotifyText(um.local, { body: summaryBody(2, 0) }).replace(
      `NOTIFY sip:alice@`,
      'NOTIFY sip:1001@',
    );
    assert.equal((await exchange(um, h.server, viaExt)).status, 200);
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(2, 0));
    await h.shutdown();
  });

  test('from an untrusted address: 403 and nothing changes (a spoofed NOTIFY lights no lamp)', async () => {
    const h = await startServer();
    const phone = await subscribedPhone(h);
    const um = await h.ua(UM_ADDRESS);
    assert.equal((await exchange(um, h.server, exchangeNotifyText(um.local, { body: summaryBody(1, 0) }))).status, 200);
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(1, 0));
    const stranger = await h.ua(STRANGER_ADDRESS);
    for (const user of ['alice', 'bob', 'nobody']) {
      const res = await exchange(
        stranger,
        h.server,
        exchangeNotifyText(stranger.local, { user, body: summaryBody(9, 9) }),
      );
      assert.equal(res.status, 403, `${user}: strangers learn nothing, not even whether the user exists`);
    }
    // Not even with the subscriber's own address as a neighbour: the source address decides.
    const res = await exchange(phone.ua, h.server, exchangeNotifyText(phone.ua.local, { body: summaryBody(0, 0) }));
    assert.equal(res.status, 403);
    await phone.expectSilence('no NOTIFY after a refused input');
    assert.deepEqual(h.svc.mwi.get('alice').counts, { new: 1, old: 0, urgentNew: 0, urgentOld: 0 });
    assert.equal(h.svc.mwi.get('alice').version, 1);
    assert.equal(h.svc.mwi.get('bob').version, 0);
    await h.shutdown();
  });

  test("unknown user: 404; a user whose MWI is off: 403 with a reason, and nothing is sent to that user's endpoints", async () => {
    const h = await startServer();
    const um = await h.ua(UM_ADDRESS);
    const unknown = await exchange(um, h.server, exchangeNotifyText(um.local, { user: 'nobody' }));
    assert.equal(unknown.status, 404);

    const carol = await h.phone('10.0.0.5', 'carol');
    assert.equal((await carol.register({ callId: 'carol-reg', expires: 600 })).status, 200);
    h.clock.advance(1_000);
    await carol.expectSilence('no unsolicited NOTIFY to a user with MWI off');
    const off = await exchange(
      um,
      h.server,
      exchangeNotifyText(um.local, { user: 'carol', body: summaryBody(3, 0, `sip:carol@${DOMAIN}`) }),
    );
    assert.equal(off.status, 403);
    assert.match(off.reason, /message waiting|MWI/i, off.reason);
    h.clock.advance(1_000);
    await carol.expectSilence('nothing sent to endpoints');
    assert.equal(h.svc.mwi.get('carol').version, 0);
    assert.equal(h.svc.mwi.get('carol').counts.new, 0);
    await h.shutdown();
  });

  test('bad input: a malformed body 400 with a reason, another body type 415, another event 489, a To tag (in-dialog, unknown) 481; nothing changes', async () => {
    const h = await startServer();
    const phone = await subscribedPhone(h);
    const um = await h.ua(UM_ADDRESS);
    for (const body of [
      'Voice-Message: 8/3\r\n',
      'Messages-Waiting: perhaps\r\n',
      'Messages-Waiting: yes\r\nVoice-Message: eight/3\r\n',
      '',
    ]) {
      const res = await exchange(um, h.server, exchangeNotifyText(um.local, { body }));
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.reason, /message-summary/i, res.reason);
    }
    const pidf = await exchange(um, h.server, exchangeNotifyText(um.local, { contentType: 'application/pidf+xml' }));
    assert.equal(pidf.status, 415);
    const presence = await exchange(
      um,
      h.server,
      exchangeNotifyText(um.local).replace('Event: message-summary', 'Event: presence'),
    );
    assert.equal(presence.status, 489);
    const inDialog = await exchange(um, h.server, exchangeNotifyText(um.local, { toTag: 'no-such-dialog' }));
    assert.equal(inDialog.status, 481);
    await phone.expectSilence();
    assert.equal(h.svc.mwi.get('alice').version, 0);
    await h.shutdown();
  });
});

describe('trusted MWI input: PUBLISH of message-summary (RFC 3903)', () => {
  test('initial (body) -> 200 + SIP-ETag + Expires; modify (SIP-If-Match) -> a new etag; refresh without body; unknown etag -> 412; Expires: 0 removes', async () => {
    const h = await startServer();
    const phone = await subscribedPhone(h);
    const pub = await h.ua(PUBLISHER_ADDRESS);

    const initial = await exchange(pub, h.server, publishText(pub.local, { body: summaryBody(3, 1), expires: 600 }));
    assert.equal(initial.status, 200, initial.reason);
    const etag1 = initial.getHeader('SIP-ETag');
    assert.ok(etag1, 'RFC 3903 section 6 step 7: SIP-ETag');
    assert.equal(initial.getHeader('Expires'), '600');
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(3, 1));

    const modify = await exchange(
      pub,
      h.server,
      publishText(pub.local, { body: summaryBody(4, 1), expires: 600, ifMatch: etag1 }),
    );
    assert.equal(modify.status, 200);
    const etag2 = modify.getHeader('SIP-ETag');
    assert.ok(etag2 && etag2 !== etag1, 'a new entity-tag on every change');
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(4, 1));

    const old = await exchange(pub, h.server, publishText(pub.local, { body: summaryBody(9, 9), ifMatch: etag1 }));
    assert.equal(old.status, 412, 'the replaced etag is no longer valid');
    const unknown = await exchange(pub, h.server, publishText(pub.local, { ifMatch: 'no-such-etag', expires: 600 }));
    assert.equal(unknown.status, 412);
    await phone.expectSilence('a 412 changes nothing');

    h.clock.advance(500_000);
    const refresh = await exchange(pub, h.server, publishText(pub.local, { ifMatch: etag2, expires: 600 }));
    assert.equal(refresh.status, 200);
    const etag3 = refresh.getHeader('SIP-ETag');
    assert.ok(etag3 && etag3 !== etag2);
    assert.equal(refresh.getHeader('Expires'), '600');
    await phone.expectSilence('a refresh keeps the counts: no NOTIFY');
    h.clock.advance(200_000); // past the first expiry (600 s after the modify), within the refreshed one
    assert.deepEqual(h.svc.mwi.get('alice').counts, { new: 4, old: 1, urgentNew: 0, urgentOld: 0 });
    await phone.expectSilence();

    const initialWithoutBody = await exchange(pub, h.server, publishText(pub.local, { expires: 600 }));
    assert.equal(initialWithoutBody.status, 400, 'an initial PUBLISH needs a body');

    const remove = await exchange(pub, h.server, publishText(pub.local, { ifMatch: etag3, expires: 0 }));
    assert.equal(remove.status, 200);
    assert.equal(remove.getHeader('Expires'), '0');
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(0, 0));
    assert.equal(h.svc.mwi.source('alice', `sip:${PUBLISHER_ADDRESS}`), undefined);
    const again = await exchange(pub, h.server, publishText(pub.local, { ifMatch: etag3, expires: 600 }));
    assert.equal(again.status, 412, 'a removed publication is gone');
    await h.shutdown();
  });

  test('the publication expires: its counts go and the subscriber sees the lamp go dark', async () => {
    const h = await startServer();
    const phone = await subscribedPhone(h);
    const pub = await h.ua(PUBLISHER_ADDRESS);
    const res = await exchange(pub, h.server, publishText(pub.local, { body: summaryBody(5, 0), expires: 60 }));
    assert.equal(res.status, 200);
    assert.equal(res.getHeader('Expires'), '60');
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(5, 0));
    h.clock.advance(59_000);
    await phone.expectSilence();
    h.clock.advance(2_000);
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(0, 0));
    assert.equal(h.svc.mwi.source('alice', `sip:${PUBLISHER_ADDRESS}`), undefined);
    assert.equal(h.svc.notifier.size, 1, 'the subscription itself goes on');
    const late = await exchange(
      pub,
      h.server,
      publishText(pub.local, { ifMatch: res.getHeader('SIP-ETag')!, expires: 60 }),
    );
    assert.equal(late.status, 412);
    await h.shutdown();
  });

  test('too short an Expires: 423 with Min-Expires; from an untrusted address: 403; neither changes anything', async () => {
    const h = await startServer();
    const phone = await subscribedPhone(h);
    const pub = await h.ua(PUBLISHER_ADDRESS);
    const brief = await exchange(pub, h.server, publishText(pub.local, { body: summaryBody(1, 0), expires: 5 }));
    assert.equal(brief.status, 423);
    assert.ok(Number(brief.getHeader('Min-Expires')) > 5);
    const stranger = await h.ua(STRANGER_ADDRESS);
    const spoof = await exchange(
      stranger,
      h.server,
      publishText(stranger.local, { body: summaryBody(1, 0), expires: 600 }),
    );
    assert.equal(spoof.status, 403);
    assert.equal(spoof.getHeader('SIP-ETag'), undefined);
    await phone.expectSilence();
    assert.equal(h.svc.mwi.get('alice').version, 0);
    await h.shutdown();
  });

  test('two sources (a trusted NOTIFY peer and a PUBLISH peer) add up in the lamp; each update replaces only its own source', async () => {
    const h = await startServer();
    const phone = await subscribedPhone(h);
    const um = await h.ua(UM_ADDRESS);
    const pub = await h.ua(PUBLISHER_ADDRESS);
    assert.equal((await exchange(um, h.server, exchangeNotifyText(um.local))).status, 200); // 8/3
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(8, 3));
    const p1 = await exchange(pub, h.server, publishText(pub.local, { body: summaryBody(2, 1), expires: 600 }));
    assert.equal(p1.status, 200);
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(10, 4));

    // The UM's update replaces the UM's counts only.
    assert.equal((await exchange(um, h.server, exchangeNotifyText(um.local, { body: summaryBody(1, 0) }))).status, 200);
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(3, 1));
    // The publisher's update replaces the publisher's counts only.
    const p2 = await exchange(
      pub,
      h.server,
      publishText(pub.local, { body: summaryBody(0, 6), ifMatch: p1.getHeader('SIP-ETag')!, expires: 600 }),
    );
    assert.equal(p2.status, 200);
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(1, 6));
    // The UM says "no messages": the publisher's old messages remain.
    assert.equal(
      (await exchange(um, h.server, exchangeNotifyText(um.local, { body: 'Messages-Waiting: no\r\n' }))).status,
      200,
    );
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(0, 6));
    // Removing the publication leaves the UM's (zero) counts.
    const gone = await exchange(
      pub,
      h.server,
      publishText(pub.local, { ifMatch: p2.getHeader('SIP-ETag')!, expires: 0 }),
    );
    assert.equal(gone.status, 200);
    assert.deepEqual(lampOf(await phone.takeNotify()), lamp(0, 0));
    await phone.expectSilence();
    assert.deepEqual(
      [
        h.svc.mwi.source('alice', `sip:${UM_ADDRESS}`)?.counts.new,
        h.svc.mwi.source('alice', `sip:${PUBLISHER_ADDRESS}`),
      ],
      [0, undefined],
    );
    await h.shutdown();
  });
});
