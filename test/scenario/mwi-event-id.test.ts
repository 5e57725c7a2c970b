/**
 * The Event `id` of a SUBSCRIBE names the subscription within its dialog
 * (RFC 6665 section 8.2.1, RFC 5057): its NOTIFYs repeat it, a refresh
 * must carry it, and it survives a restart.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { FakeClock } from '../../src/base/clock.js';
import { LoopbackNetwork } from '../../src/sip/transport/index.js';
import { startServer, tempDir } from '../support/mwi-harness.js';

const tmp = tempDir();
after(() => tmp.remove());

describe('a subscription with an Event id (RFC 6665 section 8.2.1)', () => {
  test('NOTIFYs carry the id; a refresh with the id is the same usage, one without it none (481); restored with it', async () => {
    const file = `${tmp.dir}/openum.sqlite`;
    const net = new LoopbackNetwork();
    const first = await startServer({ file, net });
    const phone = await first.phone('10.0.0.2');
    const { res, dialog } = await phone.subscribe({ event: 'message-summary;id=7', expires: 600 });
    assert.equal(res.status, 200, res.reason);
    assert.ok(dialog);
    assert.equal((await phone.takeNotify()).getHeader('Event'), 'message-summary;id=7');

    const refresh = async (event: string): Promise<number> => {
      dialog.cseq++;
      await phone.ua.send(
        phone.server,
        phone.subscribeText({
          event,
          expires: 600,
          callId: dialog.callId,
          fromTag: dialog.fromTag,
          toTag: dialog.toTag,
          cseq: dialog.cseq,
        }),
      );
      return (await phone.ua.nextResponse()).status;
    };
    assert.equal(await refresh('message-summary;id=7'), 200);
    assert.equal((await phone.takeNotify()).getHeader('Event'), 'message-summary;id=7');
    assert.equal(await refresh('message-summary'), 481, 'no usage without the id in this dialog');
    assert.equal(first.svc.notifier.size, 1);

    await first.shutdown();
    const second = await startServer({ file, net, clock: new FakeClock(first.clock.now() + 10_000) });
    assert.equal(second.svc.notifier.size, 1, 'the subscription is back');
    second.clock.advance(100);
    assert.equal((await phone.takeNotify()).getHeader('Event'), 'message-summary;id=7', 'restored with its id');
    assert.equal(await refresh('message-summary;id=7'), 200, 'and still routed by it');
    await second.shutdown();
  });
});
