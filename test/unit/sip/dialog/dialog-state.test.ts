import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DialogError, createUasDialog, restoreDialogState } from '../../../../src/sip/dialog/index.js';
import { subscribe } from './fixtures.js';

describe('DialogState persistence', () => {
  test('JSON round trip through restoreDialogState gives an equal, compact object', () => {
    const d = createUasDialog(subscribe(), 'ourtag');
    const restored = restoreDialogState(JSON.parse(JSON.stringify(d)));
    assert.deepEqual(restored, d);
    assert.deepEqual(Object.keys(restored), Object.keys(d), 'same property order (one hidden class)');
  });

  test('a display name with spaces and an empty remote tag are fine', () => {
    const o = { ...good(), remoteUri: '"Bob Smith" <sip:bob@example.com>', remoteTag: '' };
    assert.equal(restoreDialogState(o).remoteUri, '"Bob Smith" <sip:bob@example.com>');
  });

  test('extra columns of a row are dropped', () => {
    const row = { ...createUasDialog(subscribe(), 'ourtag'), id: 42, expiresAt: 123 };
    const restored = restoreDialogState(row);
    assert.equal('id' in restored, false);
    assert.equal('expiresAt' in restored, false);
  });

  const good = () => JSON.parse(JSON.stringify(createUasDialog(subscribe(), 'ourtag'))) as Record<string, unknown>;
  const broken: [string, (o: Record<string, unknown>) => unknown][] = [
    ['null', () => null],
    ['a string', () => 'dialog'],
    ['missing callId', (o) => ({ ...o, callId: undefined })],
    ['empty callId', (o) => ({ ...o, callId: '' })],
    ['numeric localTag', (o) => ({ ...o, localTag: 5 })],
    ['CR LF in callId (header injection)', (o) => ({ ...o, callId: 'c\r\nX-Evil: 1' })],
    ['space in remoteTag', (o) => ({ ...o, remoteTag: 'a b' })],
    ['LF in a route', (o) => ({ ...o, routeSet: ['<sip:p1;lr>\nX: 1'] })],
    ['fractional localSeq', (o) => ({ ...o, localSeq: 1.5 })],
    ['negative localSeq', (o) => ({ ...o, localSeq: -1 })],
    ['remoteSeq below -1', (o) => ({ ...o, remoteSeq: -2 })],
    ['localSeq above 2^32-1', (o) => ({ ...o, localSeq: 2 ** 32 })],
    ['routeSet not an array', (o) => ({ ...o, routeSet: '<sip:p1;lr>' })],
    ['routeSet with a number', (o) => ({ ...o, routeSet: [1] })],
    ['routeSet with garbage', (o) => ({ ...o, routeSet: ['<<<'] })],
    ['tel: remote target', (o) => ({ ...o, remoteTarget: 'tel:+123' })],
    ['garbage remote target', (o) => ({ ...o, remoteTarget: 'sip:' })],
    ['garbage local URI', (o) => ({ ...o, localUri: '"unterminated' })],
    ['secure as string', (o) => ({ ...o, secure: 'true' })],
  ];
  for (const [name, mutate] of broken) {
    test(`a row with ${name} is refused with DialogError('invalid-state')`, () => {
      assert.throws(
        () => restoreDialogState(mutate(good())),
        (e: unknown) => e instanceof DialogError && e.code === 'invalid-state',
      );
    });
  }
});
