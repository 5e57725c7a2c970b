/**
 * The Exchange UM -> Lync chain (voicemail counts from the UM to Lync
 * endpoints and standard phones), end to end over the loopback
 * network: a Lync-style endpoint (TCP, roaming-self with ms-benotify) and a
 * standard phone (UDP, message-summary) of the same user; the Exchange UM
 * NOTIFY of PROTOCOLS.md section 3 arrives from a trusted peer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRoamingData } from '../../src/events/packages/vnd-microsoft-roaming-self/index.js';
import {
  DOMAIN,
  UM_ADDRESS,
  exchange,
  exchangeNotifyText,
  lampOf,
  startServer,
  summaryBody,
  type Phone,
} from '../support/mwi-harness.js';
import { Mailboxes } from '../../src/voicemail/mailboxes.js';
import { AudioFiles } from '../../src/storage/files/audio-files.js';
import { makeTempDir, removeTempDir } from '../support/temp-dir.js';

const ROAMING_LIST =
  '<roamingList xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self">' +
  '<roaming type="categories"/><roaming type="containers"/><roaming type="subscribers"/></roamingList>';
const ROAMING_TYPE = 'application/vnd-microsoft-roaming-self+xml';

function subscribeLync(p: Phone, supported: string) {
  return p.subscribe({
    event: 'vnd-microsoft-roaming-self',
    accept: ROAMING_TYPE,
    contentType: ROAMING_TYPE,
    body: ROAMING_LIST,
    extra: `Supported: ${supported}\n`,
  });
}

function mwiOf(body: Buffer): { messageWaiting: boolean; unread: number; read: number; version: number } {
  const d = parseRoamingData(body);
  const c = d.mwi;
  assert.ok(c, `no mwi category in ${body.toString()}`);
  return {
    messageWaiting: c.messageWaiting,
    unread: c.unreadVoiceMailCount,
    read: c.readVoiceMailCount,
    version: c.version,
  };
}

describe('Exchange UM -> openum -> Lync endpoint and standard phone (PROTOCOLS.md sections 3-4)', () => {
  test('8 new / 3 old from the UM: BENOTIFY with the mwi category to the Lync endpoint, Voice-Message: 8/3 to the phone', async () => {
    const h = await startServer({ tcp: true });
    const lync = await h.phone('10.0.0.3', 'alice', 'tcp');
    const phone = await h.phone('10.0.0.2', 'alice');
    const um = await h.ua(UM_ADDRESS);

    assert.equal((await lync.register({ callId: 'lync-reg' })).status, 200);
    const ls = await subscribeLync(lync, 'ms-benotify');
    assert.equal(ls.res.status, 200, ls.res.reason);
    assert.match(ls.res.getHeader('Supported') ?? '', /ms-benotify/);
    const first = await lync.ua.nextRequest();
    assert.equal(first.method, 'BENOTIFY');
    assert.deepEqual(mwiOf(first.body), { messageWaiting: false, unread: 0, read: 0, version: 0 });

    const ps = await phone.subscribe();
    assert.equal(ps.res.status, 200);
    const p0 = await phone.nextNotify();
    await phone.answer(p0);
    assert.equal(lampOf(p0).waiting, false);

    const res = await exchange(um, h.server, exchangeNotifyText(um.local, { body: summaryBody(8, 3) }));
    assert.equal(res.status, 200);

    const ben = await lync.ua.nextRequest();
    assert.equal(ben.method, 'BENOTIFY');
    assert.equal(ben.getHeader('Event'), 'vnd-microsoft-roaming-self');
    assert.equal(ben.getHeader('Require'), 'eventlist');
    assert.match(ben.getHeader('Subscription-State') ?? '', /^active;expires=\d+$/);
    assert.equal(ben.getHeader('Content-Type'), ROAMING_TYPE);
    assert.match(ben.body.toString(), /unreadVoiceMailCount="8" readVoiceMailCount="3"/);
    assert.match(
      ben.body.toString(),
      /<category name="mwi" instance="0" publishTime="[^"]+" container="1" version="1" expireType="static">/,
    );
    assert.deepEqual(mwiOf(ben.body), { messageWaiting: true, unread: 8, read: 3, version: 1 });

    const p1 = await phone.nextNotify();
    await phone.answer(p1);
    assert.match(p1.body.toString(), /Voice-Message: 8\/3/);
    assert.deepEqual(lampOf(p1), { waiting: true, new: 8, old: 3, urgentNew: 0, urgentOld: 0 });

    // BENOTIFY is fire and forget: no retransmission comes, even unanswered.
    h.clock.advance(40_000);
    await lync.expectSilence('a retransmitted BENOTIFY');
    await h.shutdown();
  });

  test('ms-piggyback-first-notify: the first state rides in the 200; a user with MWI off: the UM gets 403 and nobody hears anything', async () => {
    const h = await startServer({ tcp: true });
    const lync = await h.phone('10.0.0.3', 'alice', 'tcp');
    const um = await h.ua(UM_ADDRESS);
    const ls = await subscribeLync(lync, 'ms-benotify, ms-piggyback-first-notify');
    assert.equal(ls.res.status, 200);
    assert.equal(ls.res.getHeader('Content-Type'), ROAMING_TYPE);
    assert.deepEqual(mwiOf(ls.res.body), { messageWaiting: false, unread: 0, read: 0, version: 0 });
    await lync.expectSilence('a first NOTIFY after a piggybacked 200');

    const carol = await h.phone('10.0.0.4', 'carol');
    const cs = await carol.subscribe();
    assert.equal(cs.res.status, 403);
    const refused = await exchange(
      um,
      h.server,
      exchangeNotifyText(um.local, { user: 'carol', body: summaryBody(8, 3, `sip:carol@${DOMAIN}`) }),
    );
    assert.equal(refused.status, 403);
    assert.match(refused.reason, /message waiting indication is off/);
    await lync.expectSilence('a notification for carol');
    await carol.expectSilence('anything');
    await h.shutdown();
  });

  test("openum's own voicemail: a deposit, then a deletion, reach the Lync endpoint by BENOTIFY and the phone by NOTIFY", async () => {
    const h = await startServer({ tcp: true });
    const lync = await h.phone('10.0.0.3', 'alice', 'tcp');
    const phone = await h.phone('10.0.0.2', 'alice');
    assert.equal((await lync.register({ callId: 'lync-reg-vm' })).status, 200);
    assert.equal((await subscribeLync(lync, 'ms-benotify')).res.status, 200);
    assert.equal((await lync.ua.nextRequest()).method, 'BENOTIFY');
    assert.equal((await phone.subscribe()).res.status, 200);
    await phone.answer(await phone.nextNotify());

    const dir = await makeTempDir('lync-vm');
    try {
      const boxes = new Mailboxes(h.storage, new AudioFiles(dir), h.svc.mwi, { maxMessages: 10 });
      const m = await boxes.deposit({
        mailbox: 'alice',
        pcm: new Int16Array(8000 * 3),
        caller: { number: '2002', name: null },
        urgent: false,
        callId: 'vm-call',
        reason: 'busy',
        origin: 'call',
      });
      const ben = await lync.ua.nextRequest();
      assert.equal(ben.method, 'BENOTIFY');
      assert.deepEqual(mwiOf(ben.body), { messageWaiting: true, unread: 1, read: 0, version: 1 });
      const n = await phone.nextNotify();
      await phone.answer(n);
      assert.equal(lampOf(n).waiting, true);
      assert.match(n.body.toString(), /Voice-Message: 1\/0/);

      await boxes.remove(m.id);
      const off = await lync.ua.nextRequest();
      assert.deepEqual(mwiOf(off.body), { messageWaiting: false, unread: 0, read: 0, version: 2 });
      const n2 = await phone.nextNotify();
      await phone.answer(n2);
      assert.equal(lampOf(n2).waiting, false);
    } finally {
      await removeTempDir(dir);
    }
  });
});
