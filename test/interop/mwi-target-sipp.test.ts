/**
 * openum as the voicemail (`--mwi-target`, lamp changes sent on to a SIP
 * server): a SIPp UAS is
 * the target SIP server and checks each NOTIFY against the Exchange UM
 * shape (PROTOCOLS.md section 3) while the lamp is changed by
 * `openum mwi set` and by a trusted Exchange-style NOTIFY, over UDP and TCP.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VERSION } from '../../src/app/version.js';
import { requirePeer } from '../support/peers.js';
import { runSipp, sippScenario } from '../support/sipp.js';
import { startSippBackground, startUm, type BackgroundSipp, type UmServer } from './mwi-target-harness.js';

const DOMAIN = 'example.test';
const AOR = `sip:alice@${DOMAIN}`;

describe('openum --mwi-target: SIPp UAS as the target', { timeout: 120_000 }, () => {
  for (const transport of ['udp', 'tcp'] as const) {
    test(`Exchange-UM-shaped NOTIFY over ${transport} on every lamp change`, async (t) => {
      const sipp = requirePeer(t, 'sipp');
      if (!sipp) return;
      let uas: BackgroundSipp | undefined;
      let um: UmServer | undefined;
      try {
        uas = await startSippBackground(sipp, {
          scenario: sippScenario('mwi-target-uas.xml'),
          transport,
          calls: 3,
          timeoutS: 60,
        });
        const target = `sip:127.0.0.1:${uas.port}${transport === 'tcp' ? ';transport=tcp' : ''}`;
        um = await startUm({ domain: DOMAIN, targets: [target], users: ['alice'], trust: ['127.0.0.1/32'] }, (m) =>
          t.diagnostic(m),
        );

        // 1. the CLI (another process) sets the mailbox; the server picks it up and forwards it
        await um.mwiSet('alice', 8, 3);
        assert.ok(await uas.waitForAction(/Voice-Message: 8\/3$/m, 15_000), await uas.describe());

        // 2. a trusted Exchange-style NOTIFY adds its own source: the lamp shows the sum
        const r = await runSipp(sipp, {
          scenario: sippScenario('mwi-notify.xml'),
          target: um.sip,
          transport: 'udp',
          timeoutS: 15,
          keys: { domain: DOMAIN, user: 'alice', new: '2', old: '5' },
        });
        assert.equal(r.code, 0, r.describe());
        assert.match(r.actionLog, /OUTCOME SIP\/2\.0 200/, r.describe());
        assert.ok(await uas.waitForAction(/Voice-Message: 10\/8$/m, 15_000), await uas.describe());

        // 3. the CLI clears its source: what the NOTIFY source said remains
        await um.mwiSet('alice', 0, 0);
        assert.ok(await uas.waitForAction(/Voice-Message: 2\/5$/m, 15_000), await uas.describe());

        const status = await uas.finish(20_000);
        const log = await uas.actions();
        assert.equal(status.code, 0, await uas.describe());
        const lines = log.split('\n').filter((l) => l.startsWith('NOTIFY '));
        assert.equal(lines.length, 3, await uas.describe());
        const fields = lines.map((l) => l.split(' | ').map((f) => f.trim()));
        for (const f of fields) {
          assert.equal(f[0], `NOTIFY NOTIFY ${AOR} SIP/2.0`);
          assert.match(f[1] ?? '', new RegExp(`^<${AOR}>;tag=[^;]+$`), 'From with a tag');
          assert.equal(f[2], `<${AOR}>`, 'To without a tag');
          assert.deepEqual(f.slice(3, 6), ['message-summary', 'terminated', 'application/simple-message-summary']);
          assert.match(f[6] ?? '', /^\d+ NOTIFY$/);
          assert.equal(f[7], `openum/${VERSION}`);
          assert.equal(f[8], 'Messages-Waiting: yes');
          assert.equal(f[9], `Message-Account: ${AOR}`);
        }
        assert.deepEqual(
          fields.map((f) => f[10]),
          ['Voice-Message: 8/3', 'Voice-Message: 10/8', 'Voice-Message: 2/5'],
          'every change, in order',
        );
        assert.deepEqual(await um.forwarded(), { [`${target} delivered`]: 3 });
      } finally {
        await um?.stop();
        await uas?.stop();
      }
    });
  }
});
