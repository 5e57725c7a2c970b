/**
 * `openum phone --dialect lync`: the Lync endpoint's self subscription
 * (PROTOCOLS.md section 4). First against a scripted Lync-style server, to
 * pin every header and the BENOTIFY rules down; then against the real
 * openum server (roaming-self package) over TCP.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Phone } from '../../src/phone/phone.js';
import { computeDigestResponse, computeHa1, parseCredentials } from '../../src/sip/auth/index.js';
import {
  createResponse,
  parseMessage,
  serializeMessage,
  SipResponse,
  type SipMessage,
  type SipRequest,
} from '../../src/sip/message/index.js';
import { FakeClock } from '../../src/base/clock.js';
import { LoopbackNetwork, LoopbackTransport, TransportLayer, type Endpoint } from '../../src/sip/transport/index.js';
import { LoopbackUa } from '../support/loopback-ua.js';
import { exchangeNotifyText } from '../support/mwi-harness.js';
import { DOMAIN, T0, UM_ADDRESS, sent, settle, startServer, until } from './phone-harness.js';

const TYPE = 'application/vnd-microsoft-roaming-self+xml';

function roamingData(version: number, unread: number, read: number): string {
  return (
    '<roamingData xmlns="http://schemas.microsoft.com/2006/09/sip/roaming-self" xmlns:cat="http://schemas.microsoft.com/2006/09/sip/categories">' +
    `<categories xmlns="http://schemas.microsoft.com/2006/09/sip/categories" uri="sip:alice@${DOMAIN}">` +
    `<category name="mwi" instance="0" publishTime="2010-10-26T07:42:42.387" container="1" version="${version}" expireType="static">` +
    `<mwi xmlns="http://schemas.microsoft.com/2006/09/sip/mwi" messageWaiting="${unread > 0}" unreadVoiceMailCount="${unread}" readVoiceMailCount="${read}"/>` +
    '</category></categories></roamingData>'
  );
}

/** A scripted Lync-style registrar and notifier on the loopback network. */
async function scripted() {
  const clock = new FakeClock(T0);
  const net = new LoopbackNetwork();
  const server = new LoopbackUa(net, 'udp', '10.0.0.1');
  await server.start();
  const transport = new LoopbackTransport(net, { protocol: 'udp', address: '10.0.0.2' });
  const transports = new TransportLayer({ transports: [transport] });
  await transports.start();
  const lines: string[] = [];
  const warnings: string[] = [];
  const phone = new Phone({
    transports,
    server: { protocol: 'udp', address: '10.0.0.1', port: server.local.port },
    serverLabel: 'lync.example.com:5060',
    user: 'alice',
    password: 'secret',
    domain: DOMAIN,
    dialect: 'lync',
    product: 'openum-phone/test',
    clock,
    delegate: { onLine: (l) => lines.push(l), onWarning: (l) => warnings.push(l) },
  });
  const phoneEp: Endpoint = transport.local;
  /** Send a response (with optional headers and body) to the phone. */
  const reply = async (
    req: SipRequest,
    status: number,
    headers: [string, string][] = [],
    body?: string,
    toTag?: string,
  ): Promise<void> => {
    const res = createResponse(req, status, status === 200 ? 'OK' : 'Unauthorized', toTag);
    for (const [n, v] of headers) res.addHeader(n, v);
    if (body !== undefined) res.body = Buffer.from(body);
    await server.transport.send(phoneEp, serializeMessage(res));
  };
  return { clock, net, server, phone, transport, lines, warnings, reply, phoneEp };
}

function checkDigest(req: SipRequest, nonce: string, algorithm: 'SHA-256' | 'MD5'): string {
  const c = parseCredentials(req.getHeader('Authorization') ?? '');
  assert.equal(c.algorithm, algorithm, 'the first algorithm offered that the phone knows');
  assert.equal(c.nonce, nonce);
  assert.equal(c.uri, req.uri.toString());
  const ha1 = computeHa1('alice', DOMAIN, 'secret', algorithm);
  assert.equal(
    c.response,
    computeDigestResponse({
      algorithm,
      ha1,
      nonce,
      method: req.method,
      uri: c.uri,
      qop: c.qop,
      nc: c.nc,
      cnonce: c.cnonce,
    }),
  );
  return c.nc ?? '';
}

