/**
 * openum as the voicemail in front of Kamailio 5.6 presence_mwi,
 * configured as the performance anchor is: openum sends each
 * lamp change to Kamailio (`--mwi-target sip:127.0.0.1:PORT`, and
 * `;method=PUBLISH`), and a SIPp phone subscribed to Kamailio sees the
 * lamp openum set.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findBinary, requirePeer } from '../support/peers.js';
import { startKamailio, type KamailioServer } from '../support/kamailio.js';
import { sippScenario } from '../support/sipp.js';
import { startSippBackground, startUm, type BackgroundSipp, type UmServer } from './mwi-target-harness.js';

const DOMAIN = 'example.test';

describe('openum --mwi-target: Kamailio presence_mwi as the target', { timeout: 180_000 }, () => {
  let kamailio: KamailioServer | undefined;
  before(async () => {
    const path = findBinary('kamailio');
    if (path && findBinary('sipp')) kamailio = await startKamailio(path, { domain: DOMAIN });
  });
  after(async () => {
    await kamailio?.stop();
  });

  /** A watcher subscribed to Kamailio for `user`, once it is READY. */
  async function watch(sipp: string, kam: KamailioServer, user: string): Promise<BackgroundSipp> {
    const w = await startSippBackground(sipp, {
      scenario: sippScenario('mwi-target-kamailio-watch.xml'),
      target: kam.address,
      transport: 'udp',
      calls: 1,
      timeoutS: 60,
      keys: { user, domain: DOMAIN },
    });
    assert.ok(
      await w.waitForAction(/^READY/m, 15_000),
      `${await w.describe()}\n--- kamailio ---\n${kam.log().slice(-4000)}`,
    );
    return w;
  }

  for (const method of ['NOTIFY', 'PUBLISH'] as const) {
    test(`a Kamailio subscriber sees the lamp openum sets (${method})`, async (t) => {
      const sipp = requirePeer(t, 'sipp');
      if (!sipp || !requirePeer(t, 'kamailio')) return;
      const kam = kamailio;
      assert.ok(kam, 'kamailio was started in before()');
      const user = method === 'NOTIFY' ? 'alice' : 'bob';
      const target = `sip:${kam.address}${method === 'PUBLISH' ? ';method=PUBLISH' : ''}`;
      let um: UmServer | undefined;
      let watcher: BackgroundSipp | undefined;
      let late: BackgroundSipp | undefined;
      const explain = async (w: BackgroundSipp): Promise<string> =>
        `${await w.describe()}\n--- kamailio ---\n${kam.log().slice(-4000)}\n--- forwarder outcomes ---\n${JSON.stringify(await um?.forwarded().catch((e: unknown) => String(e)))}`;
      try {
        um = await startUm({ domain: DOMAIN, targets: [target], users: [user] }, (m) => t.diagnostic(m));
        watcher = await watch(sipp, kam, user);

        await um.mwiSet(user, 8, 3);
        assert.ok(
          await watcher.waitForAction(/^CHANGED Messages-Waiting: yes \| Voice-Message: 8\/3$/m, 15_000),
          await explain(watcher),
        );
        await um.mwiSet(user, 0, 4);
        assert.ok(
          await watcher.waitForAction(/^CHANGED Messages-Waiting: no \| Voice-Message: 0\/4$/m, 15_000),
          await explain(watcher),
        );

        const status = await watcher.finish(20_000);
        assert.equal(status.code, 0, await explain(watcher));
        const changed = (await watcher.actions()).split('\n').filter((l) => l.startsWith('CHANGED'));
        assert.deepEqual(
          changed,
          ['CHANGED Messages-Waiting: yes | Voice-Message: 8/3', 'CHANGED Messages-Waiting: no | Voice-Message: 0/4'],
          await explain(watcher),
        );

        if (method === 'PUBLISH') {
          // The modify PUBLISH (SIP-If-Match) replaced the one publication: a new
          // subscriber's first NOTIFY has the latest state. (With out-of-dialog
          // NOTIFYs Kamailio keeps one publication per NOTIFY and a new
          // subscriber gets the oldest: the anchor's known limitation.)
          late = await watch(sipp, kam, user);
          assert.match(
            await late.actions(),
            /^INITIAL Messages-Waiting: no \| Voice-Message: 0\/4$/m,
            await explain(late),
          );
          assert.equal((await late.finish(20_000)).code, 0, await explain(late));
        }
        assert.deepEqual(await um.forwarded(), { [`${target} delivered`]: 2 });
        assert.doesNotMatch(kam.log(), /ERROR/, kam.log().slice(-4000));
      } finally {
        await late?.stop();
        await watcher?.stop();
        await um?.stop();
      }
    });
  }
});
