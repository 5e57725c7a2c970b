/**
 * `openum phone` over a connection (TCP here; TLS and WebSocket behave
 * alike above the transport): NOTIFYs come back over the phone's own
 * connection, CRLFCRLF keep-alives hold it open (RFC 5626 section 4.4.1),
 * and when it closes the phone registers and subscribes again (RFC 5626
 * section 4.4.1 flow recovery). Also the digest algorithm choice.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCredentials } from '../../src/sip/auth/index.js';
import { parseMessage, SipRequest } from '../../src/sip/message/index.js';
import { PHONE_ADDRESS, sent, startServer, until } from './phone-harness.js';

describe('openum phone over TCP, and digest algorithms', () => {
  test("NOTIFYs over the phone's connection; keep-alives; a closed connection is recovered", async () => {
    const h = await startServer();
    try {
      const p = await h.phone({ protocol: 'tcp' });
      await p.phone.start();
      await until(() => p.lines.length === 3, 'the first state');
      assert.deepEqual(p.lines, [
        'registered alice at 10.0.0.1:5060',
        'subscribed (rfc3842)',
        'mwi alice off new=0 old=0 (rfc3842)',
      ]);
      assert.equal(h.tcp.flowIds.length, 1, 'one connection, opened by the phone');
      const binding = h.svc.registrar.lookup('alice')[0];
      assert.match(binding?.uri ?? '', /;transport=tcp$/);

      // RFC 5626 4.4.1: a CRLFCRLF ping every 100 s.
      const pingsBefore = h.packets.filter((pk) => pk.data.toString('latin1') === '\r\n\r\n').length;
      await h.advance(100_000, 10_000);
      const pings = h.packets.filter(
        (pk) => pk.data.toString('latin1') === '\r\n\r\n' && pk.from.address === PHONE_ADDRESS,
      );
      assert.equal(pings.length - pingsBefore, 1);

      // The server closes the connection: the phone comes back on a new one.
      h.tcp.closeFlow(h.tcp.flowIds[0]!);
      await until(() => p.warnings.length === 1, 'the warning');
      assert.match(p.warnings[0]!, /connection to the server closed; registering and subscribing again/);
      await h.advance(1000, 100);
      await until(() => p.lines.length === 5, 'registered and subscribed again');
      assert.deepEqual(p.lines.slice(3).sort(), ['registered alice at 10.0.0.1:5060', 'subscribed (rfc3842)']);
      assert.equal(h.tcp.flowIds.length, 1, 'a new connection');
      assert.equal(h.svc.registrar.lookup('alice').length, 1);

      h.setLamp('alice', 3, 0);
      await until(() => p.lines.length === 6, 'the change over the new connection');
      assert.equal(p.lines[5], 'mwi alice on new=3 old=0 (rfc3842)');
    } finally {
      await h.shutdown();
    }
  });

  for (const [offered, expected] of [
    [['SHA-256', 'MD5'], 'SHA-256'],
    [['MD5', 'SHA-256'], 'MD5'],
    [['MD5'], 'MD5'],
  ] as const) {
    test(`the server offers ${offered.join(', ')}: the phone answers with ${expected}`, async () => {
      const h = await startServer({ authAlgorithms: [...offered] });
      try {
        const p = await h.phone();
        await p.phone.start();
        const authorized = sent(h, 'REGISTER ', PHONE_ADDRESS)
          .map((pk) => parseMessage(pk.data))
          .filter((m): m is SipRequest => m instanceof SipRequest && m.hasHeader('Authorization'));
        assert.ok(authorized.length >= 1);
        for (const r of authorized) assert.equal(parseCredentials(r.getHeader('Authorization')!).algorithm, expected);
        assert.equal(h.svc.registrar.lookup('alice').length, 1);
      } finally {
        await h.shutdown();
      }
    });
  }
});
