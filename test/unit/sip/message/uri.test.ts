import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AbsoluteUri, SipParseError, SipUri, TelUri, parseUri } from '../../../../src/sip/message/index.js';
import { isIPv6 } from '../../../../src/sip/message/host.js';

function sipUri(s: string): SipUri {
  const u = parseUri(s);
  assert.ok(u instanceof SipUri, `${s} is a SIP URI`);
  return u;
}

function rejectsUri(s: string): void {
  assert.throws(
    () => parseUri(s),
    (e: unknown) => e instanceof SipParseError && e.code === 'uri' && e.status === 400,
    s,
  );
}

describe('SIP URI (RFC 3261 19.1)', () => {
  test('all parts', () => {
    const u = sipUri(
      'sip:alice:secret@Example.COM:5060;transport=TCP;lr;maddr=239.255.255.1?Subject=hi%20there&Priority=urgent',
    );
    assert.equal(u.scheme, 'sip');
    assert.equal(u.user, 'alice');
    assert.equal(u.password, 'secret');
    assert.equal(u.host, 'Example.COM');
    assert.equal(u.port, 5060);
    assert.deepEqual(
      [...u.params],
      [
        ['transport', 'TCP'],
        ['lr', null],
        ['maddr', '239.255.255.1'],
      ],
    );
    assert.equal(u.transport, 'tcp');
    assert.deepEqual(
      [...u.headers],
      [
        ['Subject', 'hi there'],
        ['Priority', 'urgent'],
      ],
    );
    assert.equal(
      u.toString(),
      'sip:alice:secret@Example.COM:5060;transport=TCP;lr;maddr=239.255.255.1?Subject=hi%20there&Priority=urgent',
    );
  });

  test('scheme is case-insensitive; sips', () => {
    assert.equal(sipUri('SIP:bob@example.com').scheme, 'sip');
    assert.equal(sipUri('sIpS:bob@example.com').scheme, 'sips');
    assert.equal(sipUri('sips:bob@example.com').toString(), 'sips:bob@example.com');
  });

  test('host only, IPv4, IPv6 reference with port', () => {
    const a = sipUri('sip:example.com');
    assert.equal(a.user, undefined);
    assert.equal(a.port, undefined);
    assert.equal(a.transport, undefined);
    assert.equal(sipUri('sip:192.0.2.1:5080').port, 5080);
    const v6 = sipUri('sip:alice@[2001:db8::1]:5061;transport=tls');
    assert.equal(v6.host, '[2001:db8::1]');
    assert.equal(v6.port, 5061);
    assert.equal(v6.transport, 'tls');
  });

  test('parameter names are case-insensitive (lower-cased), values kept', () => {
    const u = sipUri('sip:a@b;TRANSPORT=UDP;Foo=BaR');
    assert.equal(u.params.get('transport'), 'UDP');
    assert.equal(u.params.get('foo'), 'BaR');
  });

  test('escapes are decoded and re-encoded (RFC 3261 19.1.2, 19.1.4)', () => {
    const u = sipUri('sip:%61lice%20smith@example.com;na%6De=v%3Bx');
    assert.equal(u.user, 'alice smith');
    assert.equal(u.params.get('name'), 'v;x');
    assert.equal(u.toString(), 'sip:alice%20smith@example.com;name=v%3Bx');
    const v = new SipUri('sip', 'example.com', 'a@b:c%d');
    assert.equal(v.toString(), 'sip:a%40b%3Ac%25d@example.com');
    assert.equal(sipUri(v.toString()).user, 'a@b:c%d');
  });

  test('a telephone-subscriber user keeps ;, ? and / (user-unreserved)', () => {
    const u = sipUri('sip:+1-212-555-1212;isub=1411;postd=pp22@gw.example.com;user=phone');
    assert.equal(u.user, '+1-212-555-1212;isub=1411;postd=pp22');
    assert.equal(u.params.get('user'), 'phone');
  });

  test('maps are created lazily and clone is deep', () => {
    const u = sipUri('sip:a@b;x=1?h=v');
    const c = u.clone();
    c.params.set('x', '2');
    c.headers.set('h', 'w');
    assert.equal(u.params.get('x'), '1');
    assert.equal(u.headers.get('h'), 'v');
    const plain = new SipUri('sip', 'b');
    assert.equal(plain.params.size, 0);
    plain.params.set('lr', null);
    assert.equal(plain.toString(), 'sip:b;lr');
    plain.headers = new Map([['Subject', 'x y']]);
    assert.equal(plain.toString(), 'sip:b;lr?Subject=x%20y');
  });

  test('malformed SIP URIs are rejected with code uri', () => {
    for (const s of [
      '',
      'sip:',
      'sip:@example.com',
      'sip:a@',
      'sip:a@b:',
      'sip:a@b:99999',
      'sip:a@b:5x',
      'sip:a@[::1',
      'sip:a@[1:2:3]',
      'sip:a@b;',
      'sip:a@b;;lr',
      'sip:a@b;=1',
      'sip:a@b?',
      'sip:a@b?x',
      'sip:a@b?=1',
      'sip:a@b?x=1&',
      'sip:a b@c',
      'sip:a@b c',
      '<sip:a@b>',
      'sip:us%zzer@h',
      'sip:us%4@h',
      'sip:a"b@c',
      'sip:a@b;p=a"b',
      'sip:a@b>',
      '1sip:a@b',
      'sip',
      ':a@b',
      'sip:a@b:5060:5061',
      'sip:2001:db8::10',
    ])
      rejectsUri(s);
  });
});

