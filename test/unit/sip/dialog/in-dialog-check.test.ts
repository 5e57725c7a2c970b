import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipParseError } from '../../../../src/sip/message/index.js';
import {
  type DialogState,
  checkInDialogRequest,
  createUasDialog,
  dialogIdOf,
  dialogKey,
  isTargetRefresh,
  refreshTargetFromResponse,
} from '../../../../src/sip/dialog/index.js';
import { request, response, subscribe } from './fixtures.js';

/** A request from Bob's phone inside the dialog of fixtures.subscribe(), answered with To tag 'ourtag'. */
function inDialog(method: string, seq: number, extra: string[] = []): ReturnType<typeof request> {
  return request([
    `${method} sip:vm@192.0.2.5:5060 SIP/2.0`,
    'Via: SIP/2.0/UDP 192.0.2.20:5062;branch=z9hG4bKx' + seq + method,
    'From: "Bob" <sip:bob@example.com>;tag=bobtag',
    'To: <sip:bob@example.com>;tag=ourtag',
    'Call-ID: a84b4c76e66710@pc33.example.com',
    `CSeq: ${seq} ${method}`,
    ...extra,
  ]);
}

function dialog(): DialogState {
  return createUasDialog(subscribe(), 'ourtag');
}

describe('dialogIdOf (RFC 3261 12)', () => {
  test('an in-dialog request we receive maps to the dialog created by the UAS', () => {
    const d = dialog();
    assert.equal(dialogIdOf(inDialog('SUBSCRIBE', 4712)), dialogIdOf(d));
    assert.equal(dialogIdOf(d), dialogKey('a84b4c76e66710@pc33.example.com', 'ourtag', 'bobtag'));
  });

  test('a response we receive: local tag = From tag, remote tag = To tag', () => {
    const res = response([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKq',
      'From: <sip:vm@example.com>;tag=L',
      'To: <sip:bob@example.com>;tag=R',
      'Call-ID: cid',
      'CSeq: 1 NOTIFY',
    ]);
    assert.equal(dialogIdOf(res), dialogKey('cid', 'L', 'R'));
  });

  test('tags and Call-ID are compared case-sensitively; an untagged request matches no dialog', () => {
    const d = dialog();
    const upper = request([
      'NOTIFY sip:vm@192.0.2.5 SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.20;branch=z9hG4bKy',
      'From: <sip:bob@example.com>;tag=BOBTAG',
      'To: <sip:bob@example.com>;tag=ourtag',
      'Call-ID: a84b4c76e66710@pc33.example.com',
      'CSeq: 1 NOTIFY',
    ]);
    assert.notEqual(dialogIdOf(upper), dialogIdOf(d));
    assert.notEqual(dialogIdOf(subscribe()), dialogIdOf(d));
    // no separator ambiguity
    assert.notEqual(dialogKey('a', 'b', 'c'), dialogKey('a', 'bc', ''));
  });
});

