// Shared helpers of the dialog-layer unit tests (not a test file itself).
import assert from 'node:assert/strict';
import { SipRequest, SipResponse, parseMessage, serializeMessage } from '../../../../src/sip/message/index.js';

/** Parses a request written as header lines (CRLF added), through the real parser. */
export function request(lines: string[], body = ''): SipRequest {
  const m = parseMessage(Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body));
  assert.ok(m instanceof SipRequest);
  return m;
}

/** Parses a response written as header lines (CRLF added), through the real parser. */
export function response(lines: string[], body = ''): SipResponse {
  const m = parseMessage(Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body));
  assert.ok(m instanceof SipResponse);
  return m;
}

/** Serializes a request and parses it back: what the peer would see. */
export function wire(req: SipRequest): SipRequest {
  const m = parseMessage(serializeMessage(req));
  assert.ok(m instanceof SipRequest);
  return m;
}

export const VIA = { transport: 'udp', host: '192.0.2.5', port: 5060 };

/** A SUBSCRIBE from Bob's phone through two record-routing proxies (RFC 3261 / RFC 3842 style). */
export function subscribe(extra: string[] = [], uri = 'sip:bob@example.com'): SipRequest {
  return request([
    `SUBSCRIBE ${uri} SIP/2.0`,
    'Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bKp2',
    'Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1',
    'Via: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bKua',
    'Max-Forwards: 68',
    'Record-Route: <sip:p2.example.com;lr>',
    'Record-Route: <sip:p1.example.com;lr;x=y>;foo=bar',
    'From: "Bob" <sip:bob@example.com>;tag=bobtag',
    'To: <sip:bob@example.com>',
    'Call-ID: a84b4c76e66710@pc33.example.com',
    'CSeq: 4711 SUBSCRIBE',
    'Contact: <sip:bob@192.0.2.20:5062;transport=udp>;+sip.instance="<urn:uuid:1>"',
    'Event: message-summary',
    'Expires: 3600',
    ...extra,
  ]);
}
