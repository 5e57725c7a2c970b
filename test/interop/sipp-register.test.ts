/**
 * SIPp 3.6.1 -> openum registrar, over UDP and TCP (RFC 3261 sections 10, 22):
 * REGISTER -> 401 challenge -> REGISTER with MD5 digest -> 200 listing the
 * Contact with expires; Expires: 0 removes it; a wrong password never gets 200.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOpenum, type OpenumServer } from '../support/openum-process.js';
import { SIPP_SERVE_ARGS } from '../support/peer-compat.js';
import { requirePeer } from '../support/peers.js';
import { runSipp, sippScenario } from '../support/sipp.js';

const DOMAIN = 'localhost';
/** one user per test, so no test sees another's bindings */
const USERS = [
  { name: 'alice', password: 'secret' },
  { name: 'bob', password: 'hunter2' },
  { name: 'dave', password: 'sesame' },
  { name: 'erin', password: 'opensesame' },
] as const;
const REGISTER_USER = { udp: USERS[0], tcp: USERS[1] } as const;
const WRONG_PASSWORD_USER = { udp: USERS[2], tcp: USERS[3] } as const;

describe('SIPp REGISTER with digest auth', { timeout: 90_000 }, () => {
  let server: OpenumServer | undefined;
  before(async () => {
    server = await startOpenum({
      domain: DOMAIN,
      users: USERS,
      extraArgs: [...SIPP_SERVE_ARGS],
    });
  });
  after(async () => {
    await server?.stop();
  });

  for (const transport of ['udp', 'tcp'] as const) {
    test(`401 -> authenticated REGISTER -> 200 with Contact;expires, then Expires: 0 removes it (${transport})`, async (t) => {
      const sipp = requirePeer(t, 'sipp');
      if (!sipp || !server) return;
      const r = await runSipp(sipp, {
        scenario: sippScenario('register.xml'),
        target: server.address(transport),
        transport,
        users: [REGISTER_USER[transport]],
        authUri: DOMAIN,
        keys: { domain: DOMAIN, expires: '3600' },
        timeoutS: 20,
      });
      assert.equal(r.code, 0, r.describe());
      assert.match(r.actionLog, /^CHALLENGE Digest /m, r.describe());
      const user = REGISTER_USER[transport].name;
      assert.match(
        r.actionLog,
        new RegExp(`^REGISTERED sip:${user}@127\\.0\\.0\\.1:\\d+.*expires=\\d+`, 'm'),
        r.describe(),
      );
      assert.match(r.actionLog, /^UNREGISTERED/m, r.describe());
      // the challenge must offer MD5 (the only algorithm SIPp 3.6.1 can answer)
      assert.match(r.messageLog, /WWW-Authenticate:\s*Digest [^\r\n]*algorithm="?MD5/i, r.describe());
    });

    test(`wrong password gets 403 or a new 401, never 200 (${transport})`, async (t) => {
      const sipp = requirePeer(t, 'sipp');
      if (!sipp || !server) return;
      const r = await runSipp(sipp, {
        scenario: sippScenario('register-wrong-password.xml'),
        target: server.address(transport),
        transport,
        users: [{ name: WRONG_PASSWORD_USER[transport].name, password: 'wrong-password' }],
        authUri: DOMAIN,
        keys: { domain: DOMAIN, expires: '3600' },
        timeoutS: 20,
      });
      assert.equal(r.code, 0, r.describe());
      const outcome = /^OUTCOME (\d{3})/m.exec(r.actionLog);
      assert.ok(outcome, r.describe());
      t.diagnostic(`wrong password over ${transport} answered ${outcome[1]}`);
    });
  }
});
