import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipParseError } from '../../../../src/sip/message/index.js';
import { DialogError, createOutOfDialogRequest } from '../../../../src/sip/dialog/index.js';
import { VIA, wire } from './fixtures.js';

const MWI_BODY = 'Messages-Waiting: yes\r\nMessage-Account: sip:alice@example.com\r\nVoice-Message: 8/3\r\n';

describe('createOutOfDialogRequest (RFC 3261 8.1.1)', () => {
  test('unsolicited MWI NOTIFY: no To tag, From tag, new Call-ID, CSeq 1 (Exchange UM style)', () => {
    const { request, destinationUri } = createOutOfDialogRequest(
      'NOTIFY',
      'sip:alice@192.0.2.40:5062;transport=tcp',
      'sip:alice@example.com',
      '<sip:alice@example.com>',
      {
        via: VIA,
        headers: [
          ['Event', 'message-summary'],
          ['Subscription-State', 'terminated'],
        ],
        body: Buffer.from(MWI_BODY),
        contentType: 'application/simple-message-summary',
      },
    );
    const got = wire(request);
    assert.equal(got.method, 'NOTIFY');
    assert.equal(got.uri.toString(), 'sip:alice@192.0.2.40:5062;transport=tcp');
    assert.equal(destinationUri, 'sip:alice@192.0.2.40:5062;transport=tcp');
    assert.equal(got.to.params.has('tag'), false);
    assert.equal(got.to.uri.toString(), 'sip:alice@example.com');
    assert.ok((got.from.params.get('tag') ?? '').length >= 8);
    assert.equal(got.from.uri.toString(), 'sip:alice@example.com');
    assert.deepEqual(got.cseq, { seq: 1, method: 'NOTIFY' });
    assert.ok(got.callId.length >= 12);
    assert.equal(got.maxForwards, 70);
    assert.equal(got.getHeader('Subscription-State'), 'terminated');
    assert.equal(got.getHeader('Content-Type'), 'application/simple-message-summary');
    assert.equal(got.body.toString(), MWI_BODY);
    assert.match(got.vias[0]?.params.get('branch') ?? '', /^z9hG4bK/);
  });

  test('each request gets a fresh Call-ID, From tag and branch', () => {
    const make = () =>
      createOutOfDialogRequest('NOTIFY', 'sip:a@192.0.2.40', 'sip:vm@example.com', 'sip:a@example.com', { via: VIA })
        .request;
    const a = make();
    const b = make();
    assert.notEqual(a.callId, b.callId);
    assert.notEqual(a.from.params.get('tag'), b.from.params.get('tag'));
    assert.notEqual(a.vias[0]?.params.get('branch'), b.vias[0]?.params.get('branch'));
  });

  test('tags given in from/to are dropped; display names and other params kept', () => {
    const got = wire(
      createOutOfDialogRequest(
        'SUBSCRIBE',
        'sip:alice@example.com',
        '"Voice Mail" <sip:vm@example.com>;tag=old;epid=x1',
        'sip:alice@example.com;tag=stale',
        { via: VIA, fromTag: 'fixed', callId: 'my-call-id', cseq: 100, contact: 'sip:vm@192.0.2.5' },
      ).request,
    );
    assert.equal(got.from.displayName, 'Voice Mail');
    assert.equal(got.from.params.get('tag'), 'fixed');
    assert.equal(got.from.params.get('epid'), 'x1');
    assert.equal(got.to.params.has('tag'), false);
    assert.equal(got.callId, 'my-call-id');
    assert.equal(got.cseq.seq, 100);
  });

  test('a pre-existing route set (outbound proxy) is applied like a dialog route set (8.1.1.1, 8.1.2)', () => {
    const loose = createOutOfDialogRequest('NOTIFY', 'sip:a@192.0.2.40', 'sip:vm@example.com', 'sip:a@example.com', {
      via: VIA,
      route: ['<sip:outbound.example.com;lr>'],
    });
    assert.deepEqual(wire(loose.request).getHeaderList('Route'), ['<sip:outbound.example.com;lr>']);
    assert.equal(loose.request.uri.toString(), 'sip:a@192.0.2.40');
    assert.equal(loose.destinationUri, 'sip:outbound.example.com;lr');
    const strict = createOutOfDialogRequest('NOTIFY', 'sip:a@192.0.2.40', 'sip:vm@example.com', 'sip:a@example.com', {
      via: VIA,
      route: ['<sip:old-proxy.example.com>'],
    });
    assert.equal(strict.request.uri.toString(), 'sip:old-proxy.example.com');
    assert.deepEqual(wire(strict.request).getHeaderList('Route'), ['<sip:a@192.0.2.40>']);
    assert.equal(strict.destinationUri, 'sip:old-proxy.example.com');
  });

  test('bad input: typed errors only', () => {
    const opts = { via: VIA };
    assert.throws(() => createOutOfDialogRequest('NOTIFY', 'tel:+123', 'sip:a@b', 'sip:a@b', opts), SipParseError);
    assert.throws(() => createOutOfDialogRequest('NOTIFY', 'sip:', 'sip:a@b', 'sip:a@b', opts), SipParseError);
    assert.throws(
      () => createOutOfDialogRequest('NOTIFY', 'sip:a@b', 'not an address', 'sip:a@b', opts),
      SipParseError,
    );
    assert.throws(
      () => createOutOfDialogRequest('NOTIFY', 'sip:a@b', 'sip:a@b', 'sip:a@b', { ...opts, route: ['garbage'] }),
      SipParseError,
    );
    assert.throws(() => createOutOfDialogRequest('BAD METHOD', 'sip:a@b', 'sip:a@b', 'sip:a@b', opts), SipParseError);
    assert.throws(
      () => createOutOfDialogRequest('CANCEL', 'sip:a@b', 'sip:a@b', 'sip:a@b', opts),
      (e: unknown) => e instanceof DialogError && e.code === 'invalid-method',
    );
    const invalid = (e: unknown) => e instanceof DialogError && e.code === 'invalid-option';
    assert.throws(
      () => createOutOfDialogRequest('NOTIFY', 'sip:a@b', 'sip:a@b', 'sip:a@b', { ...opts, cseq: 2 ** 31 }),
      invalid,
    );
    assert.throws(
      () => createOutOfDialogRequest('NOTIFY', 'sip:a@b', 'sip:a@b', 'sip:a@b', { ...opts, callId: 'x\r\nX: 1' }),
      invalid,
    );
    assert.throws(
      () => createOutOfDialogRequest('NOTIFY', 'sip:a@b', 'sip:a@b', 'sip:a@b', { ...opts, callId: '' }),
      invalid,
    );
    assert.throws(
      () => createOutOfDialogRequest('NOTIFY', 'sip:a@b', 'sip:a@b', 'sip:a@b', { ...opts, fromTag: 'a b' }),
      invalid,
    );
  });
});
