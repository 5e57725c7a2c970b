import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createSipService } from '../../src/app/sip-service.js';
import { addUser } from '../../src/app/user-commands.js';
import { FakeClock } from '../../src/base/clock.js';
import { LoopbackNetwork, LoopbackTransport, TransportLayer } from '../../src/sip/transport/index.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { digestAnswer } from '../support/digest-answer.js';
import { LoopbackUa } from '../support/loopback-ua.js';
import { parseMessage } from '../../src/sip/message/index.js';

const DOMAIN = 'example.com';
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function setup(file = ':memory:') {
  const clock = new FakeClock(1_700_000_000_000);
  const net = new LoopbackNetwork();
  const serverUdp = new LoopbackTransport(net, { protocol: 'udp', address: '10.0.0.1', port: 5060 });
  const transports = new TransportLayer({ transports: [serverUdp] });
  await serverUdp.start();
  const storage = new SqliteStorage(file);
  if (!storage.getUser('alice')) {
    addUser(storage, { name: 'alice', password: 'secret', extension: '1001', domain: DOMAIN });
    addUser(storage, { name: 'bob', password: 'hunter22', domain: DOMAIN });
  }
  const svc = createSipService({ storage, domain: DOMAIN, digestSecret: Buffer.alloc(32, 7), transports, clock });
  const ua = new LoopbackUa(net, 'udp', '10.0.0.2');
  await ua.start();
  return { clock, net, storage, svc, ua, server: serverUdp.local };
}

let cseq = 1;
function register(opts: {
  user?: string;
  toUser?: string;
  contact?: string;
  expires?: string;
  auth?: string;
  callId?: string;
  cseq?: number;
}) {
  const user = opts.user ?? 'alice';
  const to = opts.toUser ?? user;
  return `REGISTER sip:${DOMAIN} SIP/2.0
Via: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bK-${Math.random().toString(36).slice(2)};rport
Max-Forwards: 70
From: <sip:${to}@${DOMAIN}>;tag=abc
To: <sip:${to}@${DOMAIN}>
Call-ID: ${opts.callId ?? 'reg-1@10.0.0.2'}
CSeq: ${opts.cseq ?? cseq++} REGISTER
Contact: ${opts.contact ?? '<sip:alice@10.0.0.2:5062>'}
${opts.expires !== undefined ? `Expires: ${opts.expires}\n` : ''}${opts.auth ? `Authorization: ${opts.auth}\n` : ''}Content-Length: 0

`;
}

function answer(challenge: string, user: string, password: string, nc = 1): string {
  return digestAnswer(challenge, { method: 'REGISTER', uri: `sip:${DOMAIN}`, user, password, nc });
}

