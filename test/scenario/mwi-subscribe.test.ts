import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSipService } from '../../src/app/sip-service.js';
import { addUser } from '../../src/app/user-commands.js';
import { parseMessageSummary } from '../../src/events/packages/message-summary/message-summary-body.js';
import { FakeClock } from '../../src/base/clock.js';
import { LoopbackNetwork, LoopbackTransport, TransportLayer } from '../../src/sip/transport/index.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { digestAnswer } from '../support/digest-answer.js';
import { LoopbackUa } from '../support/loopback-ua.js';

const DOMAIN = 'example.com';

async function setup() {
  const clock = new FakeClock(1_700_000_000_000);
  const net = new LoopbackNetwork();
  const udp = new LoopbackTransport(net, { protocol: 'udp', address: '10.0.0.1', port: 5060 });
  await udp.start();
  const storage = new SqliteStorage(':memory:');
  addUser(storage, { name: 'alice', password: 'secret', domain: DOMAIN });
  const svc = createSipService({
    storage,
    domain: DOMAIN,
    digestSecret: Buffer.alloc(32, 1),
    authAlgorithms: ['MD5'],
    transports: new TransportLayer({ transports: [udp] }),
    clock,
    trust: ['10.0.0.9/32'],
  });
  svc.start();
  const phone = new LoopbackUa(net, 'udp', '10.0.0.2');
  const um = new LoopbackUa(net, 'udp', '10.0.0.9');
  await phone.start();
  await um.start();
  return { clock, storage, svc, phone, um, server: udp.local };
}

function subscribe(port: number, extra = '', tag = '', cseq = 1, callId = 'sub-1') {
  return `SUBSCRIBE sip:alice@${DOMAIN} SIP/2.0
Via: SIP/2.0/UDP 10.0.0.2:${port};branch=z9hG4bK-s${Math.random().toString(36).slice(2)};rport
Max-Forwards: 70
From: <sip:alice@${DOMAIN}>;tag=p1
To: <sip:alice@${DOMAIN}>${tag ? `;tag=${tag}` : ''}
Call-ID: ${callId}
CSeq: ${cseq} SUBSCRIBE
Contact: <sip:alice@10.0.0.2:${port}>
Event: message-summary
Accept: application/simple-message-summary
${extra}Content-Length: 0

`;
}

function digest(ch: string, method: string, uri: string, nc: number): string {
  return `Authorization: ${digestAnswer(ch, { method, uri, user: 'alice', password: 'secret', nc })}\n`;
}

const exchangeNotify = (body: string) => `NOTIFY sip:alice@${DOMAIN} SIP/2.0
Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-um${Math.random().toString(36).slice(2)};rport
Max-Forwards: 70
From: <sip:alice@${DOMAIN}>;epid=EDDFA7F3EE;tag=f03dc3ff8
To: <sip:alice@${DOMAIN}>
Call-ID: um-${Math.random()}
CSeq: 1 NOTIFY
Event: message-summary
Subscription-State: terminated
User-Agent: RTCC/3.5.0.0 MSExchangeUM/14.01.0218.012
Content-Type: application/simple-message-summary

${body}`;

describe('message-summary subscriptions and trusted MWI input (RFC 6665, RFC 3842)', () => {
  test('SUBSCRIBE -> 401 -> 200 + full-state NOTIFY; a trusted Exchange-style NOTIFY updates the lamp; untrusted is 403', async () => {
    const { phone, um, server, svc } = await setup();
    const port = phone.local.port;
    await phone.send(server, subscribe(port));
    const challenge = await phone.nextResponse();
    assert.equal(challenge.status, 401);
    await phone.send(
      server,
      subscribe(port, digest(challenge.getHeader('WWW-Authenticate')!, 'SUBSCRIBE', `sip:alice@${DOMAIN}`, 1)),
    );
    const ok = await phone.nextResponse();
    assert.equal(ok.status, 200, ok.reason);
    assert.equal(ok.getHeader('Expires'), '3600');
    const first = await phone.nextRequest();
    assert.equal(first.method, 'NOTIFY');
    assert.match(first.getHeader('Subscription-State')!, /^active;expires=3600$/);
    assert.equal(parseMessageSummary(first.body).messagesWaiting, false);
    await phone.respond(first, server);
    assert.equal(svc.notifier.size, 1);

    await um.send(
      server,
      exchangeNotify('Messages-Waiting: yes\r\nMessage-Account: sip:alice@example.com\r\nVoice-Message: 8/3\r\n'),
    );
    assert.equal((await um.nextResponse()).status, 200);
    const lamp = await phone.nextRequest();
    const s = parseMessageSummary(lamp.body);
    assert.equal(s.messagesWaiting, true);
    assert.deepEqual(s.classes.get('voice-message'), { new: 8, old: 3, urgentNew: 0, urgentOld: 0 });
    await phone.respond(lamp, server);
    assert.equal(svc.mwi.get('alice').version, 1);

    // A spoofed NOTIFY from a stranger changes nothing.
    await phone.send(server, exchangeNotify('Messages-Waiting: no\r\nVoice-Message: 0/0\r\n'));
    const spoof = await phone.nextResponse();
    assert.equal(spoof.status, 403);
    assert.equal(svc.mwi.get('alice').counts.new, 8);
    assert.equal(phone.pending, 0);
  });
});
