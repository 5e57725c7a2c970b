/**
 * SIPp 3.6.1 as the PBX in front of openum's voicemail (PROTOCOLS.md
 * section 6): a call diverted with History-Info + Diversion to the pilot,
 * and one with RFC 4458 `target=`/`cause=486`; the caller skips the
 * greeting with `#`, speaks /usr/share/sip-tester/g711a.pcap (PCMA, 7.08 s),
 * ends with `#` and hangs up in the review. The stored message lasts
 * 7.08 s +- 0.2 s, its samples match the pcap's (correlation > 0.99), the
 * diversion reason is kept, and a phone that subscribes sees the lamp lit;
 * then the owner reads the message over EWS (ews-javascript-api, after
 * Autodiscover) and deletes it, and the subscribed phone's lamp follows
 * (Voice-Message 0/1, then 0/0).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { startOpenum, type OpenumServer } from '../support/openum-process.js';
import { SIPP_SERVE_ARGS } from '../support/peer-compat.js';
import { requirePeer } from '../support/peers.js';
import { runSipp, sippScenario, startSipp } from '../support/sipp.js';
import { ewsJsCycle } from './ews/ews-js-cycle.js';
import { bestCorrelation, pcapSamples, wavSamples } from '../support/audio-match.js';
import { storedMessages } from '../support/stored-messages.js';

const DOMAIN = 'localhost';
const PCAP = '/usr/share/sip-tester/g711a.pcap';
type User = { name: string; password: string; extraArgs: string[] };
const ALICE: User = { name: 'alice', password: 'alice-secret', extraArgs: ['--extension', '1001'] };
const BOB: User = { name: 'bob', password: 'bob-secret', extraArgs: ['--extension', '1002'] };

describe('SIPp deposits a voice message (PBX -> openum voicemail)', { timeout: 120_000 }, () => {
  let server: OpenumServer | undefined;
  before(async () => {
    server = await startOpenum({
      domain: DOMAIN,
      users: [ALICE, BOB],
      // SIPp is the PBX: trusted, so its calls need no challenge
      extraArgs: [...SIPP_SERVE_ARGS, '--trust', '127.0.0.1/32', '--rtp-ports', '31000-31999'],
    });
  });
  after(async () => {
    await server?.stop();
  });

  const serverLog = (): string => `--- openum stderr ---\n${server?.process.stderr.slice(-4000) ?? ''}`;

  for (const [kind, scenario, user, reason] of [
    ['History-Info and Diversion to the pilot', 'vm-deposit-history.xml', ALICE, 'unavailable'],
    ['RFC 4458 target= and cause=486', 'vm-deposit-target.xml', BOB, 'busy'],
  ] as const) {
    test(`${kind}: the message is the pcap's 7.08 s, reason ${reason}, and the lamp lights`, async (t) => {
      const sipp = requirePeer(t, 'sipp');
      if (!sipp || !server) return;
      const r = await runSipp(sipp, {
        scenario: sippScenario(scenario),
        target: server.address('udp'),
        transport: 'udp',
        keys: { domain: DOMAIN, mailbox: user.name },
        timeoutS: 30,
        recvTimeoutMs: 10_000,
      });
      assert.equal(r.code, 0, `${r.describe()}\n${serverLog()}`);
      const msgs = await storedMessages(server.dataDir, user.name, 1);
      assert.equal(msgs.length, 1, serverLog());
      const m = msgs[0];
      assert.ok(m);
      assert.equal(m.reason, reason);
      assert.equal(m.callerNumber, '2002');
      assert.equal(m.callerName, 'SIPp PBX');
      assert.ok(Math.abs(m.durationMs - 7080) <= 200, `duration ${m.durationMs} ms`);
      const wav = wavSamples(join(server.dataDir, 'audio', m.audioPath));
      assert.equal(wav.sampleRate, 8000);
      const match = bestCorrelation(pcapSamples(PCAP, 'PCMA'), wav.samples);
      assert.ok(match.correlation > 0.99, `correlation ${match.correlation} at lag ${match.lag}`);
      const files = await readdir(join(server.dataDir, 'audio', user.name));
      assert.deepEqual(files, [m.audioPath.split('/')[1]], 'exactly the message audio, no temporary file');
      const watcher = await startSipp(sipp, {
        scenario: sippScenario('mwi-watch.xml'),
        target: server.address('udp'),
        transport: 'udp',
        users: [user],
        authUri: `${user.name}@${DOMAIN}`,
        keys: { domain: DOMAIN, expires: '600' },
        timeoutS: 40,
      });
      const lamp = await watcher.waitForLog(/^NOTIFY initial .*Voice-Message: 1\/0/m, 10_000);
      // the mailbox's owner reads the message over EWS (Autodiscover first) and deletes it: the
      // subscribed phone's lamp follows each step (the watcher gives up after 3 s without a NOTIFY)
      const ews = lamp
        ? await ewsJsCycle(`http://${server.address('http')}`, `${user.name}@${DOMAIN}`, user.name, user.password)
        : undefined;
      const read = lamp ? await watcher.waitForLog(/^CHANGED .*Voice-Message: 0\/1/m, 5000) : false;
      const gone = read ? await watcher.waitForLog(/^CHANGED .*Voice-Message: 0\/0/m, 5000) : false;
      await watcher.process.stop(1000);
      const w = await watcher.finish();
      assert.ok(lamp, `a phone that subscribes sees 1/0\n${w.describe()}\n${serverLog()}`);
      assert.deepEqual(
        ews && [ews.folder.total, ews.folder.unread, ews.items[0]?.caller, ews.items[0]?.durationS],
        [1, 1, '2002', 7],
        'EWS lists the message the PBX left',
      );
      assert.ok(read, `reading it over EWS puts the lamp out: 0/1\n${w.describe()}\n${serverLog()}`);
      assert.ok(gone, `deleting it over EWS: 0/0\n${w.describe()}`);
    });
  }
});
