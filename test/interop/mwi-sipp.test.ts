/**
 * SIPp 3.6.1 -> openum MWI server (PROTOCOLS.md sections 1-3):
 * - a message-summary subscription's life with digest (RFC 6665 section 4,
 *   RFC 3842 section 4): 401, 200 + full-state NOTIFY, refresh, unsubscribe
 *   with a final `terminated` NOTIFY (UDP and TCP);
 * - an Exchange UM style out-of-dialog NOTIFY from a trusted address
 *   (127.0.0.2, `--trust 127.0.0.2/32`) reaches a subscriber (UDP and TCP);
 * - PUBLISH (RFC 3903): SIP-ETag / SIP-If-Match, modify, refresh, 412, remove;
 * - the same NOTIFY from an untrusted address (127.0.0.1) gets 403 and no
 *   subscriber hears of it;
 * - a phone that only registers gets the change by unsolicited NOTIFY.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startOpenum, type OpenumServer } from '../support/openum-process.js';
import { SIPP_SERVE_ARGS } from '../support/peer-compat.js';
import { requirePeer } from '../support/peers.js';
import { runSipp, sippScenario, startSipp, type SippResult, type SippRun } from '../support/sipp.js';

const DOMAIN = 'localhost';
const TRUSTED_IP = '127.0.0.2';
/** one user per test, so that no test sees another's lamp */
const USERS = {
  lifeUdp: { name: 'ann', password: 'ann-secret' },
  lifeTcp: { name: 'ben', password: 'ben-secret' },
  trustedUdp: { name: 'cara', password: 'cara-secret' },
  trustedTcp: { name: 'cleo', password: 'cleo-secret' },
  publish: { name: 'dora', password: 'dora-secret' },
  spoofed: { name: 'eve', password: 'eve-secret' },
  unsolicited: { name: 'finn', password: 'finn-secret' },
} as const;

type Transport = 'udp' | 'tcp';
type User = { readonly name: string; readonly password: string };

