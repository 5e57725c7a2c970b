/**
 * twinkle 1.10.2 (Debian `twinkle-console`) -> openum MWI (PROTOCOLS.md
 * sections 1-3), read from twinkle's own SIP log:
 * - solicited: twinkle registers, subscribes to message-summary with digest
 *   (profile `mwi_sollicited=yes`, `mwi_server`, `mwi_via_proxy`), accepts
 *   the NOTIFYs as a trusted Exchange UM NOTIFY changes the counts twice, and
 *   unsubscribes when it quits (UDP and TCP);
 * - unsolicited: with `mwi_sollicited=no` it only registers, and must accept
 *   the out-of-dialog NOTIFYs openum sends it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOpenum, type OpenumServer } from '../support/openum-process.js';
import { requirePeer } from '../support/peers.js';
import type { HostPort } from '../support/register-relay.js';
import { exchangeUmNotify, SipProbe } from '../support/sip-probe.js';
import { logHeader, startTwinkle, type TwinklePeer, type TwinkleSipMessage } from '../support/twinkle.js';

const DOMAIN = 'localhost';
const TRUSTED_IP = '127.0.0.2';
const USERS = {
  udp: { name: 'tina', password: 'tina-secret' },
  tcp: { name: 'tom', password: 'tom-secret' },
  unsolicited: { name: 'uma', password: 'uma-secret' },
} as const;

const isNotify = (m: TwinkleSipMessage): boolean => m.direction === 'in' && m.firstLine.startsWith('NOTIFY ');
const cseqOf = (m: TwinkleSipMessage): string => logHeader(m, 'CSeq') ?? '';
const callIdOf = (m: TwinkleSipMessage): string => logHeader(m, 'Call-ID') ?? logHeader(m, 'i') ?? '';

/** Twinkle's answer to a NOTIFY it received (same Call-ID and CSeq), if logged. */
function answerTo(all: TwinkleSipMessage[], notify: TwinkleSipMessage): TwinkleSipMessage | undefined {
  return all.find(
    (m) =>
      m.direction === 'out' &&
      m.firstLine.startsWith('SIP/2.0 ') &&
      cseqOf(m) === cseqOf(notify) &&
      callIdOf(m) === callIdOf(notify),
  );
}

/** One line per NOTIFY: when, state, counts, and how twinkle answered. */
function describeNotifies(all: TwinkleSipMessage[]): string[] {
  return all.filter(isNotify).map((n) => {
    const vm = /^Voice-Message:.*$/m.exec(n.text.replace(/\r/g, ''))?.[0] ?? '(no Voice-Message)';
    const mw = /^Messages-Waiting:.*$/m.exec(n.text.replace(/\r/g, ''))?.[0] ?? '';
    return `${n.time} ${n.firstLine.split(' ').slice(0, 2).join(' ')} [${logHeader(n, 'Subscription-State') ?? ''}] ${mw} ${vm} -> ${answerTo(all, n)?.firstLine ?? '(no answer logged)'}`;
  });
}

