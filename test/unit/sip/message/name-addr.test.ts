import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  SipParseError,
  SipUri,
  formatNameAddr,
  parseNameAddr,
  parseUri,
  quote,
  unquote,
} from '../../../../src/sip/message/index.js';

function rejects(s: string): void {
  assert.throws(
    () => parseNameAddr(s),
    (e: unknown) => e instanceof SipParseError && e.code === 'name-addr' && e.status === 400,
    s,
  );
}

describe('name-addr / addr-spec (RFC 3261 20.10, 25.1)', () => {
  test('quoted display name with quoted-pairs', () => {
    const n = parseNameAddr('"Alice \\"Al\\" Smith" <sip:alice@example.com>;tag=abc');
    assert.equal(n.displayName, 'Alice "Al" Smith');
    assert.equal(n.uri.toString(), 'sip:alice@example.com');
    assert.equal(n.params.get('tag'), 'abc');
  });

  test('token display name: words joined by one SP', () => {
    const n = parseNameAddr('Alice   Smith\t<sip:alice@example.com>');
    assert.equal(n.displayName, 'Alice Smith');
  });

  test('no display name', () => {
    const n = parseNameAddr('<sip:alice@example.com;transport=tcp>;expires=60');
    assert.equal(n.displayName, undefined);
    assert.equal((n.uri as SipUri).params.get('transport'), 'tcp');
    assert.equal(n.params.get('expires'), '60');
  });

  test('addr-spec: parameters after the URI belong to the header (RFC 3261 20.10)', () => {
    const n = parseNameAddr('sip:alice@example.com;tag=xyz;lr');
    assert.equal((n.uri as SipUri).params.size, 0);
    assert.deepEqual(
      [...n.params],
      [
        ['tag', 'xyz'],
        ['lr', null],
      ],
    );
    const t = parseNameAddr('tel:+15551234;tag=1');
    assert.equal(t.uri.toString(), 'tel:+15551234');
    assert.equal(t.params.get('tag'), '1');
  });

  test('addr-spec may not carry URI headers or commas', () => {
    rejects('sip:alice@example.com?Route=%3Csip:x%3E');
    rejects('sip:a@b,c');
  });

  test('whitespace around separators (SEMI, EQUAL) and quoted parameter values', () => {
    const n = parseNameAddr('  <sip:a@b>  ;  q = 0.7 ; +sip.instance = "<urn:uuid:1234>" ; Flag ');
    assert.equal(n.params.get('q'), '0.7');
    assert.equal(n.params.get('+sip.instance'), '"<urn:uuid:1234>"');
    assert.equal(unquote(n.params.get('+sip.instance') as string), '<urn:uuid:1234>');
    assert.equal(n.params.get('flag'), null);
  });

  test('IPv6 received-like values and hosts as parameter values', () => {
    const n = parseNameAddr('<sip:a@b>;received=[2001:db8::1];x=2001:db8::2');
    assert.equal(n.params.get('received'), '[2001:db8::1]');
    assert.equal(n.params.get('x'), '2001:db8::2');
  });

  test('malformed values are rejected with code name-addr', () => {
    for (const s of [
      '',
      '   ',
      '"unterminated <sip:a@b>',
      '"Bob" sip:a@b',
      'Bell, Alexander <sip:a@b>',
      '< sip:a@b>',
      '<sip:a@b >',
      '<sip:a@b',
      '<>',
      'Bob',
      'Bob <sip:a@b>;',
      '<sip:a@b>;;x',
      '<sip:a@b>;x=',
      '<sip:a@b> junk',
      '<not a uri>',
      '<sip:a@b>;x="open',
      'sip:a@b c',
      '"a" <sip:a@b>,',
      '<sip:a@b>;x=a,b',
    ])
      rejects(s);
  });

  test('formatNameAddr always uses <>, quotes the display name, keeps params', () => {
    const n = parseNameAddr('Bob <sip:bob@example.com;lr>;tag=1;x');
    assert.equal(formatNameAddr(n), '"Bob" <sip:bob@example.com;lr>;tag=1;x');
    const weird = {
      displayName: 'a"b\\c\u0007d\re',
      uri: parseUri('sip:x@y'),
      params: new Map<string, string | null>(),
    };
    const text = formatNameAddr(weird);
    assert.equal(text, '"a\\"b\\\\c\\\u0007d e" <sip:x@y>');
    assert.equal(parseNameAddr(text).displayName, 'a"b\\c\u0007d e');
  });

  test('quote/unquote', () => {
    assert.equal(quote('plain'), '"plain"');
    assert.equal(unquote('"a\\"b"'), 'a"b');
    assert.equal(unquote('token'), 'token');
    assert.equal(unquote('"'), '"');
  });
});
