import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { FakeClock } from '../../src/base/clock.js';
import { LoopbackNetwork } from '../../src/sip/transport/index.js';
import {
  UM_ADDRESS,
  assertInDialog,
  exchange,
  exchangeNotifyText,
  lampOf,
  startServer,
  summaryBody,
  tempDir,
} from '../support/mwi-harness.js';

const dirs: { remove(): void }[] = [];
after(() => {
  for (const d of dirs) d.remove();
});

const lamp = (nw: number, old: number) => ({ waiting: nw > 0, new: nw, old, urgentNew: 0, urgentOld: 0 });

describe('kept across restarts: subscriptions, registrations and MWI state in SQLite', () => {
  for (const how of ['a clean stop', 'a crash (nothing stopped or closed)'] as const) {
    test(`after ${how}, the subscription is restored and gets the current state (paced) with a higher CSeq; counts and version survive`, async () => {
      const tmp = tempDir();
      dirs.push(tmp);
      const file = `${tmp.dir}/openum.sqlite`;
      const net = new LoopbackNetwork();
      const first = await startServer({ file, net });
      const phone = await first.phone('10.0.0.2');
      const desk = await first.phone('10.0.0.3');
      const um = await first.ua(UM_ADDRESS);

      const { dialog } = await phone.subscribe({ expires: 3600 });
      assert.ok(dialog);
      let maxSeq = (await phone.takeNotify()).cseq.seq;
      assert.equal((await desk.register({ callId: 'desk-reg', expires: 3600 })).status, 200);
      first.clock.advance(100);
      await desk.takeNotify();
      for (const [nw, old] of [
        [8, 3],
        [9, 3],
      ] as const) {
        assert.equal(
          (await exchange(um, first.server, exchangeNotifyText(um.local, { body: summaryBody(nw, old) }))).status,
          200,
        );
        maxSeq = Math.max(maxSeq, (await phone.takeNotify()).cseq.seq);
        await desk.takeNotify();
      }
      const before = first.svc.mwi.get('alice');
      assert.equal(before.version, 2);

      if (how === 'a clean stop') {
        await first.shutdown();
      } else {
        // kill -9: the process is gone; only what reached SQLite counts. Free the address for the new listener.
        await first.svc.transports.stop();
      }

      // Start again on the same file, 10 s later.
      const clock = new FakeClock(first.clock.now() + 10_000);
      const second = await startServer({ file, net, clock });
      assert.equal(second.svc.notifier.size, 1, 'the subscription is back');
      assert.deepEqual(second.svc.mwi.get('alice').counts, before.counts);
      assert.equal(second.svc.mwi.get('alice').version, before.version);
      assert.equal(second.svc.registrar.lookup('alice').length, 1, 'the registration is back');
      await phone.expectSilence('the re-send is paced: nothing before the clock moves');
      await desk.expectSilence();

      clock.advance(100);
      const restored = await phone.takeNotify();
      assertInDialog(restored, dialog);
      assert.ok(restored.cseq.seq > maxSeq, `CSeq ${restored.cseq.seq} must exceed every CSeq used before (${maxSeq})`);
      const state = restored.getHeader('Subscription-State') ?? '';
      const left = Number(/^active;expires=(\d+)$/.exec(state)?.[1]);
      assert.ok(left > 3500 && left <= 3590, state);
      assert.deepEqual(lampOf(restored), lamp(9, 3));
      const unsolicited = await desk.takeNotify();
      assert.equal(unsolicited.to.params.get('tag'), undefined);
      assert.deepEqual(lampOf(unsolicited), lamp(9, 3));

      // The dialog works on: a change goes out with the next CSeq; the subscriber's refresh is accepted.
      const um2 = await second.ua('10.0.0.9');
      assert.equal(
        (await exchange(um2, second.server, exchangeNotifyText(um2.local, { body: summaryBody(0, 12) }))).status,
        200,
      );
      const change = await phone.takeNotify();
      assert.equal(change.cseq.seq, restored.cseq.seq + 1);
      assert.deepEqual(lampOf(change), lamp(0, 12));
      await desk.takeNotify();
      const refreshed = await dialog.refresh(600);
      assert.equal(refreshed.status, 200, refreshed.reason);
      assert.equal(refreshed.to.params.get('tag'), dialog.toTag);
      const full = await phone.takeNotify();
      assert.equal(full.cseq.seq, change.cseq.seq + 1);
      assert.equal(full.getHeader('Subscription-State'), 'active;expires=600');
      assert.equal(second.svc.mwi.get('alice').version, before.version + 1);

      // And it still expires when its time is up.
      clock.advance(601_000);
      const final = await phone.takeNotify();
      assert.equal(final.getHeader('Subscription-State'), 'terminated;reason=timeout');
      assert.equal(second.svc.notifier.size, 0);
      await second.shutdown();
      if (how !== 'a clean stop') first.storage.close();
      // Third start: nothing to restore.
      const third = await startServer({ file, net, clock: new FakeClock(clock.now()) });
      assert.equal(third.svc.notifier.size, 0);
      await third.shutdown();
    });
  }
});
