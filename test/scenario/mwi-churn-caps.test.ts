/**
 * The churn caps of the notifier (src/events/notifier.ts DEFAULT_SUBSCRIBE_LIMITS,
 * README "Message waiting"): new subscriptions per user and per source
 * address (token buckets, 503 + Retry-After beyond), at most 16 held per user
 * and package (a 17th ends the oldest), trusted peers exempt from the
 * per-address cap. The clock stands still, so no bucket refills.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DOMAIN, UM_ADDRESS, startServer } from '../support/mwi-harness.js';

function bareSubscribe(ua: { local: { address: string; port: number } }, i: number): string {
  return `SUBSCRIBE sip:alice@${DOMAIN} SIP/2.0
Via: SIP/2.0/UDP ${ua.local.address}:${ua.local.port};branch=z9hG4bK-cap${i}-${Math.random().toString(36).slice(2)};rport
Max-Forwards: 70
From: <sip:alice@${DOMAIN}>;tag=cap${i}
To: <sip:alice@${DOMAIN}>
Call-ID: cap-${i}-${ua.local.address}
CSeq: 1 SUBSCRIBE
Contact: <sip:alice@${ua.local.address}:${ua.local.port}>
Event: message-summary
Content-Length: 0

`;
}

describe('SUBSCRIBE churn caps', () => {
  test('a user holds at most 16 subscriptions (a 17th ends the oldest); the 21st new one in a burst gets 503 with Retry-After', async () => {
    const h = await startServer();
    const phone = await h.phone('10.0.0.2');
    const dialogs = [];
    for (let i = 0; i < 16; i++) {
      const s = await phone.subscribe();
      assert.equal(s.res.status, 200);
      dialogs.push(s.dialog!);
      await phone.takeNotify();
    }
    assert.equal(h.svc.notifier.size, 16);
    const seventeenth = await phone.subscribe();
    assert.equal(seventeenth.res.status, 200);
    const notifies = [await phone.takeNotify(), await phone.takeNotify()];
    const final = notifies.find((n) => /^terminated/.test(n.getHeader('Subscription-State') ?? ''));
    assert.ok(final, 'the oldest subscription got its final NOTIFY');
    assert.equal(final.callId, dialogs[0]!.callId, 'the oldest one');
    assert.equal(h.svc.notifier.size, 16);
    for (let i = 18; i <= 20; i++) {
      assert.equal((await phone.subscribe()).res.status, 200);
      await phone.takeNotify();
      await phone.takeNotify();
    }
    const over = await phone.subscribe();
    assert.equal(over.res.status, 503);
    assert.equal(over.res.getHeader('Retry-After'), '10');
    assert.equal(h.svc.notifier.size, 16);
    await h.shutdown();
  });

  test('one source address gets 200 new SUBSCRIBEs at once, then 503; a trusted peer is not held to it', async () => {
    const h = await startServer();
    const stranger = await h.ua('10.0.0.5');
    const pool = await h.ua(UM_ADDRESS);
    for (let i = 0; i < 200; i++) {
      await stranger.send(h.server, bareSubscribe(stranger, i));
      assert.equal((await stranger.nextResponse()).status, 401, `request ${i}`);
    }
    await stranger.send(h.server, bareSubscribe(stranger, 200));
    const refused = await stranger.nextResponse();
    assert.equal(refused.status, 503);
    assert.match(refused.reason, /too many subscriptions/);
    for (let i = 0; i < 250; i++) {
      await pool.send(h.server, bareSubscribe(pool, i));
      assert.equal((await pool.nextResponse()).status, 401, `trusted request ${i}`);
    }
    await h.shutdown();
  });
});