describe('REGISTER with digest (RFC 3261 section 10.3, RFC 8760)', () => {
  test('401 with SHA-256 then MD5 challenges; the right answer binds the contact; Contact: * removes it', async () => {
    const { ua, server, svc } = await setup();
    await ua.send(server, register({}));
    const r401 = await ua.nextResponse();
    assert.equal(r401.status, 401);
    const challenges = r401.getHeaders('WWW-Authenticate');
    assert.equal(challenges.length, 2);
    assert.match(challenges[0]!, /algorithm=SHA-256/);
    assert.match(challenges[1]!, /algorithm=MD5/);
    assert.equal(r401.vias[0]!.params.get('rport'), String(ua.local.port), 'RFC 3581: rport filled in');

    let nc = 1;
    for (const ch of challenges) {
      await ua.send(server, register({ auth: answer(ch, 'alice', 'secret', nc++), expires: '600' }));
      const ok = await ua.nextResponse();
      assert.equal(ok.status, 200, `${ch.slice(0, 40)}: ${ok.reason}`);
      assert.equal(ok.contacts.length, 1);
      assert.equal(ok.contacts[0]!.nameAddr!.params.get('expires'), '600');
    }
    assert.equal(svc.registrar.lookup('alice').length, 1);
    const second = answer(challenges[0]!, 'alice', 'secret', 3);
    await ua.send(server, register({ auth: second, contact: '*', expires: '0' }));
    const removed = await ua.nextResponse();
    assert.equal(removed.status, 200);
    assert.equal(removed.contacts.length, 0);
    assert.equal(svc.registrar.lookup('alice').length, 0);
  });

  test('wrong password and unknown user get the same 403; a replayed nonce-count gets stale=true', async () => {
    const { ua, server } = await setup();
    await ua.send(server, register({}));
    const ch = (await ua.nextResponse()).getHeaders('WWW-Authenticate')[0]!;
    await ua.send(server, register({ auth: answer(ch, 'alice', 'wrong') }));
    const wrong = await ua.nextResponse();
    await ua.send(server, register({ user: 'mallory', toUser: 'alice', auth: answer(ch, 'mallory', 'x') }));
    const unknown = await ua.nextResponse();
    assert.equal(wrong.status, 403);
    assert.equal(unknown.status, 403);
    assert.equal(wrong.reason, unknown.reason);

    const good = answer(ch, 'alice', 'secret', 9);
    await ua.send(server, register({ auth: good }));
    assert.equal((await ua.nextResponse()).status, 200);
    await ua.send(server, register({ auth: good }));
    const replay = await ua.nextResponse();
    assert.equal(replay.status, 401);
    assert.match(replay.getHeader('WWW-Authenticate')!, /stale=true/i);
  });

  test("bob cannot change alice's bindings (403); an unknown AOR is 404; extension alias works", async () => {
    const { ua, server, svc } = await setup();
    await ua.send(server, register({}));
    const ch = (await ua.nextResponse()).getHeaders('WWW-Authenticate')[0]!;
    await ua.send(server, register({ user: 'bob', toUser: 'alice', auth: answer(ch, 'bob', 'hunter22', 1) }));
    assert.equal((await ua.nextResponse()).status, 403);
    await ua.send(server, register({ user: 'bob', toUser: 'nobody', auth: answer(ch, 'bob', 'hunter22', 2) }));
    assert.equal((await ua.nextResponse()).status, 404);
    await ua.send(server, register({ user: 'alice', toUser: '1001', auth: answer(ch, 'alice', 'secret', 3) }));
    const viaExt = await ua.nextResponse();
    assert.equal(viaExt.status, 200);
    assert.equal(svc.registrar.lookup('alice').length, 1);
  });

  test('Expires below Min-Expires gets 423 with Min-Expires; several contacts per user; +sip.instance identity', async () => {
    const { ua, server, svc, clock } = await setup();
    await ua.send(server, register({}));
    const ch = (await ua.nextResponse()).getHeaders('WWW-Authenticate')[0]!;
    let nc = 1;
    const auth = () => answer(ch, 'alice', 'secret', nc++);
    await ua.send(server, register({ auth: auth(), expires: '10' }));
    const brief = await ua.nextResponse();
    assert.equal(brief.status, 423);
    assert.equal(brief.getHeader('Min-Expires'), '60');
    await ua.send(
      server,
      register({ auth: auth(), contact: '<sip:alice@10.0.0.2:5062>;+sip.instance="<urn:uuid:1111>"' }),
    );
    assert.equal((await ua.nextResponse()).status, 200);
    await ua.send(server, register({ auth: auth(), contact: '<sip:alice@10.0.0.3:5070>', callId: 'other@x' }));
    assert.equal((await ua.nextResponse()).contacts.length, 2);
    // Same instance, new address: replaces, not adds (RFC 5626 section 6).
    await ua.send(
      server,
      register({ auth: auth(), contact: '<sip:alice@10.0.0.9:5062>;+sip.instance="<urn:uuid:1111>"' }),
    );
    const res = await ua.nextResponse();
    assert.equal(res.contacts.length, 2);
    const uris = svc.registrar
      .lookup('alice')
      .map((b) => b.uri)
      .sort();
    assert.deepEqual(uris, ['sip:alice@10.0.0.3:5070', 'sip:alice@10.0.0.9:5062']);
    // Bindings lapse at their expiry.
    await ua.send(server, register({ auth: auth(), contact: '<sip:alice@10.0.0.4>;expires=60', callId: 'third@x' }));
    assert.equal((await ua.nextResponse()).contacts.length, 3);
    clock.advance(61_000);
    assert.equal(svc.registrar.lookup('alice').length, 2);
    assert.equal(svc.registrar.sweepExpired(), 1);
  });

  test('bindings survive a restart (SQLite)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openum-reg-'));
    dirs.push(dir);
    const file = join(dir, 'openum.sqlite');
    const first = await setup(file);
    await first.ua.send(first.server, register({}));
    const ch = (await first.ua.nextResponse()).getHeaders('WWW-Authenticate')[0]!;
    await first.ua.send(first.server, register({ auth: answer(ch, 'alice', 'secret') }));
    assert.equal((await first.ua.nextResponse()).status, 200);
    first.svc.core.close();
    first.storage.close();
    const second = await setup(file);
    const b = second.svc.registrar.lookup('alice');
    assert.equal(b.length, 1);
    assert.equal(b[0]!.uri, 'sip:alice@10.0.0.2:5062');
    second.storage.close();
  });

  test('OPTIONS gets 200 with Allow; an unknown method 405; an unparseable request a stateless 400', async () => {
    const { ua, server } = await setup();
    await ua.send(
      server,
      `OPTIONS sip:${DOMAIN} SIP/2.0
Via: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bK-opt1;rport
Max-Forwards: 70
From: <sip:probe@${DOMAIN}>;tag=1
To: <sip:${DOMAIN}>
Call-ID: opt-1
CSeq: 1 OPTIONS
Content-Length: 0

`,
    );
    const ok = await ua.nextResponse();
    assert.equal(ok.status, 200);
    assert.match(ok.getHeader('Allow')!, /REGISTER/);
    await ua.send(
      server,
      `FOO sip:${DOMAIN} SIP/2.0
Via: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bK-foo1;rport
Max-Forwards: 70
From: <sip:probe@${DOMAIN}>;tag=1
To: <sip:${DOMAIN}>
Call-ID: foo-1
CSeq: 1 FOO
Content-Length: 0

`,
    );
    assert.equal((await ua.nextResponse()).status, 405);
    await ua.send(
      server,
      `OPTIONS sip:${DOMAIN} SIP/2.0
Via: SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bK-bad1;rport
Max-Forwards: 70
From: <sip:probe@${DOMAIN}>;tag=1
To: <sip:${DOMAIN}>
Call-ID: bad-1
CSeq: notanumber OPTIONS
Content-Length: 0

`,
    );
    // The answer echoes the bad CSeq byte for byte, so read it as text.
    const bad = (await ua.nextRaw()).toString();
    assert.match(bad, /^SIP\/2\.0 400 [^\r]*CSeq/i, bad);
    assert.match(bad, /\r\nCall-ID: bad-1\r\n/);
  });
});

