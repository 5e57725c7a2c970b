/**
 * SIPp 3.6.1 -> openum: OPTIONS gets 200 over UDP and TCP (RFC 3261 section 11).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOpenum, type OpenumServer } from '../support/openum-process.js';
import { requirePeer } from '../support/peers.js';
import { runSipp, sippScenario } from '../support/sipp.js';

describe('SIPp OPTIONS', { timeout: 60_000 }, () => {
  let server: OpenumServer | undefined;
  before(async () => {
    server = await startOpenum({ domain: 'localhost' });
  });
  after(async () => {
    await server?.stop();
  });

  for (const transport of ['udp', 'tcp'] as const) {
    test(`OPTIONS -> 200 over ${transport}`, async (t) => {
      const sipp = requirePeer(t, 'sipp');
      if (!sipp || !server) return;
      const r = await runSipp(sipp, {
        scenario: sippScenario('options.xml'),
        target: server.address(transport),
        transport,
        calls: 3,
        rate: 10,
        keys: { domain: 'localhost' },
        timeoutS: 15,
        recvTimeoutMs: 5000,
      });
      assert.equal(r.code, 0, r.describe());
      assert.equal((r.actionLog.match(/^OPTIONS 200/gm) ?? []).length, 3, r.describe());
    });
  }
});
