import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialectSpec } from '../../../src/phone/dialects.js';
import { lampLine, sameLamp } from '../../../src/phone/lamp.js';
import { parseSubscriptionState, refreshDelayMs, retryDelayMs } from '../../../src/phone/timing.js';

describe('lamp lines', () => {
  test('the exact lines of `openum phone`', () => {
    assert.equal(
      lampLine('alice', { on: true, newCount: 8, oldCount: 3, version: 33 }, 'lync'),
      'mwi alice on new=8 old=3 (lync, version 33)',
    );
    assert.equal(
      lampLine('alice', { on: false, newCount: 0, oldCount: 2 }, 'rfc3842'),
      'mwi alice off new=0 old=2 (rfc3842)',
    );
    assert.equal(lampLine('bob', { on: false, newCount: 0, oldCount: 0 }, 'lync'), 'mwi bob off new=0 old=0 (lync)');
  });

  test('a change is on/off, new or old; the version alone is not', () => {
    const a = { on: true, newCount: 8, oldCount: 3, version: 1 };
    assert.equal(sameLamp(undefined, a), false);
    assert.equal(sameLamp(a, { ...a, version: 2 }), true);
    assert.equal(sameLamp(a, { ...a, oldCount: 4 }), false);
    assert.equal(sameLamp(a, { ...a, newCount: 7 }), false);
    assert.equal(sameLamp(a, { ...a, on: false }), false);
  });
});

describe('dialect bodies', () => {
  test('RFC 3842: Messages-Waiting and the voice-message counts (Exchange and Asterisk forms)', () => {
    const read = dialectSpec('rfc3842').read;
    assert.deepEqual(
      read(Buffer.from('Messages-Waiting: yes\r\nMessage-Account: sip:alice@example.com\r\nVoice-Message: 8/3\r\n')),
      { on: true, newCount: 8, oldCount: 3 },
    );
    assert.deepEqual(read(Buffer.from('Messages-Waiting: no\r\nVoice-Message: 0/2 (0/0)\r\n')), {
      on: false,
      newCount: 0,
      oldCount: 2,
    });
    assert.deepEqual(read(Buffer.from('Messages-Waiting: yes\r\nFax-Message: 1/0\r\n')), {
      on: true,
      newCount: 0,
      oldCount: 0,
    });
    assert.throws(() => read(Buffer.from('Voice-Message: 1/0\r\n')));
  });

  test('the SUBSCRIBE of each dialect', () => {
    const r = dialectSpec('rfc3842');
    assert.equal(r.event, 'message-summary');
    assert.deepEqual(r.headers, [['Accept', 'application/simple-message-summary']]);
    assert.equal(r.body, undefined);
    const l = dialectSpec('lync');
    assert.equal(l.event, 'vnd-microsoft-roaming-self');
    assert.equal(l.contentType, 'application/vnd-microsoft-roaming-self+xml');
    assert.deepEqual(l.headers, [
      ['Accept', 'application/vnd-microsoft-roaming-self+xml'],
      ['Supported', 'ms-benotify, ms-piggyback-first-notify'],
    ]);
    assert.match(l.body?.toString() ?? '', /^<roamingList /);
  });
});

describe('timing', () => {
  test('refresh 30 s before expiry, never later than half way', () => {
    assert.equal(refreshDelayMs(3600), 3_570_000);
    assert.equal(refreshDelayMs(60), 30_000);
    assert.equal(refreshDelayMs(100), 70_000);
    assert.equal(refreshDelayMs(1), 500);
    assert.equal(refreshDelayMs(0), 500);
  });

  test('retries back off from 5 s to at most 5 min', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 100].map(retryDelayMs),
      [5000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000],
    );
  });

  test('Subscription-State (RFC 6665 section 8.2.3)', () => {
    assert.deepEqual(parseSubscriptionState('active;expires=3600'), { state: 'active', expires: 3600 });
    assert.deepEqual(parseSubscriptionState('Terminated ; reason=Probation ; retry-after=30'), {
      state: 'terminated',
      reason: 'probation',
      retryAfter: 30,
    });
    assert.deepEqual(parseSubscriptionState('pending;expires=abc'), { state: 'pending' });
    assert.equal(parseSubscriptionState(''), undefined);
    assert.equal(parseSubscriptionState(undefined), undefined);
  });
});