describe('WebSocket contacts (RFC 7118 section 5.2)', () => {
  test('a contact registered over a WebSocket connection goes away when the connection closes', async () => {
    const clock = new FakeClock(1_700_000_000_000);
    const net = new LoopbackNetwork();
    const ws = new LoopbackTransport(net, { protocol: 'ws', address: '10.0.0.1', port: 8080 });
    await ws.start();
    const storage = new SqliteStorage(':memory:');
    addUser(storage, { name: 'alice', password: 'secret', domain: DOMAIN });
    const svc = createSipService({
      storage,
      domain: DOMAIN,
      digestSecret: Buffer.alloc(32, 7),
      transports: new TransportLayer({ transports: [ws] }),
      clock,
    });
    const browser = new LoopbackTransport(net, { protocol: 'ws', address: '10.0.0.7', dial: true });
    const inbox: Buffer[] = [];
    browser.delegate = {
      onData: (d) => {
        inbox.push(d.data);
      },
    };
    await browser.start();
    const text = (auth: string, cseq: number) =>
      `REGISTER sip:${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-ws${cseq}\r\nMax-Forwards: 70\r\nFrom: <sip:alice@${DOMAIN}>;tag=w\r\nTo: <sip:alice@${DOMAIN}>\r\nCall-ID: ws-1\r\nCSeq: ${cseq} REGISTER\r\nContact: <sip:a8k2@df7jal23ls0d.invalid;transport=ws>;expires=600\r\n${auth}Content-Length: 0\r\n\r\n`;
    const next = async (): Promise<Buffer> => {
      for (let i = 0; i < 100 && inbox.length === 0; i++) await new Promise((r) => setImmediate(r));
      return inbox.shift()!;
    };
    await browser.send(ws.local, Buffer.from(text('', 1)));
    const ch = parseMessage(await next()).getHeaders('WWW-Authenticate')[0]!;
    await browser.send(ws.local, Buffer.from(text(`Authorization: ${answer(ch, 'alice', 'secret')}\r\n`, 2)));
    assert.equal((parseMessage(await next()) as { status: number }).status, 200);
    assert.equal(svc.registrar.lookup('alice').length, 1);
    const [flow] = browser.flowIds;
    browser.closeFlow(flow!);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(svc.registrar.lookup('alice').length, 0, 'the WebSocket contact is unreachable now');
    storage.close();
  });
});
