/**
 * baresip 1.0.0 -> openum registrar (RFC 3261 section 10): baresip registers
 * with its password over UDP and TCP; both baresip ("200 OK ... [1 binding]")
 * and the server (`openum user list`: contacts=1) see the binding; on SIGTERM
 * baresip unregisters and the server drops the binding.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBaresip, type BaresipPeer } from '../support/baresip.js';
import { startOpenum, type OpenumServer } from '../support/openum-process.js';
import { BARESIP_SERVE_ARGS } from '../support/peer-compat.js';
import { requirePeer } from '../support/peers.js';

const DOMAIN = 'localhost';

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

async function contactsOf(server: OpenumServer, user: string): Promise<number | undefined> {
  const r = await server.cli(['user', 'list'], 15_000);
  assert.equal(r.code, 0, `openum user list failed:\n${r.stdout}\n${r.stderr}`);
  const line = r.stdout.split('\n').find((l) => l.split(' ')[0] === user);
  const m = line ? /\bcontacts=(\d+)/.exec(line) : null;
  return m ? Number(m[1]) : undefined;
}

async function waitForContacts(
  server: OpenumServer,
  user: string,
  want: number,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  let n = await contactsOf(server, user);
  while (n !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    n = await contactsOf(server, user);
  }
  return n;
}

describe('baresip REGISTER', { timeout: 90_000 }, () => {
  let server: OpenumServer | undefined;
  const peers: BaresipPeer[] = [];
  before(async () => {
    server = await startOpenum({
      domain: DOMAIN,
      users: [
        { name: 'alice', password: 'secret' },
        { name: 'carol', password: 'letmein' },
      ],
      extraArgs: [...BARESIP_SERVE_ARGS],
    });
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await server?.stop();
  });

  const cases = [
    { transport: 'udp', user: 'alice', password: 'secret' },
    { transport: 'tcp', user: 'carol', password: 'letmein' },
  ] as const;
  for (const c of cases) {
    test(`registers with its password and unregisters on SIGTERM (${c.transport})`, async (t) => {
      const baresip = requirePeer(t, 'baresip');
      if (!baresip || !server) return;
      const peer = await startBaresip(baresip, {
        user: c.user,
        password: c.password,
        domain: DOMAIN,
        registrar: server.address(c.transport),
        transport: c.transport,
        lifetimeS: 40,
      });
      peers.push(peer);
      const details = (): string =>
        `baresip (${peer.process.command}) output:\n${stripAnsi(peer.output()).slice(-12000)}\nopenum stderr:\n${server?.process.stderr.slice(-4000) ?? ''}`;

      const okLine = new RegExp(
        `${c.user}@${DOMAIN}: \\{0/${c.transport.toUpperCase()}/v4\\} 200 OK .*\\[1 binding\\]`,
      );
      const registered = await peer.process.waitFor((out, err) => okLine.test(stripAnsi(out + err)), 15_000);
      assert.ok(registered, `baresip did not report "200 OK [1 binding]" within 15 s\n${details()}`);
      // with a password: the REGISTER that got the 200 carried digest credentials
      assert.match(stripAnsi(peer.output()), /Authorization: Digest username="[^"]+", realm="localhost"/, details());

      assert.equal(
        await waitForContacts(server, c.user, 1, 5000),
        1,
        `server does not list 1 contact for ${c.user}\n${details()}`,
      );

      const status = await peer.stop(2000);
      if (status.signal !== 'SIGKILL') {
        // baresip ended on SIGTERM by itself, after unregistering (Expires 0)
        assert.equal(
          await waitForContacts(server, c.user, 0, 5000),
          0,
          `binding of ${c.user} left after baresip unregistered\n${details()}`,
        );
      } else {
        t.diagnostic('baresip ignored SIGTERM for 2 s and was killed; unregistration not checked');
      }
    });
  }
});
