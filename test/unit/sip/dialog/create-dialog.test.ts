import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipParseError, createResponse } from '../../../../src/sip/message/index.js';
import {
  copyRecordRoute,
  createDialogFromNotify,
  createUacDialog,
  createUasDialog,
} from '../../../../src/sip/dialog/index.js';
import { request, response, subscribe } from './fixtures.js';

function withoutHeader(lines: string[], name: string): string[] {
  return lines.filter((l) => !l.toLowerCase().startsWith(name.toLowerCase() + ':'));
}

describe('createUasDialog (RFC 3261 12.1.1)', () => {
  test('takes route set in request order, remote target, tags, sequence numbers and URIs', () => {
    const d = createUasDialog(subscribe(), 'ourtag');
    assert.deepEqual(d, {
      callId: 'a84b4c76e66710@pc33.example.com',
      localTag: 'ourtag',
      remoteTag: 'bobtag',
      localUri: '<sip:bob@example.com>',
      remoteUri: '"Bob" <sip:bob@example.com>',
      localSeq: 0,
      remoteSeq: 4711,
      remoteTarget: 'sip:bob@192.0.2.20:5062;transport=udp',
      routeSet: ['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr;x=y>;foo=bar'],
      secure: false,
    });
  });

  test('Record-Route values in one comma-separated field keep their order', () => {
    const req = request([
      'SUBSCRIBE sip:bob@example.com SIP/2.0',
      'Via: SIP/2.0/TCP 192.0.2.20;branch=z9hG4bKa',
      'Record-Route: <sip:a.example.com;lr>, <sip:b.example.com;lr>',
      'Record-Route: <sip:c.example.com;lr>',
      'From: <sip:bob@example.com>;tag=1',
      'To: <sip:bob@example.com>',
      'Call-ID: c1',
      'CSeq: 1 SUBSCRIBE',
      'Contact: <sip:bob@192.0.2.20>',
    ]);
    assert.deepEqual(createUasDialog(req, 't').routeSet, [
      '<sip:a.example.com;lr>',
      '<sip:b.example.com;lr>',
      '<sip:c.example.com;lr>',
    ]);
  });

  test('no Record-Route: empty route set', () => {
    const lines = withoutHeader(
      subscribe().headers.map((h) => `${h.name}: ${h.value}`),
      'Record-Route',
    );
    const d = createUasDialog(request(['SUBSCRIBE sip:bob@example.com SIP/2.0', ...lines]), 't');
    assert.deepEqual(d.routeSet, []);
  });

  test('the To tag of the request is replaced by ours in the local URI; other params stay (epid)', () => {
    const req = request([
      'SUBSCRIBE sip:alice@example.com SIP/2.0',
      'Via: SIP/2.0/TLS 192.0.2.20;branch=z9hG4bKa',
      'From: <sip:alice@example.com>;tag=f1;epid=EDDFA7F3EE',
      'To: <sip:alice@example.com>',
      'Call-ID: c2',
      'CSeq: 1 SUBSCRIBE',
      'Contact: <sip:alice@192.0.2.20:5061;transport=tls>',
    ]);
    const d = createUasDialog(req, 'mine');
    assert.equal(d.remoteUri, '<sip:alice@example.com>;epid=EDDFA7F3EE');
    assert.equal(d.remoteTag, 'f1');
  });

  test('a From without tag (RFC 2543 peer) gives an empty remote tag', () => {
    const req = request([
      'SUBSCRIBE sip:bob@example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.20;branch=z9hG4bKa',
      'From: <sip:bob@example.com>',
      'To: <sip:bob@example.com>',
      'Call-ID: c3',
      'CSeq: 9 SUBSCRIBE',
      'Contact: <sip:bob@192.0.2.20>',
    ]);
    assert.equal(createUasDialog(req, 't').remoteTag, '');
  });

  test('secure only for a SIPS Request-URI that arrived over TLS', () => {
    const tls = (uri: string, transport: string) =>
      request([
        `SUBSCRIBE ${uri} SIP/2.0`,
        `Via: SIP/2.0/${transport} 192.0.2.20;branch=z9hG4bKa`,
        'From: <sips:bob@example.com>;tag=1',
        'To: <sips:bob@example.com>',
        'Call-ID: c4',
        'CSeq: 1 SUBSCRIBE',
        'Contact: <sips:bob@192.0.2.20>',
      ]);
    assert.equal(createUasDialog(tls('sips:bob@example.com', 'TLS'), 't').secure, true);
    assert.equal(createUasDialog(tls('sips:bob@example.com', 'WSS'), 't').secure, true);
    assert.equal(createUasDialog(tls('sips:bob@example.com', 'TCP'), 't').secure, false);
    assert.equal(createUasDialog(tls('sip:bob@example.com', 'TLS'), 't').secure, false);
    // the caller knows better than the Via
    assert.equal(createUasDialog(tls('sips:bob@example.com', 'TCP'), 't', true).secure, true);
    assert.equal(createUasDialog(tls('sips:bob@example.com', 'TLS'), 't', false).secure, false);
  });

  test('several Contacts: the first is the remote target', () => {
    const d = createUasDialog(subscribe(['Contact: <sip:other@192.0.2.99>']), 't');
    assert.equal(d.remoteTarget, 'sip:bob@192.0.2.20:5062;transport=udp');
  });

  const bad: [string, string[]][] = [
    ['no Contact', []],
    ['Contact *', ['Contact: *']],
    ['tel: Contact', ['Contact: <tel:+1-201-555-0123>']],
    ['malformed Contact', ['Contact: <sip:bob@']],
  ];
  for (const [name, contact] of bad) {
    test(`${name}: SipParseError with status 400`, () => {
      const lines = withoutHeader(
        subscribe().headers.map((h) => `${h.name}: ${h.value}`),
        'Contact',
      );
      let req;
      try {
        req = request(['SUBSCRIBE sip:bob@example.com SIP/2.0', ...lines, ...contact]);
      } catch (e) {
        // the parser itself may already refuse a malformed Contact: also a 400
        assert.ok(e instanceof SipParseError);
        assert.equal(e.status, 400);
        return;
      }
      assert.throws(
        () => createUasDialog(req, 't'),
        (e: unknown) => e instanceof SipParseError && e.status === 400,
      );
    });
  }

  test('a malformed Record-Route: SipParseError', () => {
    const req = subscribe(['Record-Route: <tel:+123>']);
    assert.throws(() => createUasDialog(req, 't'), SipParseError);
  });

  test('copyRecordRoute copies every Record-Route value, in order, into the response', () => {
    const req = subscribe();
    const res = createResponse(req, 200, 'OK', 'ourtag');
    copyRecordRoute(req, res);
    assert.deepEqual(res.getHeaders('Record-Route'), [
      '<sip:p2.example.com;lr>',
      '<sip:p1.example.com;lr;x=y>;foo=bar',
    ]);
  });
});

