/**
 * Mailbox selection of a call to voicemail (RFC 4458, RFC 7044, RFC 5806,
 * the Request-URI) and the caller identity (RFC 3325, RFC 3323).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMessage, type SipRequest } from '../../../src/sip/message/index.js';
import { callTargetOf } from '../../../src/voicemail/call-target.js';
import { callerIdentityOf } from '../../../src/voicemail/caller-identity.js';

function invite(uri: string, headers: string[] = [], from = '"Bob Caller" <sip:2002@example.com>;tag=1'): SipRequest {
  const text =
    `INVITE ${uri} SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n` +
    `From: ${from}\r\nTo: <${uri.split(';')[0]}>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContact: <sip:pbx@192.0.2.9>\r\n` +
    headers.map((h) => `${h}\r\n`).join('') +
    'Content-Length: 0\r\n\r\n';
  return parseMessage(Buffer.from(text)) as SipRequest;
}

describe('callTargetOf', () => {
  test('RFC 4458 target and cause on the Request-URI win over everything', () => {
    const req = invite('sip:voicemail@example.com;target=sip:alice%40example.com;cause=486', [
      'Diversion: <sip:bob@example.com>;reason=no-answer',
    ]);
    assert.deepEqual(callTargetOf(req, 'voicemail'), {
      kind: 'deposit',
      mailbox: 'alice',
      reason: 'busy',
      via: 'rfc4458',
    });
  });

  test('causes: 408/480 no answer -> unavailable, 302 -> unconditional, none -> undefined', () => {
    const t = (cause: string) =>
      callTargetOf(invite(`sip:voicemail@x;target=sip:1001%40x;cause=${cause}`), 'voicemail');
    assert.equal((t('408') as { reason?: string }).reason, 'unavailable');
    assert.equal((t('480') as { reason?: string }).reason, 'unavailable');
    assert.equal((t('302') as { reason?: string }).reason, 'unconditional');
    assert.equal((t('999') as { reason?: string }).reason, undefined);
  });

  test('History-Info: the entry before the last retargeted one, with its successor cause (RFC 7044)', () => {
    const req = invite('sip:voicemail@example.com', [
      'History-Info: <sip:alice@example.com>;index=1, <sip:alice@192.0.2.50>;index=1.1;rc=1',
      'History-Info: <sip:voicemail@example.com;cause=480>;index=1.1.1;mp=1.1',
      'Diversion: <sip:bob@example.com>;reason=user-busy',
    ]);
    assert.deepEqual(callTargetOf(req, 'voicemail'), {
      kind: 'deposit',
      mailbox: 'alice',
      reason: 'unavailable',
      via: 'history-info',
    });
  });

  test('History-Info with a Reason embedded in the URI', () => {
    const req = invite('sip:voicemail@example.com', [
      'History-Info: <sip:1001@example.com>;index=1,<sip:voicemail@example.com?Reason=SIP%3Bcause%3D486>;index=1.1',
    ]);
    assert.deepEqual(callTargetOf(req, 'voicemail'), {
      kind: 'deposit',
      mailbox: '1001',
      reason: 'busy',
      via: 'history-info',
    });
  });

  test('Diversion: the first header and its reason (RFC 5806)', () => {
    const req = invite('sip:voicemail@example.com', [
      'Diversion: <sip:carol@example.com>;reason=user-busy;counter=1, <sip:dave@example.com>;reason=no-answer',
    ]);
    assert.deepEqual(callTargetOf(req, 'voicemail'), {
      kind: 'deposit',
      mailbox: 'carol',
      reason: 'busy',
      via: 'diversion',
    });
  });

  test('the Request-URI user when nothing else says; the pilot alone is the menu', () => {
    assert.deepEqual(callTargetOf(invite('sip:alice@example.com'), 'voicemail'), {
      kind: 'deposit',
      mailbox: 'alice',
      reason: undefined,
      via: 'request-uri',
    });
    assert.deepEqual(callTargetOf(invite('sip:voicemail@example.com'), 'voicemail'), { kind: 'menu' });
    assert.deepEqual(callTargetOf(invite('sip:vm@example.com'), 'vm'), { kind: 'menu' });
  });

  test('unreadable History-Info or Diversion is ignored, not fatal', () => {
    const req = invite('sip:voicemail@example.com', ['History-Info: <<<', 'Diversion: nonsense <']);
    assert.deepEqual(callTargetOf(req, 'voicemail'), { kind: 'menu' });
  });
});

describe('callerIdentityOf', () => {
  test('From when the peer is not trusted, PAI when it is', () => {
    const req = invite('sip:alice@x', ['P-Asserted-Identity: "Real Name" <sip:+15551234@x>']);
    assert.deepEqual(callerIdentityOf(req, false), { number: '2002', name: 'Bob Caller' });
    assert.deepEqual(callerIdentityOf(req, true), { number: '+15551234', name: 'Real Name' });
  });

  test('Privacy: id hides the caller; anonymous is nobody', () => {
    assert.deepEqual(callerIdentityOf(invite('sip:alice@x', ['Privacy: id']), true), { number: null, name: null });
    assert.deepEqual(
      callerIdentityOf(invite('sip:alice@x', [], '"Anonymous" <sip:anonymous@anonymous.invalid>;tag=2'), false),
      { number: null, name: null },
    );
  });
});
