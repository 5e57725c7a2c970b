/**
 * `openum phone` in the RFC 3842 dialect against the real openum SIP
 * service (loopback network, FakeClock): REGISTER with digest, SUBSCRIBE
 * message-summary, one line per lamp change, refreshes before expiry (with
 * a stale nonce answered once), clean unsubscribe/unregister, and the
 * failures that end `openum phone` with exit code 2.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PhoneError } from '../../src/phone/phone-error.js';
import { parseMessage, SipRequest, SipResponse } from '../../src/sip/message/index.js';
import { LoopbackUa } from '../support/loopback-ua.js';
import { exchangeNotifyText } from '../support/mwi-harness.js';
import {
  DOMAIN,
  PHONE_ADDRESS,
  SERVER_ADDRESS,
  UM_ADDRESS,
  sent,
  settle,
  startServer,
  text,
  until,
} from './phone-harness.js';

const parsed = (data: Buffer): SipRequest | SipResponse => parseMessage(data);

describe('openum phone, RFC 3842 dialect, against the openum server', () => {
  test('registers, subscribes, prints the first state and then one line per change', async () => {
    const h = await startServer();
    try {
      const p = await h.phone();
      await p.phone.start();
      await until(() => p.lines.length === 3, 'the first state');
      assert.deepEqual(p.lines, [
        'registered alice at 10.0.0.1:5060',
        'subscribed (rfc3842)',
        'mwi alice off new=0 old=0 (rfc3842)',
      ]);
      assert.equal(h.svc.registrar.lookup('alice').length, 1);
      assert.equal(h.svc.notifier.size, 1);

      // Exchange UM (a trusted peer) says 8 new, 3 old (PROTOCOLS.md section 3).
      const um = new LoopbackUa(h.net, 'udp', UM_ADDRESS);
      await um.start();
      await um.send(
        h.udp.local,
        exchangeNotifyText(um.local, {
          body: `Messages-Waiting: yes\r\nMessage-Account: sip:alice@${DOMAIN}\r\nVoice-Message: 8/3\r\n`,
        }),
      );
      assert.equal((await um.nextResponse()).status, 200);
      await until(() => p.lines.length === 4, 'the lamp change');
      assert.equal(p.lines[3], 'mwi alice on new=8 old=3 (rfc3842)');

      await um.send(
        h.udp.local,
        exchangeNotifyText(um.local, {
          body: `Messages-Waiting: no\r\nMessage-Account: sip:alice@${DOMAIN}\r\nVoice-Message: 0/2\r\n`,
        }),
      );
      assert.equal((await um.nextResponse()).status, 200);
      await until(() => p.lines.length === 5, 'the second change');
      assert.equal(p.lines[4], 'mwi alice off new=0 old=2 (rfc3842)');
      await settle();
      assert.equal(p.lines.length, 5);
      assert.deepEqual(p.warnings, []);
      await um.stop();
    } finally {
      await h.shutdown();
    }
  });

  test('refreshes registration and subscription before they lapse; a stale nonce is answered once; no line when nothing changed', async () => {
    const h = await startServer();
    try {
      const p = await h.phone();
      await p.phone.start();
      await until(() => p.lines.length === 3, 'the first state');
      await h.advance(3_700_000, 10_000);
      const bindings = h.svc.registrar.lookup('alice');
      assert.equal(bindings.length, 1, 'still registered after the first expiry');
      assert.ok(bindings[0]!.expiresAt > h.clock.now() + 3_000_000, 'refreshed for another hour');
      assert.equal(h.svc.notifier.size, 1, 'still subscribed after the first expiry');
      const registers = sent(h, 'REGISTER ', PHONE_ADDRESS);
      assert.ok(registers.length >= 3, `initial + challenged + refresh, got ${registers.length}`);
      const stale = sent(h, 'SIP/2.0 401', SERVER_ADDRESS).filter((pk) => /stale=TRUE/i.test(text(pk)));
      assert.equal(stale.length, 1, 'the refresh used an expired nonce once and got stale=true');
      assert.ok(bindings[0]!.expiresAt > h.clock.now(), 'and the retry with the new nonce succeeded');
      // The refresh brought a full-state NOTIFY with the same lamp: no new line.
      assert.equal(p.lines.length, 3);
      assert.deepEqual(p.warnings, []);
    } finally {
      await h.shutdown();
    }
  });

  test('stop unsubscribes (Expires: 0), unregisters (Expires: 0) and answers the final NOTIFY', async () => {
    const h = await startServer();
    try {
      const p = await h.phone();
      await p.phone.start();
      await until(() => p.lines.length === 3, 'the first state');
      const before = h.packets.length;
      await p.phone.stop();
      await settle();
      assert.equal(h.svc.notifier.size, 0);
      assert.equal(h.svc.registrar.lookup('alice').length, 0);
      const after = h.packets.slice(before).map((pk) => parsed(pk.data));
      const unsub = after.find((m) => m instanceof SipRequest && m.method === 'SUBSCRIBE');
      assert.ok(unsub, 'an unsubscribe was sent');
      assert.equal(unsub.getHeader('Expires'), '0');
      assert.ok(unsub.to.params.get('tag'), 'in the dialog');
      const unreg = after.find((m) => m instanceof SipRequest && m.method === 'REGISTER');
      assert.equal(unreg?.getHeader('Expires'), '0');
      const final = after.find((m) => m instanceof SipRequest && m.method === 'NOTIFY');
      assert.match(final?.getHeader('Subscription-State') ?? '', /^terminated/);
      const answered = after.some(
        (m) => m instanceof SipResponse && m.status === 200 && m.cseq.method === 'NOTIFY' && m.callId === final?.callId,
      );
      assert.ok(answered, 'the final NOTIFY was answered 200');
    } finally {
      await h.shutdown();
    }
  });

  test('a wrong password: start fails with auth-failed (403) and nothing is registered or printed', async () => {
    const h = await startServer();
    try {
      const p = await h.phone({ password: 'wrong' });
      await assert.rejects(
        p.phone.start(),
        (e: unknown) => e instanceof PhoneError && e.code === 'auth-failed' && e.status === 403,
      );
      assert.deepEqual(p.lines, []);
      assert.equal(h.svc.registrar.lookup('alice').length, 0);
      assert.equal(sent(h, 'SUBSCRIBE ').length, 0);
    } finally {
      await h.shutdown();
    }
  });

  test('no server at the address: start fails with timeout at the bound', async () => {
    const h = await startServer();
    try {
      const p = await h.phone({ serverAddress: '10.0.0.77', answerTimeoutMs: 5000 });
      let outcome: unknown;
      void p.phone.start().then(
        () => {
          outcome = 'started';
        },
        (e: unknown) => {
          outcome = e;
        },
      );
      await h.advance(4000);
      assert.equal(outcome, undefined, 'still waiting before the bound');
      await h.advance(1000);
      const failure = ((): unknown => outcome)(); // read after the clock moved (no narrowing from the check above)
      assert.ok(failure instanceof PhoneError && failure.code === 'timeout', String(failure));
      assert.match(failure.message, /no answer to REGISTER from 10\.0\.0\.1:5060 \(udp\) within 5 s/);
    } finally {
      await h.shutdown();
    }
  });

  test('Ctrl-C while the server does not answer: start gives up at once with `stopped`', async () => {
    const h = await startServer();
    try {
      const p = await h.phone({ serverAddress: '10.0.0.77' });
      let outcome: unknown;
      void p.phone.start().then(
        () => {
          outcome = 'started';
        },
        (e: unknown) => {
          outcome = e;
        },
      );
      await h.advance(2000);
      await p.phone.stop(4000);
      await settle();
      const failure = ((): unknown => outcome)();
      assert.ok(failure instanceof PhoneError && failure.code === 'stopped', String(failure));
      assert.deepEqual(p.lines, []);
    } finally {
      await h.shutdown();
    }
  });

  test('the server is gone: stop still ends within its bound', async () => {
    const h = await startServer();
    try {
      const p = await h.phone();
      await p.phone.start();
      await until(() => p.lines.length === 3, 'the first state');
      await h.udp.stop();
      let done = false;
      const stopping = p.phone.stop(4000).then(() => {
        done = true;
      });
      await h.advance(3000);
      assert.equal(done, false, 'waits for answers up to the bound');
      await h.advance(1000);
      await stopping;
      assert.equal(done, true);
    } finally {
      await h.shutdown();
    }
  });

  test('a subscription the server ends (deactivated) is renewed at once with a new dialog', async () => {
    const h = await startServer();
    try {
      const p = await h.phone();
      await p.phone.start();
      await until(() => p.lines.length === 3, 'the first state');
      const [first] = [...h.svc.notifier.subscriptionsOf('message-summary', 'alice')];
      assert.ok(first);
      h.svc.notifier.terminate(first, 'deactivated');
      await until(() => p.warnings.length === 1, 'the final NOTIFY');
      await h.advance(0);
      await until(() => p.lines.length === 4, 'subscribed again');
      assert.equal(p.lines[3], 'subscribed (rfc3842)');
      const [second] = [...h.svc.notifier.subscriptionsOf('message-summary', 'alice')];
      assert.ok(second && second !== first && second.dialog.callId !== first.dialog.callId);
      assert.match(p.warnings.join('\n'), /subscription ended \(deactivated\); subscribing again/);
      await settle();
      assert.equal(p.lines.length, 4, 'the same lamp is not printed again');
    } finally {
      await h.shutdown();
    }
  });

  test('unsolicited MWI: taken from the server (200), refused from anyone else (403)', async () => {
    const h = await startServer();
    try {
      h.setLamp('alice', 5, 1);
      const p = await h.phone();
      // Hold the SUBSCRIBE back so that the phone is registered but not subscribed for a while.
      let hold = true;
      h.net.loss = (pk) => hold && text(pk).startsWith('SUBSCRIBE ');
      const starting = p.phone.start();
      await until(() => p.lines.length === 1, 'registered');
      await h.advance(2100, 100); // after its grace period the server sends the state of a new registration, unsolicited
      const msgs = h.packets.map((pk) => parsed(pk.data));
      const unsolicited = msgs.find((m) => m instanceof SipRequest && m.method === 'NOTIFY' && !m.to.params.get('tag'));
      assert.ok(unsolicited, 'the server sent an unsolicited NOTIFY');
      assert.ok(
        msgs.some((m) => m instanceof SipResponse && m.callId === unsolicited.callId && m.status === 200),
        'answered 200',
      );
      assert.equal(p.lines.length, 1, 'the lamp waits for the subscription line');
      hold = false;
      await h.advance(4000, 100); // Timer E: the SUBSCRIBE goes again
      await starting;
      await until(() => p.lines.length === 3, 'the first state');
      assert.equal(p.lines[2], 'mwi alice on new=5 old=1 (rfc3842)');

      const stranger = new LoopbackUa(h.net, 'udp', '10.0.0.66');
      await stranger.start();
      const contact = h.svc.registrar.lookup('alice')[0]!.uri;
      await stranger.send(
        { protocol: 'udp', address: PHONE_ADDRESS, port: p.transport.local.port },
        `NOTIFY ${contact} SIP/2.0
Via: SIP/2.0/UDP 10.0.0.66:${stranger.local.port};branch=z9hG4bK-spoof1
Max-Forwards: 70
From: <sip:alice@${DOMAIN}>;tag=spoof
To: <sip:alice@${DOMAIN}>
Call-ID: spoof-1
CSeq: 1 NOTIFY
Event: message-summary
Subscription-State: terminated
Content-Type: application/simple-message-summary

Messages-Waiting: no\r\nVoice-Message: 0/0\r\n`,
      );
      assert.equal((await stranger.nextResponse()).status, 403);
      await settle();
      assert.equal(p.lines.length, 3, 'the spoofed lamp is not shown');
      await stranger.stop();
    } finally {
      await h.shutdown();
    }
  });
});