describe('twinkle message-summary interop', { timeout: 150_000 }, () => {
  let server: OpenumServer | undefined;
  let exchange: SipProbe | undefined;
  const peers: TwinklePeer[] = [];

  before(async () => {
    server = await startOpenum({
      domain: DOMAIN,
      users: Object.values(USERS),
      extraArgs: ['--auth-algorithms', 'MD5', '--trust', `${TRUSTED_IP}/32`],
    });
    const [host = '', port = '0'] = server.address('udp').split(':');
    const udp: HostPort = { address: host, port: Number(port) };
    exchange = await SipProbe.open(TRUSTED_IP, udp);
  });
  after(async () => {
    await Promise.all(peers.map((p) => p.stop()));
    await exchange?.close();
    await server?.stop();
  });

  /** Set the counts as Exchange UM would (trusted NOTIFY) and wait for twinkle to log a NOTIFY carrying them. */
  async function change(
    peer: TwinklePeer,
    user: string,
    n: number,
    o: number,
    details: () => Promise<string>,
  ): Promise<TwinkleSipMessage> {
    assert.ok(exchange);
    const r = await exchangeUmNotify(exchange, user, DOMAIN, n, o);
    assert.equal(r.status, 200, `trusted NOTIFY ${n}/${o}: ${r.response}`);
    const want = `Voice-Message: ${n}/${o}`;
    const got = await peer.waitForSipMessage((m) => isNotify(m) && m.text.includes(want), 10_000);
    assert.ok(got, `twinkle logged no NOTIFY with ${want}\n${await details()}`);
    return got;
  }

  for (const transport of ['udp', 'tcp'] as const) {
    test(`subscribes with digest, accepts the NOTIFYs as the counts change twice, unsubscribes on quit (${transport})`, async (t) => {
      const twinkle = requirePeer(t, 'twinkle-console');
      if (!twinkle || !server) return;
      const user = USERS[transport];
      const peer = await startTwinkle(twinkle, {
        user: user.name,
        password: user.password,
        domain: DOMAIN,
        proxy: server.address(transport),
        transport,
      });
      peers.push(peer);
      const details = async (): Promise<string> =>
        `twinkle output:\n${peer.output().slice(-3000)}\ntwinkle log (SIP):\n${(await peer.log()).slice(-12000)}\nopenum stderr:\n${server?.process.stderr.slice(-3000) ?? ''}`;

      const initial = await peer.waitForSipMessage(
        (m) => isNotify(m) && /Subscription-State:\s*active/i.test(m.text),
        15_000,
      );
      assert.ok(initial, `no NOTIFY after twinkle's SUBSCRIBE\n${await details()}`);
      const subscribe = (await peer.sipMessages()).find(
        (m) => m.direction === 'out' && m.firstLine.startsWith('SUBSCRIBE ') && /Authorization:\s*Digest/i.test(m.text),
      );
      assert.ok(subscribe, `twinkle's SUBSCRIBE with digest credentials is in its log\n${await details()}`);
      assert.match(subscribe.text, /^Event:\s*message-summary/im);

      const first = await change(peer, user.name, 2, 5, details);
      const second = await change(peer, user.name, 0, 7, details);
      assert.match(second.text, /Messages-Waiting:\s*no/i);
      await new Promise((r) => setTimeout(r, 300)); // let twinkle log its answers
      const all = await peer.sipMessages();
      for (const n of [initial, first, second]) {
        assert.equal(
          answerTo(all, n)?.firstLine,
          'SIP/2.0 200 OK',
          `twinkle accepted ${cseqOf(n)}\n${await details()}`,
        );
        assert.equal(callIdOf(n), callIdOf(subscribe), 'each NOTIFY belongs to the subscription dialog');
      }
      assert.doesNotMatch(peer.output(), /MWI subscription (failed|terminated)/, await details());

      const status = await peer.quit(6000);
      const final = (await peer.sipMessages()).filter(
        (m) => m.direction === 'out' && m.firstLine.startsWith('SUBSCRIBE ') && /^Expires:\s*0\s*$/im.test(m.text),
      );
      t.diagnostic(`twinkle exit: ${JSON.stringify(status)}; unsubscribes sent: ${final.length}`);
      for (const line of describeNotifies(await peer.sipMessages())) t.diagnostic(line);
      assert.ok(final.length > 0, `twinkle unsubscribes (Expires: 0) when it quits\n${await details()}`);
    });
  }

  test('with mwi_sollicited=no it only registers, and accepts unsolicited NOTIFYs with the counts', async (t) => {
    const twinkle = requirePeer(t, 'twinkle-console');
    if (!twinkle || !server) return;
    const user = USERS.unsolicited;
    const peer = await startTwinkle(twinkle, {
      user: user.name,
      password: user.password,
      domain: DOMAIN,
      proxy: server.address('udp'),
      transport: 'udp',
      subscribe: false,
    });
    peers.push(peer);
    const details = async (): Promise<string> =>
      `twinkle output:\n${peer.output().slice(-3000)}\ntwinkle log (SIP):\n${(await peer.log()).slice(-12000)}\nopenum stderr:\n${server?.process.stderr.slice(-3000) ?? ''}`;
    const registered = await peer.process.waitFor((out) => /registration succeeded/.test(out), 15_000);
    assert.ok(registered, `twinkle did not register\n${await details()}`);

    const changed = await change(peer, user.name, 1, 4, details);
    await new Promise((r) => setTimeout(r, 300));
    const all = await peer.sipMessages();
    for (const line of describeNotifies(all)) t.diagnostic(line);
    assert.ok(
      !all.some((m) => m.direction === 'out' && m.firstLine.startsWith('SUBSCRIBE ')),
      'no SUBSCRIBE with mwi_sollicited=no',
    );
    assert.doesNotMatch(logHeader(changed, 'To') ?? '', /;\s*tag=/i, 'out of any dialog: no To-tag');
    // RFC 6665 section 8.1 / RFC 3265 section 7.1: Contact is mandatory in NOTIFY; twinkle rejects a NOTIFY without one
    assert.equal(
      answerTo(all, changed)?.firstLine,
      'SIP/2.0 200 OK',
      `twinkle accepted the unsolicited NOTIFY\n${changed.text}\n${await details()}`,
    );
  });
});