describe('createUacDialog (RFC 3261 12.1.2)', () => {
  const ourSubscribe = () =>
    request([
      'SUBSCRIBE sip:alice@example.com SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bKus',
      'Max-Forwards: 70',
      'From: "Voicemail" <sip:vm@example.com>;tag=ours',
      'To: <sip:alice@example.com>',
      'Call-ID: uac1@192.0.2.5',
      'CSeq: 17 SUBSCRIBE',
      'Contact: <sip:vm@192.0.2.5:5060>',
      'Event: message-summary',
    ]);

  test('reverses the Record-Route of the response, takes its Contact and To tag', () => {
    const res = response([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bKus',
      'Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>',
      'From: "Voicemail" <sip:vm@example.com>;tag=ours',
      'To: <sip:alice@example.com>;tag=theirs',
      'Call-ID: uac1@192.0.2.5',
      'CSeq: 17 SUBSCRIBE',
      'Contact: <sip:alice@192.0.2.30:5070>',
      'Expires: 3600',
    ]);
    assert.deepEqual(createUacDialog(ourSubscribe(), res), {
      callId: 'uac1@192.0.2.5',
      localTag: 'ours',
      remoteTag: 'theirs',
      localUri: '"Voicemail" <sip:vm@example.com>',
      remoteUri: '<sip:alice@example.com>',
      localSeq: 17,
      remoteSeq: -1,
      remoteTarget: 'sip:alice@192.0.2.30:5070',
      routeSet: ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>'],
      secure: false,
    });
  });

  test('a 2xx without Contact: SipParseError', () => {
    const res = response([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bKus',
      'From: <sip:vm@example.com>;tag=ours',
      'To: <sip:alice@example.com>;tag=theirs',
      'Call-ID: uac1@192.0.2.5',
      'CSeq: 17 SUBSCRIBE',
    ]);
    assert.throws(
      () => createUacDialog(ourSubscribe(), res),
      (e: unknown) => e instanceof SipParseError && e.code === 'missing-header',
    );
  });

  test('secure when our Request-URI was SIPS', () => {
    const req = request([
      'SUBSCRIBE sips:alice@example.com SIP/2.0',
      'Via: SIP/2.0/TLS 192.0.2.5:5061;branch=z9hG4bKus',
      'From: <sips:vm@example.com>;tag=ours',
      'To: <sips:alice@example.com>',
      'Call-ID: uac2',
      'CSeq: 1 SUBSCRIBE',
      'Contact: <sips:vm@192.0.2.5:5061>',
    ]);
    const res = response([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/TLS 192.0.2.5:5061;branch=z9hG4bKus',
      'From: <sips:vm@example.com>;tag=ours',
      'To: <sips:alice@example.com>;tag=t',
      'Call-ID: uac2',
      'CSeq: 1 SUBSCRIBE',
      'Contact: <sips:alice@192.0.2.30>',
    ]);
    assert.equal(createUacDialog(req, res).secure, true);
  });

  test('createDialogFromNotify: the NOTIFY creates the dialog (RFC 6665 4.1.2.4)', () => {
    const notify = request([
      'NOTIFY sip:vm@192.0.2.5:5060 SIP/2.0',
      'Via: SIP/2.0/UDP p1.example.com;branch=z9hG4bKn',
      'Record-Route: <sip:p1.example.com;lr>',
      'Record-Route: <sip:p2.example.com;lr>',
      'From: <sip:alice@example.com>;tag=notifier',
      'To: "Voicemail" <sip:vm@example.com>;tag=ours',
      'Call-ID: uac1@192.0.2.5',
      'CSeq: 1 NOTIFY',
      'Contact: <sip:alice@192.0.2.30:5070>',
      'Event: message-summary',
      'Subscription-State: active;expires=3600',
    ]);
    const d = createDialogFromNotify(ourSubscribe(), notify);
    assert.equal(d.localTag, 'ours');
    assert.equal(d.remoteTag, 'notifier');
    assert.equal(d.localSeq, 17);
    assert.equal(d.remoteSeq, 1);
    assert.equal(d.localUri, '"Voicemail" <sip:vm@example.com>');
    assert.equal(d.remoteUri, '<sip:alice@example.com>');
    // the NOTIFY is a request we receive: its Record-Route order is kept
    assert.deepEqual(d.routeSet, ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
    assert.equal(d.remoteTarget, 'sip:alice@192.0.2.30:5070');
  });
});
