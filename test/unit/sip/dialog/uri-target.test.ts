import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipParseError } from '../../../../src/sip/message/index.js';
import { DialogError, resolveUriTarget } from '../../../../src/sip/dialog/index.js';

describe('resolveUriTarget (RFC 3263 section 4 without DNS)', () => {
  const cases: [string, boolean, string, string, number][] = [
    // uri, secure, protocol, address, port
    ['sip:bob@192.0.2.20', false, 'udp', '192.0.2.20', 5060],
    ['sip:bob@192.0.2.20:5062', false, 'udp', '192.0.2.20', 5062],
    ['sip:bob@192.0.2.20;transport=tcp', false, 'tcp', '192.0.2.20', 5060],
    ['sip:bob@192.0.2.20;transport=TCP', false, 'tcp', '192.0.2.20', 5060],
    ['sip:bob@192.0.2.20;transport=tls', false, 'tls', '192.0.2.20', 5061],
    ['sips:bob@192.0.2.20', false, 'tls', '192.0.2.20', 5061],
    ['sips:bob@192.0.2.20;transport=tcp', false, 'tls', '192.0.2.20', 5061],
    ['sips:bob@192.0.2.20:7000', false, 'tls', '192.0.2.20', 7000],
    ['sip:bob@phone.example.com', false, 'udp', 'phone.example.com', 5060],
    ['sip:[2001:db8::20]:5070', false, 'udp', '2001:db8::20', 5070],
    ['sip:bob@df7jal23ls0d.invalid;transport=ws', false, 'ws', 'df7jal23ls0d.invalid', 80],
    ['sips:bob@df7jal23ls0d.invalid;transport=ws', false, 'wss', 'df7jal23ls0d.invalid', 443],
    ['sip:bob@192.0.2.20:8443;transport=wss', false, 'wss', '192.0.2.20', 8443],
    ['sip:bob@proxy.example.com;maddr=192.0.2.77;transport=tcp', false, 'tcp', '192.0.2.77', 5060],
    ['sip:bob@proxy.example.com;maddr=[2001:db8::1]', false, 'udp', '2001:db8::1', 5060],
    ['sip:p1.example.com;lr', false, 'udp', 'p1.example.com', 5060],
    // a secure dialog upgrades (RFC 3261 12.1.1 secure flag)
    ['sip:bob@192.0.2.20', true, 'tls', '192.0.2.20', 5061],
    ['sip:bob@192.0.2.20;transport=tcp', true, 'tls', '192.0.2.20', 5061],
    ['sip:bob@192.0.2.20;transport=ws', true, 'wss', '192.0.2.20', 443],
  ];
  for (const [uri, secure, protocol, address, port] of cases) {
    test(`${uri}${secure ? ' (secure)' : ''} -> ${protocol} ${address}:${port}`, () => {
      assert.deepEqual(resolveUriTarget(uri, secure), { protocol, address, port });
    });
  }

  test('unusable URIs: typed errors', () => {
    const code = (c: string) => (e: unknown) => e instanceof DialogError && e.code === c;
    assert.throws(() => resolveUriTarget('tel:+1-201-555-0123'), code('unsupported-uri'));
    assert.throws(() => resolveUriTarget('mailto:a@example.com'), code('unsupported-uri'));
    assert.throws(() => resolveUriTarget('sip:a@192.0.2.1;transport=sctp'), code('unsupported-transport'));
    assert.throws(() => resolveUriTarget('sips:a@192.0.2.1;transport=udp'), code('unsupported-transport'));
    assert.throws(() => resolveUriTarget('sip:a@192.0.2.1;transport=udp', true), code('unsupported-transport'));
    assert.throws(() => resolveUriTarget('sip:a@192.0.2.1;maddr'), SipParseError);
    assert.throws(() => resolveUriTarget('sip:'), SipParseError);
    assert.throws(() => resolveUriTarget(''), SipParseError);
  });
});