describe('openum phone, Lync dialect', () => {
  test('against a scripted Lync server: SUBSCRIBE shape, piggybacked first state, BENOTIFY never answered, one line per change', async () => {
    const s = await scripted();
    const starting = s.phone.start();
    const r1 = await s.server.nextRequest('REGISTER');
    assert.equal(r1.getHeader('Authorization'), undefined);
    await s.reply(r1, 401, [
      ['WWW-Authenticate', 'Basic realm="legacy"'],
      ['WWW-Authenticate', `Digest realm="${DOMAIN}", nonce="n1", algorithm=SHA-512-256, qop="auth"`],
      ['WWW-Authenticate', `Digest realm="${DOMAIN}", nonce="n1", algorithm=SHA-256, qop="auth"`],
      ['WWW-Authenticate', `Digest realm="${DOMAIN}", nonce="n1", algorithm=MD5, qop="auth"`],
    ]);
    const r2 = await s.server.nextRequest('REGISTER');
    assert.equal(r2.callId, r1.callId);
    assert.equal(r2.cseq.seq, r1.cseq.seq + 1);
    assert.equal(checkDigest(r2, 'n1', 'SHA-256'), '00000001');
    const contact = r2.contacts[0]?.nameAddr?.uri.toString() ?? '';
    await s.reply(r2, 200, [['Contact', `<${contact}>;expires=600`]]);

    const sub = await s.server.nextRequest('SUBSCRIBE');
    assert.equal(sub.getHeader('Event'), 'vnd-microsoft-roaming-self');
    assert.equal(sub.getHeader('Accept'), TYPE);
    assert.equal(sub.getHeader('Content-Type'), TYPE);
    assert.deepEqual(sub.getHeaderList('Supported').sort(), ['ms-benotify', 'ms-piggyback-first-notify']);
    assert.match(
      sub.body.toString(),
      /^<roamingList xmlns="http:\/\/schemas\.microsoft\.com\/2006\/09\/sip\/roaming-self"><roaming type="categories"\/>/,
    );
    assert.equal(sub.uri.toString(), `sip:alice@${DOMAIN}`);
    assert.equal(checkDigest(sub, 'n1', 'SHA-256'), '00000002', 'pre-emptive credentials, next nonce count');
    await s.reply(
      sub,
      200,
      [
        ['Contact', `<sip:10.0.0.1:${s.server.local.port}>`],
        ['Expires', '3600'],
        ['Supported', 'ms-benotify'],
        ['Content-Type', TYPE],
      ],
      roamingData(32, 8, 3),
      'srv1',
    );
    await starting;
    assert.deepEqual(s.lines, [
      'registered alice at lync.example.com:5060',
      'subscribed (lync)',
      'mwi alice on new=8 old=3 (lync, version 32)',
    ]);

    const fromTag = sub.from.params.get('tag') ?? '';
    let cseq = 0;
    const inDialog = (
      method: string,
      state: string,
      body: string,
      seq = ++cseq,
    ): string => `${method} ${contact} SIP/2.0
Via: SIP/2.0/UDP 10.0.0.1:${s.server.local.port};branch=z9hG4bK-be${seq}x${Math.random().toString(36).slice(2)}
Max-Forwards: 70
From: <sip:alice@${DOMAIN}>;tag=srv1
To: <sip:alice@${DOMAIN}>;tag=${fromTag}
Call-ID: ${sub.callId}
CSeq: ${seq} ${method}
Event: vnd-microsoft-roaming-self
Require: eventlist
Subscription-State: ${state}
Content-Type: ${TYPE}

${body}`;

    await s.server.send(s.phoneEp, inDialog('BENOTIFY', 'active;expires=3500', roamingData(33, 9, 3)));
    await until(() => s.lines.length === 4, 'the BENOTIFY change');
    assert.equal(s.lines[3], 'mwi alice on new=9 old=3 (lync, version 33)');
    await s.server.expectSilence('no answer to a BENOTIFY');

    await s.server.send(s.phoneEp, inDialog('BENOTIFY', 'active;expires=3400', roamingData(34, 9, 3)));
    await s.server.expectSilence('no answer to a BENOTIFY');
    assert.equal(s.lines.length, 4, 'a new version with the same counts prints nothing');

    await s.server.send(s.phoneEp, inDialog('NOTIFY', 'active;expires=3300', roamingData(35, 0, 12)));
    assert.equal((await s.server.nextResponse()).status, 200, 'a plain NOTIFY is answered');
    assert.equal(s.lines[4], 'mwi alice off new=0 old=12 (lync, version 35)');

    await s.server.send(s.phoneEp, inDialog('NOTIFY', 'active;expires=3300', roamingData(36, 1, 1), 2));
    assert.equal((await s.server.nextResponse()).status, 500, 'CSeq out of order (RFC 3261 12.2.2)');
    await s.server.send(s.phoneEp, inDialog('BENOTIFY', 'active', '<roamingData><categories>'));
    await s.server.expectSilence('no answer to a malformed BENOTIFY either');
    assert.match(s.warnings.join('\n'), /unreadable application\/vnd-microsoft-roaming-self\+xml body/);
    assert.equal(s.lines.length, 5);

    // Lync endpoints take no message-summary: 489 makes the server stop sending it unsolicited.
    await s.server.send(s.phoneEp, exchangeNotifyText(s.server.local).replace(/^NOTIFY \S+/, `NOTIFY ${contact}`));
    assert.equal((await s.server.nextResponse()).status, 489);

    // The notifier shortens the subscription to 100 s: the phone refreshes in time (RFC 6665 4.1.3).
    await s.server.send(s.phoneEp, inDialog('BENOTIFY', 'active;expires=100', roamingData(37, 0, 12)));
    await settle();
    s.clock.advance(70_000);
    const refresh = await s.server.nextRequest('SUBSCRIBE');
    assert.equal(refresh.to.params.get('tag'), 'srv1');
    assert.equal(refresh.callId, sub.callId);
    assert.equal(refresh.getHeader('Expires'), '3600');
    assert.match(refresh.body.toString(), /<roamingList /);
    await s.reply(refresh, 200, [
      ['Contact', `<sip:10.0.0.1:${s.server.local.port}>`],
      ['Expires', '3600'],
    ]);

    // Stop: unsubscribe and unregister, answer the final NOTIFY.
    const stopping = s.phone.stop();
    const first = await s.server.nextRequest();
    const second = await s.server.nextRequest();
    const unsub = [first, second].find((m) => m.method === 'SUBSCRIBE');
    const unreg = [first, second].find((m) => m.method === 'REGISTER');
    assert.equal(unsub?.getHeader('Expires'), '0');
    assert.equal(unsub?.to.params.get('tag'), 'srv1');
    assert.equal(unreg?.getHeader('Expires'), '0');
    assert.equal(unreg?.callId, r1.callId, "the registration's Call-ID");
    await s.reply(unreg!, 200);
    await s.reply(unsub!, 200, [
      ['Contact', `<sip:10.0.0.1:${s.server.local.port}>`],
      ['Expires', '0'],
    ]);
    await s.server.send(s.phoneEp, inDialog('NOTIFY', 'terminated;reason=timeout', roamingData(37, 0, 12)));
    assert.equal((await s.server.nextResponse()).status, 200);
    await stopping;
    assert.deepEqual(s.lines.slice(5), [], 'nothing more printed');
    await s.transport.stop();
    await s.server.stop();
  });

  test('against the openum server over TCP: roaming-self with BENOTIFY, the Exchange UM change shown with the category version', async () => {
    const h = await startServer();
    try {
      const p = await h.phone({ dialect: 'lync', protocol: 'tcp' });
      await p.phone.start();
      await until(() => p.lines.length === 3, 'the first state');
      assert.deepEqual(p.lines.slice(0, 2), ['registered alice at 10.0.0.1:5060', 'subscribed (lync)']);
      const first = /^mwi alice off new=0 old=0 \(lync, version (\d+)\)$/.exec(p.lines[2] ?? '');
      assert.ok(first, p.lines[2]);
      const um = new LoopbackUa(h.net, 'udp', UM_ADDRESS);
      await um.start();
      await um.send(h.udp.local, exchangeNotifyText(um.local));
      assert.equal((await um.nextResponse()).status, 200);
      await until(() => p.lines.length === 4, 'the lamp change');
      assert.equal(p.lines[3], `mwi alice on new=8 old=3 (lync, version ${Number(first[1]) + 1})`);
      assert.ok(sent(h, 'BENOTIFY ').length >= 1, 'the change came as BENOTIFY');
      const answers = h.packets
        .map((pk) => parseMessage(pk.data) as SipMessage)
        .filter((m) => m instanceof SipResponse && m.cseq.method === 'BENOTIFY');
      assert.deepEqual(answers, [], 'BENOTIFY is never answered');
      await p.phone.stop();
      await settle();
      assert.equal(h.svc.notifier.size, 0);
      assert.equal(h.svc.registrar.lookup('alice').length, 0);
      assert.deepEqual(p.warnings, []);
      await um.stop();
    } finally {
      await h.shutdown();
    }
  });
});