describe('SIPp message-summary interop', { timeout: 180_000 }, () => {
  let server: OpenumServer | undefined;
  const background: SippRun[] = [];

  before(async () => {
    server = await startOpenum({
      domain: DOMAIN,
      users: Object.values(USERS),
      extraArgs: [...SIPP_SERVE_ARGS, '--trust', `${TRUSTED_IP}/32`],
    });
  });
  after(async () => {
    for (const run of background) {
      await run.process.stop(1000);
      await run.finish();
    }
    await server?.stop();
  });

  const serverLog = (): string => `--- openum stderr ---\n${server?.process.stderr.slice(-4000) ?? ''}`;

  /** A watcher (mwi-watch.xml) for `user`, started and subscribed (READY). */
  async function watch(sipp: string, user: User, transport: Transport): Promise<SippRun> {
    assert.ok(server);
    const run = await startSipp(sipp, {
      scenario: sippScenario('mwi-watch.xml'),
      target: server.address(transport),
      transport,
      users: [user],
      authUri: `${user.name}@${DOMAIN}`,
      keys: { domain: DOMAIN, expires: '600' },
      timeoutS: 30,
    });
    background.push(run);
    const ready = await run.waitForLog(/^READY$/m, 10_000);
    if (!ready) {
      await run.process.stop(1000);
      const r = await run.finish();
      assert.fail(`the watcher for ${user.name} did not subscribe\n${r.describe()}\n${serverLog()}`);
    }
    return run;
  }

  /** The Exchange UM NOTIFY of PROTOCOLS.md section 3, sent from `fromIp`. */
  function exchangeNotify(
    sipp: string,
    user: string,
    counts: [number, number],
    fromIp: string,
    transport: Transport,
  ): Promise<SippResult> {
    assert.ok(server);
    return runSipp(sipp, {
      scenario: sippScenario('mwi-notify.xml'),
      target: server.address(transport),
      transport,
      localIp: fromIp,
      keys: { domain: DOMAIN, user, new: String(counts[0]), old: String(counts[1]) },
      timeoutS: 15,
    });
  }

  function changedLines(actionLog: string): string[] {
    return actionLog.split('\n').filter((l) => l.startsWith('CHANGED '));
  }

  for (const transport of ['udp', 'tcp'] as const) {
    const user = transport === 'udp' ? USERS.lifeUdp : USERS.lifeTcp;
    test(`SUBSCRIBE with digest -> 200 + NOTIFY, refresh -> 200 + NOTIFY, Expires: 0 -> 200 + NOTIFY terminated (${transport})`, async (t) => {
      const sipp = requirePeer(t, 'sipp');
      if (!sipp || !server) return;
      const r = await runSipp(sipp, {
        scenario: sippScenario('mwi-subscribe.xml'),
        target: server.address(transport),
        transport,
        users: [user],
        authUri: `${user.name}@${DOMAIN}`,
        keys: { domain: DOMAIN, expires: '600' },
        timeoutS: 20,
      });
      const why = `${r.describe()}\n${serverLog()}`;
      assert.equal(r.code, 0, why);
      assert.match(r.actionLog, /^CHALLENGE Digest .*algorithm="?MD5/m, why);
      assert.match(
        r.actionLog,
        new RegExp(`^SUBSCRIBED expires=600 target=sip:127\\.0\\.0\\.1:\\d+;transport=${transport} totag=\\S+$`, 'm'),
        why,
      );
      assert.match(
        r.actionLog,
        /^NOTIFY initial message-summary active;expires=(600|599) \| Messages-Waiting: no \| Voice-Message: 0\/0$/m,
        why,
      );
      assert.match(r.actionLog, /^REFRESHED$/m, why);
      assert.match(r.actionLog, /^NOTIFY refresh active;expires=(600|599) \| Voice-Message: 0\/0$/m, why);
      assert.match(r.actionLog, /^UNSUBSCRIBED$/m, why);
      // RFC 6665 section 4.4.1 / PROTOCOLS.md section 2: the final NOTIFY says why
      assert.match(r.actionLog, /^NOTIFY unsubscribe terminated;reason=timeout$/m, why);
      for (const order of r.actionLog.split('\n').filter((l) => l.startsWith('ORDER ')))
        t.diagnostic(`${transport}: ${order}`);
    });
  }

  for (const transport of ['udp', 'tcp'] as const) {
    const user = transport === 'udp' ? USERS.trustedUdp : USERS.trustedTcp;
    test(`trusted Exchange UM NOTIFY from ${TRUSTED_IP} -> 200, the subscriber gets Voice-Message: 8/3 (${transport})`, async (t) => {
      const sipp = requirePeer(t, 'sipp');
      if (!sipp || !server) return;
      const watcher = await watch(sipp, user, transport);
      const n = await exchangeNotify(sipp, user.name, [8, 3], TRUSTED_IP, transport);
      assert.equal(n.code, 0, `${n.describe()}\n${serverLog()}`);
      assert.match(n.actionLog, /^OUTCOME SIP\/2\.0 200 /m, n.describe());
      assert.match(
        n.messageLog,
        new RegExp(`${transport.toUpperCase()} message sent[^\\n]*\\n+NOTIFY sip:${user.name}@`),
        'the NOTIFY went out',
      );
      const w = await watcher.finish();
      const why = `${w.describe()}\n${serverLog()}`;
      assert.equal(w.code, 0, why);
      assert.deepEqual(changedLines(w.actionLog), ['CHANGED Messages-Waiting: yes | Voice-Message: 8/3'], why);
      assert.match(w.actionLog, /^NOTIFY unsubscribe terminated;reason=timeout$/m, why);
    });
  }

  test(`trusted PUBLISH: initial -> 200 + SIP-ETag, modify and refresh with SIP-If-Match -> new ETags, unknown ETag -> 412, remove`, async (t) => {
    const sipp = requirePeer(t, 'sipp');
    if (!sipp || !server) return;
    const user = USERS.publish;
    const watcher = await watch(sipp, user, 'udp');
    const p = await runSipp(sipp, {
      scenario: sippScenario('mwi-publish.xml'),
      target: server.address('udp'),
      transport: 'udp',
      localIp: TRUSTED_IP,
      keys: { domain: DOMAIN, user: user.name },
      timeoutS: 15,
    });
    const why = `${p.describe()}\n${serverLog()}`;
    assert.equal(p.code, 0, why);
    const etag = (step: string): string => {
      const m = new RegExp(`^${step} etag=(\\S+) expires=3600$`, 'm').exec(p.actionLog);
      assert.ok(m?.[1], `${step}: no SIP-ETag / Expires 3600 in the 200\n${why}`);
      return m[1];
    };
    const tags = [etag('INITIAL'), etag('MODIFIED'), etag('REFRESHED')];
    assert.equal(
      new Set(tags).size,
      3,
      `every 200 carries a fresh entity-tag (RFC 3903 section 6): ${tags.join(', ')}`,
    );
    assert.match(p.actionLog, /^CONDITIONAL SIP\/2\.0 412 /m, why);
    assert.match(p.actionLog, /^REMOVED SIP\/2\.0 200 /m, why);
    const w = await watcher.finish();
    const wwhy = `${w.describe()}\n${serverLog()}`;
    assert.equal(w.code, 0, wwhy);
    // initial 2/1, modified 5/2; the refresh changes nothing, the 412 changes nothing, the removal clears it
    assert.deepEqual(
      changedLines(w.actionLog),
      [
        'CHANGED Messages-Waiting: yes | Voice-Message: 2/1',
        'CHANGED Messages-Waiting: yes | Voice-Message: 5/2',
        'CHANGED Messages-Waiting: no | Voice-Message: 0/0',
      ],
      wwhy,
    );
  });

  test('spoofed NOTIFY from 127.0.0.1 (not trusted) -> 403, the subscriber gets nothing', async (t) => {
    const sipp = requirePeer(t, 'sipp');
    if (!sipp || !server) return;
    const user = USERS.spoofed;
    const watcher = await watch(sipp, user, 'udp');
    for (const transport of ['udp', 'tcp'] as const) {
      const n = await exchangeNotify(sipp, user.name, [6, 6], '127.0.0.1', transport);
      assert.equal(n.code, 0, `${n.describe()}\n${serverLog()}`);
      assert.match(n.actionLog, /^OUTCOME SIP\/2\.0 403 /m, n.describe());
    }
    const w = await watcher.finish();
    const why = `${w.describe()}\n${serverLog()}`;
    assert.equal(w.code, 0, why);
    assert.deepEqual(changedLines(w.actionLog), [], why);
    assert.match(w.actionLog, /^QUIET$/m, why);
  });

  test('a registered phone without a subscription gets an unsolicited NOTIFY after a trusted NOTIFY, and answers 200', async (t: TestContext) => {
    const sipp = requirePeer(t, 'sipp');
    if (!sipp || !server) return;
    const user = USERS.unsolicited;
    const phone = await startSipp(sipp, {
      scenario: sippScenario('mwi-register-hold.xml'),
      outOfCallScenario: sippScenario('mwi-unsolicited.xml'),
      pauseMs: 3000,
      target: server.address('udp'),
      transport: 'udp',
      users: [user],
      authUri: DOMAIN,
      keys: { domain: DOMAIN, expires: '600' },
      timeoutS: 20,
    });
    background.push(phone);
    if (!(await phone.waitForLog(/^REGISTERED$/m, 10_000))) {
      await phone.process.stop(1000);
      assert.fail(`the phone did not register\n${(await phone.finish()).describe()}\n${serverLog()}`);
    }
    const n = await exchangeNotify(sipp, user.name, [3, 9], TRUSTED_IP, 'udp');
    assert.match(n.actionLog, /^OUTCOME SIP\/2\.0 200 /m, n.describe());
    const r = await phone.finish();
    const why = `${r.describe()}\n${serverLog()}`;
    assert.equal(r.code, 0, why);
    const seen = r.actionLog.split('\n').filter((l) => l.startsWith('UNSOLICITED '));
    // out of dialog (the scenario checks there is no To-tag), Event: message-summary, the new counts
    assert.ok(
      seen.some((l) =>
        /^UNSOLICITED message-summary (active|terminated)\S* \| Messages-Waiting: yes \| Voice-Message: 3\/9$/.test(l),
      ),
      why,
    );
    assert.match(
      r.messageLog,
      /UDP message sent[^\n]*\n+SIP\/2\.0 200 OK\r?\n(?:[^\n]*\n)*?CSeq: \d+ NOTIFY/,
      `the phone answered 200\n${why}`,
    );
    t.diagnostic(`unsolicited NOTIFYs seen: ${seen.join(' ; ')}`);
    // RFC 6665 section 8.1 (RFC 3265 section 7.1): Contact is mandatory in NOTIFY; twinkle answers 400 without it
    const notifies = r.messageLog.split(/^-{10,}.*$/m).filter((m) => /message received[^\n]*\n+NOTIFY /.test(m));
    assert.ok(notifies.length > 0, why);
    for (const m of notifies) assert.match(m, /^(Contact|m)\s*:/im, `the unsolicited NOTIFY carries a Contact\n${m}`);
  });
});
