/**
 * RFC 5118 (SIP torture tests for IPv6): every message is a test, with the
 * RFC's expected outcome beside it.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  SipParseError,
  SipRequest,
  SipUri,
  type Uri,
  parseMessage,
  serializeMessage,
} from '../../../../src/sip/message/index.js';
import { conformanceFiles, conformanceMessage } from './conformance-data.js';

function sip(u: Uri | undefined): SipUri {
  assert.ok(u instanceof SipUri, `a SIP URI, got ${String(u)}`);
  return u;
}

function parseRequest(name: string): SipRequest {
  const m = parseMessage(conformanceMessage('rfc5118', name));
  assert.ok(m instanceof SipRequest);
  // whatever parses re-serializes to a fixed point
  const once = serializeMessage(m);
  assert.ok(serializeMessage(parseMessage(once)).equals(once));
  return m;
}

const CASES: Record<string, () => void> = {
  // 4.1 Valid SIP Message with an IPv6 Reference: must parse.
  'ipv6-good': () => {
    const m = parseRequest('ipv6-good');
    assert.equal(sip(m.uri).host, '[2001:db8::10]');
    assert.equal(sip(m.uri).port, undefined);
    assert.equal(m.vias[0]?.host, '[2001:db8::9:1]');
    assert.equal(sip(m.contacts[0]?.nameAddr?.uri).host, '[2001:db8::1]');
  },
  // 4.2 Invalid SIP Message with an IPv6 Reference (no brackets in the Request-URI):
  // "should be rejected with a 400". -> 'uri', 400.
  'ipv6-bad': () => {
    assert.throws(
      () => parseMessage(conformanceMessage('rfc5118', 'ipv6-bad')),
      (e: unknown) => e instanceof SipParseError && e.code === 'uri' && e.status === 400,
    );
  },
  // 4.3 Port Ambiguous in a SIP URI: [2001:db8::10:5070] is a valid IPv6 reference
  // without a port. -> parses, no port.
  'port-ambiguous': () => {
    const u = sip(parseRequest('port-ambiguous').uri);
    assert.equal(u.host, '[2001:db8::10:5070]');
    assert.equal(u.port, undefined);
  },
  // 4.4 Port Unambiguous in a SIP URI: [2001:db8::10]:5070. -> parses, port 5070.
  'port-unambiguous': () => {
    const u = sip(parseRequest('port-unambiguous').uri);
    assert.equal(u.host, '[2001:db8::10]');
    assert.equal(u.port, 5070);
  },
  // 4.5 IPv6 Reference Delimiters in Via Header Field: both received=[...] and the
  // bare form must be accepted. -> parses.
  'via-received-param-with-delim': () => {
    const m = parseRequest('via-received-param-with-delim');
    assert.equal(m.vias[0]?.params.get('received'), '[2001:db8::9:255]');
  },
  'via-received-param-no-delim': () => {
    const m = parseRequest('via-received-param-no-delim');
    assert.equal(m.vias[0]?.params.get('received'), '2001:db8::9:255');
    assert.equal(m.vias[0]?.params.get('branch'), 'z9hG4bKas3');
  },
  // 4.6 SIP Request with IPv6 Addresses in SDP Body. -> parses; the body is the first
  // Content-Length (241) octets (RFC 3261 18.3), extra octets of the datagram dropped.
  'ipv6-in-sdp': () => {
    const m = parseRequest('ipv6-in-sdp');
    assert.equal(m.body.length, 241);
    assert.ok(m.body.toString().includes('c=IN IP6 2001:db8::20'));
  },
  // 4.7 Multiple IP Addresses in SIP Headers (IPv6 and IPv4 Vias). -> parses.
  'mult-ip-in-header': () => {
    const m = parseRequest('mult-ip-in-header');
    assert.deepEqual(
      m.vias.map((v) => [v.transport, v.host, v.port]),
      [
        ['UDP', '[2001:db8::9:1]', 6050],
        ['UDP', '192.0.2.1', undefined],
        ['TCP', '[2001:db8::9:255]', undefined],
      ],
    );
    assert.equal(m.vias[2]?.params.get('received'), '192.0.2.200');
  },
  // 4.8 Multiple IP Addresses in SDP. -> parses.
  'mult-ip-in-sdp': () => {
    const m = parseRequest('mult-ip-in-sdp');
    assert.equal(m.body.length, 181);
  },
  // 4.9 IPv4-Mapped IPv6 Addresses: "must be prepared to parse it successfully". -> parses.
  'ipv4-mapped-ipv6': () => {
    const m = parseRequest('ipv4-mapped-ipv6');
    assert.equal(m.vias[0]?.host, '[::ffff:192.0.2.10]');
    assert.equal(m.vias[0]?.port, 19823);
    assert.equal(sip(m.contacts[0]?.nameAddr?.uri).host, '[::ffff:192.0.2.2]');
  },
  // 4.10 IPv6 Reference Bug in RFC 3261 ABNF: "following the Robustness Principle, an
  // implementation must tolerate both" the two-colon and three-colon forms. -> both parse.
  'ipv6-correct-abnf-2-colons': () => {
    const m = parseRequest('ipv6-correct-abnf-2-colons');
    assert.equal(sip(m.uri).host, '[2001:db8::192.0.2.1]');
    assert.equal(sip(m.to.uri).host, '[2001:db8::192.0.2.1]');
  },
  'ipv6-bug-abnf-3-colons': () => {
    const m = parseRequest('ipv6-bug-abnf-3-colons');
    assert.equal(sip(m.uri).host, '[2001:db8:::192.0.2.1]');
  },
};

describe('RFC 5118 IPv6 torture messages', () => {
  const files = conformanceFiles('rfc5118');

  test('all 12 messages are present and each has an expectation', () => {
    assert.equal(files.length, 12);
    assert.deepEqual(files, Object.keys(CASES).sort());
  });

  for (const file of files) {
    const check = CASES[file];
    if (check !== undefined) test(file, check);
  }
});
