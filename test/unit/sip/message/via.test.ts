import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SipParseError, formatVia, parseVia } from '../../../../src/sip/message/index.js';

function rejects(s: string): void {
  assert.throws(
    () => parseVia(s),
    (e: unknown) => e instanceof SipParseError && e.code === 'via' && e.status === 400,
    s,
  );
}

describe('Via (RFC 3261 20.42)', () => {
  test('one entry with the usual parameters', () => {
    const [v, ...rest] = parseVia('SIP/2.0/UDP pc33.example.com:5066;branch=z9hG4bK776asdhds;rport;received=192.0.2.4');
    assert.equal(rest.length, 0);
    assert.deepEqual(v, {
      protocol: 'SIP/2.0',
      transport: 'UDP',
      host: 'pc33.example.com',
      port: 5066,
      params: new Map<string, string | null>([
        ['branch', 'z9hG4bK776asdhds'],
        ['rport', null],
        ['received', '192.0.2.4'],
      ]),
    });
  });

  test('comma list, lower-case transport and protocol, LWS everywhere', () => {
    const vs = parseVia(
      'sip / 2.0 / tcp   a.example.com ; branch = z9hG4bK1 ,SIP/2.0/ws b.example.com:80 ,  SIP/2.0/Foo [::1]',
    );
    assert.deepEqual(
      vs.map((v) => [v.protocol, v.transport, v.host, v.port]),
      [
        ['SIP/2.0', 'TCP', 'a.example.com', undefined],
        ['SIP/2.0', 'WS', 'b.example.com', 80],
        ['SIP/2.0', 'FOO', '[::1]', undefined],
      ],
    );
    assert.equal(vs[0]?.params.get('branch'), 'z9hG4bK1');
  });

  test('IPv6 sent-by, received with and without brackets (RFC 5118 4.5)', () => {
    const [v] = parseVia('SIP/2.0/TLS [2001:db8::9:1]:5061;received=2001:db8::9:255;rport=5062');
    assert.equal(v?.host, '[2001:db8::9:1]');
    assert.equal(v?.port, 5061);
    assert.equal(v?.params.get('received'), '2001:db8::9:255');
    assert.equal(v?.params.get('rport'), '5062');
  });

  test('other protocol versions are kept', () => {
    assert.equal(parseVia('SIP/3.0/UDP h')[0]?.protocol, 'SIP/3.0');
  });

  test('formatVia', () => {
    const text = 'SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKx;rport';
    const [v] = parseVia(text);
    assert.ok(v);
    assert.equal(formatVia(v), text);
    assert.equal(formatVia({ protocol: 'SIP/2.0', transport: 'TCP', host: 'h', params: new Map() }), 'SIP/2.0/TCP h');
  });

  test('malformed values are rejected with code via (RFC 4475 3.1.2.1)', () => {
    for (const s of [
      '',
      'SIP/2.0/UDP',
      'SIP/2.0 UDP h',
      'SIP/2.0/UDPh',
      'SIP//UDP h',
      'SIP/2.0/UDP h:',
      'SIP/2.0/UDP h:70000',
      'SIP/2.0/UDP 192.0.2.15;;,;,,',
      'SIP/2.0/UDP h;',
      'SIP/2.0/UDP h;branch=',
      'SIP/2.0/UDP h,',
      'SIP/2.0/UDP h, ,SIP/2.0/UDP i',
      'SIP/2.0/UDP 2001:db8::1',
      'SIP/2.0/UDP [2001:db8::1',
      'SIP/2.0/UDP h x',
      'SIP/2.0/UDP h;branch="x',
    ])
      rejects(s);
  });
});