describe('tel and other URIs', () => {
  test('tel: URI (RFC 3966)', () => {
    const u = parseUri('tel:+1-201-555-0123;phone-context=example.com;ext=22');
    assert.ok(u instanceof TelUri);
    assert.equal(u.scheme, 'tel');
    assert.equal(u.number, '+1-201-555-0123');
    assert.equal(u.params.get('phone-context'), 'example.com');
    assert.equal(u.toString(), 'tel:+1-201-555-0123;phone-context=example.com;ext=22');
    rejectsUri('tel:');
    rejectsUri('tel:+1 555');
  });

  test('other absolute URIs are kept verbatim', () => {
    const u = parseUri('urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6');
    assert.ok(u instanceof AbsoluteUri);
    assert.equal(u.scheme, 'urn');
    assert.equal(u.toString(), 'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6');
    const h = parseUri('HTTP://www.example.com/a?b=c#d');
    assert.ok(h instanceof AbsoluteUri);
    assert.equal(h.scheme, 'http');
    rejectsUri('mailto:');
    rejectsUri('http://a b');
    rejectsUri('http://a<b');
  });
});

describe('IPv6 addresses (RFC 4291, RFC 5118)', () => {
  test('valid forms', () => {
    for (const a of [
      '::',
      '::1',
      '1::',
      '2001:db8::10',
      '2001:db8:0:0:0:0:0:1',
      '1:2:3:4:5:6:7:8',
      '::ffff:192.0.2.2',
      '2001:db8::192.0.2.1',
      '1:2:3:4:5:6:192.0.2.1',
      '::192.0.2.1',
      'fe80::1:2:3:4:5:6',
      'ABCD:ef01::9',
      // RFC 5118 4.10: the RFC 3261 ABNF three-colon form is tolerated
      '2001:db8:::192.0.2.1',
      ':::192.0.2.1',
    ])
      assert.ok(isIPv6(a, 0, a.length), a);
  });

  test('invalid forms', () => {
    for (const a of [
      '',
      ':',
      ':::',
      '1',
      '1:2',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '12345::1',
      'g::1',
      ':1::2',
      '1::2:',
      '1:2:3:4:5:6:7:192.0.2.1',
      '::192.0.2',
      '::192.0.2.256',
      '::1.2.3.4.5',
      '1:::2',
      '2001:db8::1%eth0',
    ])
      assert.ok(!isIPv6(a, 0, a.length), a);
  });
});