describe('checkInDialogRequest (RFC 3261 12.2.2)', () => {
  test('a higher CSeq is accepted and remembered; an equal one too', () => {
    const d = dialog();
    assert.equal(checkInDialogRequest(d, inDialog('SUBSCRIBE', 4712, ['Contact: <sip:bob@192.0.2.20:5062>'])), 'ok');
    assert.equal(d.remoteSeq, 4712);
    assert.equal(checkInDialogRequest(d, inDialog('MESSAGE', 4712)), 'ok');
    assert.equal(d.remoteSeq, 4712);
    assert.equal(checkInDialogRequest(d, inDialog('MESSAGE', 10000)), 'ok');
    assert.equal(d.remoteSeq, 10000);
  });

  test('a lower CSeq is out of order (500) and changes nothing', () => {
    const d = dialog();
    const before = structuredClone(d);
    assert.equal(
      checkInDialogRequest(d, inDialog('SUBSCRIBE', 4710, ['Contact: <sip:moved@192.0.2.99>'])),
      'out-of-order',
    );
    assert.deepEqual(d, before);
  });

  test('an empty remote sequence number (-1) takes any CSeq, even 0', () => {
    const d = dialog();
    d.remoteSeq = -1;
    assert.equal(checkInDialogRequest(d, inDialog('NOTIFY', 0)), 'ok');
    assert.equal(d.remoteSeq, 0);
  });

  test('ACK and CANCEL are neither checked nor remembered', () => {
    const d = dialog();
    assert.equal(checkInDialogRequest(d, inDialog('ACK', 1)), 'ok');
    assert.equal(checkInDialogRequest(d, inDialog('CANCEL', 2)), 'ok');
    assert.equal(d.remoteSeq, 4711);
  });

  for (const method of ['SUBSCRIBE', 'NOTIFY', 'INVITE', 'UPDATE', 'REFER']) {
    test(`${method} is a target refresh: the Contact replaces the remote target`, () => {
      const d = dialog();
      assert.equal(
        checkInDialogRequest(
          d,
          inDialog(method, 5000, ['Contact: <sip:bob@198.51.100.7:6000;transport=tcp>;expires=60']),
        ),
        'ok',
      );
      assert.equal(d.remoteTarget, 'sip:bob@198.51.100.7:6000;transport=tcp');
    });
  }

  for (const method of ['BYE', 'MESSAGE', 'INFO', 'OPTIONS', 'PRACK']) {
    test(`${method} does not refresh the target`, () => {
      const d = dialog();
      checkInDialogRequest(d, inDialog(method, 5000, ['Contact: <sip:elsewhere@198.51.100.7>']));
      assert.equal(d.remoteTarget, 'sip:bob@192.0.2.20:5062;transport=udp');
      assert.equal(isTargetRefresh(method), false);
    });
  }

  test('a target refresh without Contact keeps the remote target', () => {
    const d = dialog();
    assert.equal(checkInDialogRequest(d, inDialog('SUBSCRIBE', 5000)), 'ok');
    assert.equal(d.remoteTarget, 'sip:bob@192.0.2.20:5062;transport=udp');
    assert.equal(d.remoteSeq, 5000);
  });

  test('an unusable Contact in a target refresh throws SipParseError and leaves the state alone', () => {
    const d = dialog();
    const before = structuredClone(d);
    assert.throws(
      () => checkInDialogRequest(d, inDialog('SUBSCRIBE', 5000, ['Contact: <tel:+15551234>'])),
      SipParseError,
    );
    assert.throws(() => checkInDialogRequest(d, inDialog('SUBSCRIBE', 5000, ['Contact: *'])), SipParseError);
    assert.deepEqual(d, before);
  });
});

describe('refreshTargetFromResponse (RFC 3261 12.2.1.2)', () => {
  const res = (status: number, method: string, contact?: string) =>
    response([
      `SIP/2.0 ${status} Whatever`,
      'Via: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKq',
      'From: <sip:bob@example.com>;tag=ourtag',
      'To: "Bob" <sip:bob@example.com>;tag=bobtag',
      'Call-ID: a84b4c76e66710@pc33.example.com',
      `CSeq: 1 ${method}`,
      ...(contact === undefined ? [] : [`Contact: ${contact}`]),
    ]);

  test('a 2xx to a target refresh request updates the remote target', () => {
    const d = dialog();
    assert.equal(refreshTargetFromResponse(d, res(200, 'NOTIFY', '<sip:bob@203.0.113.9>')), true);
    assert.equal(d.remoteTarget, 'sip:bob@203.0.113.9');
    assert.equal(refreshTargetFromResponse(d, res(200, 'NOTIFY', '<sip:bob@203.0.113.9>')), false);
  });

  test('not for a non-2xx, a non-refresh method, or without Contact', () => {
    const d = dialog();
    assert.equal(refreshTargetFromResponse(d, res(481, 'NOTIFY', '<sip:x@203.0.113.9>')), false);
    assert.equal(refreshTargetFromResponse(d, res(200, 'MESSAGE', '<sip:x@203.0.113.9>')), false);
    assert.equal(refreshTargetFromResponse(d, res(200, 'NOTIFY')), false);
    assert.equal(d.remoteTarget, 'sip:bob@192.0.2.20:5062;transport=udp');
  });
});
