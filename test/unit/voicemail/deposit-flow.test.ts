/** The deposit flow (greeting, beep, record, review, store) on a scripted call. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runDeposit, type DepositRequest } from '../../../src/voicemail/deposit-flow.js';
import type { GreetingKind, MailboxAccess, NewMessage } from '../../../src/voicemail/flow-ports.js';
import { FakeCall, fakePrompts, type Step } from '../../support/fake-call.js';

const LIMITS = { maxMessageMs: 180_000, minMessageMs: 2000, maxSilenceMs: 10_000 };
const REQ: DepositRequest = {
  mailbox: 'alice',
  spokenId: '1001',
  reason: 'unavailable',
  caller: { number: '2002', name: 'Bob' },
  callId: 'c1',
  urgent: false,
};
const secs = (s: number): Int16Array => new Int16Array(s * 8000);

function boxes(o: { full?: boolean; greetings?: Partial<Record<GreetingKind, Int16Array>>; fail?: boolean } = {}) {
  const stored: NewMessage[] = [];
  const box: MailboxAccess = {
    greeting: async (_m, kind) => o.greetings?.[kind],
    isFull: async () => o.full ?? false,
    deposit: async (m) => {
      if (o.fail) throw new Error('ENOSPC');
      stored.push(m);
      return { id: 'm1' };
    },
  };
  return { box, stored };
}

async function run(script: Step[], o: Parameters<typeof boxes>[0] = {}, req: Partial<DepositRequest> = {}) {
  const call = new FakeCall(script);
  const { box, stored } = boxes(o);
  const outcome = await runDeposit(call, fakePrompts(), box, LIMITS, { ...REQ, ...req });
  return { outcome, log: call.log, stored, call };
}

describe('runDeposit', () => {
  test('built greeting with the extension digits, beep, record until hang-up: stored, no review', async () => {
    const r = await run([{ record: { pcm: secs(7), end: 'hangup' } }]);
    assert.equal(r.outcome, 'stored');
    assert.deepEqual(r.log, [
      'play:vm-theperson',
      'play:digits/1',
      'play:digits/0',
      'play:digits/0',
      'play:digits/1',
      'play:vm-isunavail',
      'play:vm-intro',
      'play:beep',
      'record:hangup:56000',
    ]);
    assert.equal(r.stored.length, 1);
    assert.equal(r.stored[0]?.reason, 'unavailable');
    assert.equal(r.stored[0]?.pcm.length, 56000);
  });

  test('busy: the busy greeting when recorded; the temporary one wins over both', async () => {
    const busy = new Int16Array(3);
    const temp = new Int16Array(5);
    let r = await run([{ record: { pcm: secs(3), end: 'hangup' } }], { greetings: { busy } }, { reason: 'busy' });
    assert.equal(r.log[0], 'play:audio(3)');
    r = await run(
      [{ record: { pcm: secs(3), end: 'hangup' } }],
      { greetings: { busy, temporary: temp } },
      { reason: 'busy' },
    );
    assert.equal(r.log[0], 'play:audio(5)');
    r = await run([{ record: { pcm: secs(3), end: 'hangup' } }], {}, { reason: 'busy' });
    assert.ok(r.log.includes('play:vm-isonphone'));
  });

  test('# skips the greeting to the beep', async () => {
    const r = await run([{ key: '#' }, { record: { pcm: secs(3), end: 'hangup' } }]);
    assert.deepEqual(r.log.slice(0, 3), ['play:vm-theperson', 'play:beep', 'record:hangup:24000']);
  });

  test('shorter than --min-message: discarded, no message', async () => {
    const r = await run([{ record: { pcm: secs(1), end: 'hangup' } }]);
    assert.equal(r.outcome, 'too-short');
    assert.equal(r.stored.length, 0);
  });

  test('hang-up during the greeting: nothing stored', async () => {
    const r = await run([{ hangup: true }]);
    assert.equal(r.outcome, 'hangup-before-beep');
    assert.equal(r.stored.length, 0);
  });

  test('# then review: 4 marks urgent, 2 listens, 1 accepts; saved and goodbye', async () => {
    const r = await run([
      { record: { pcm: secs(4), end: 'digit', digit: '#' } },
      { key: '4' },
      { key: '2' },
      { key: '1' },
    ]);
    assert.equal(r.outcome, 'stored');
    assert.equal(r.stored[0]?.urgent, true);
    assert.ok(r.log.includes('play:vm-marked-urgent'));
    assert.ok(r.log.includes('play:audio(32000)'), 'listened to the recording');
    assert.deepEqual(r.log.slice(-3), ['play:vm-msgsaved', 'play:vm-goodbye', 'bye']);
  });

  test('review 3 re-records: the second recording is stored', async () => {
    const r = await run([
      { record: { pcm: secs(4), end: 'digit', digit: '#' } },
      { key: '3' },
      { record: { pcm: secs(6), end: 'digit', digit: '#' } },
      { key: '1' },
    ]);
    assert.equal(r.stored[0]?.pcm.length, 48000);
  });

  test('hang-up in review keeps the message', async () => {
    const r = await run([{ record: { pcm: secs(4), end: 'digit', digit: '#' } }, { hangup: true }]);
    assert.equal(r.outcome, 'stored');
    assert.equal(r.stored.length, 1);
  });

  test('a full mailbox takes nothing; a store failure is heard and nothing is claimed', async () => {
    let r = await run([], { full: true });
    assert.equal(r.outcome, 'mailbox-full');
    assert.deepEqual(r.log, ['play:vm-mailboxfull', 'play:vm-goodbye', 'bye']);
    r = await run([{ record: { pcm: secs(4), end: 'silence' } }, { key: '1' }], { fail: true });
    assert.equal(r.outcome, 'failed');
    assert.ok(r.log.includes('play:vm-sorry'));
    assert.equal(r.log.at(-1), 'bye');
  });

  test('Priority: urgent is kept', async () => {
    const r = await run([{ record: { pcm: secs(3), end: 'hangup' } }], {}, { urgent: true });
    assert.equal(r.stored[0]?.urgent, true);
  });
});
