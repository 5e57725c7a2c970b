/** The phone menu on a scripted call: login, PIN lockout, listening keys, greetings, PIN change. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runMenu, type MenuAccess, type Speech } from '../../../src/voicemail/menu-flow.js';
import { PinGuard } from '../../../src/voicemail/pin-guard.js';
import type { StoredMessage } from '../../../src/voicemail/flow-ports.js';
import { FakeCall, fakePrompts, type Step } from '../../support/fake-call.js';

const speech: Speech = {
  counts: (n, o) => [`counts:${n}/${o}`],
  number: (n) => [`n:${n}`],
  digits: (s) => [`d:${s}`],
  dateTime: () => ['when'],
};

function mailbox(msgs: StoredMessage[] = []) {
  const log: string[] = [];
  let pin = '1234';
  const box: MenuAccess = {
    greeting: async () => undefined,
    isFull: async () => false,
    deposit: async () => ({ id: 'x' }),
    findMailbox: async (typed) => (typed === '1001' ? 'alice' : undefined),
    pinOnOwnPhone: async () => true,
    checkPin: async (_m, p) => p === pin,
    setPin: async (_m, p) => {
      pin = p;
      log.push(`pin:${p}`);
    },
    messages: async () => msgs.map((m) => ({ ...m })),
    audio: async (id) => new Int16Array(id.length),
    setRead: async (id, read) => {
      log.push(`read:${id}:${read}`);
    },
    remove: async (id) => {
      log.push(`remove:${id}`);
    },
    saveGreeting: async (_m, kind, pcm) => {
      log.push(`greeting:${kind}:${pcm.length}`);
    },
  };
  return { box, log };
}

const msg = (id: string, o: Partial<StoredMessage> = {}): StoredMessage => ({
  id,
  receivedAt: 1000,
  durationMs: 5000,
  callerNumber: '2002',
  callerName: null,
  urgent: false,
  read: false,
  ...o,
});
const keys = (s: string): Step[] => [...s].map((key) => ({ key }));

async function run(script: Step[], msgs: StoredMessage[] = [], authenticated?: string, guard = new PinGuard(() => 0)) {
  const call = new FakeCall(script);
  const { box, log } = mailbox(msgs);
  const outcome = await runMenu(call, fakePrompts(), box, speech, guard, { authenticated });
  return { outcome, play: call.log, log };
}

describe('runMenu', () => {
  test('mailbox and PIN from anywhere, the counts, # leaves', async () => {
    const r = await run([...keys('1001#1234#'), { key: '#' }], [msg('aa'), msg('bb', { read: true })]);
    assert.equal(r.outcome, 'done');
    assert.ok(r.play.includes('play:counts:1/1'), r.play.join());
    assert.deepEqual(r.play.slice(-2), ['play:vm-goodbye', 'bye']);
  });

  test('three wrong PINs: goodbye; the guard locks the mailbox after five', async () => {
    const guard = new PinGuard(() => 0, 5);
    const r = await run(keys('1001#9999#1001#9999#1001#9999#'), [], undefined, guard);
    assert.equal(r.outcome, 'login-failed');
    assert.equal(r.play.filter((x) => x === 'play:vm-incorrect').length, 3);
    await run(keys('1001#9999#1001#9999#'), [], undefined, guard);
    assert.equal(guard.allowed('alice'), false);
    const locked = await run(keys('1001#1234#'), [], undefined, guard);
    assert.equal(locked.outcome, 'login-failed', 'even the right PIN is refused while locked');
  });

  test('listening: new urgent first; 7 during a message deletes it, 9 saves (read)', async () => {
    const msgs = [
      msg('old1', { read: true, receivedAt: 1 }),
      msg('new1', { receivedAt: 2 }),
      msg('urg', { urgent: true, receivedAt: 3 }),
    ];
    const r = await run(
      [...keys('1234#'), { key: '1' }, { key: '7', at: 'audio' }, { key: '9', at: 'audio' }, { key: '#', at: 'audio' }],
      msgs,
      'alice',
    );
    // 7 pressed during urg deletes it; 9 during new1 saves it (read); # during old1 goes on; nothing more
    assert.deepEqual(r.log, ['remove:urg', 'read:new1:true']);
    const audio = r.play.filter((x) => x.startsWith('play:audio'));
    assert.deepEqual(audio, ['play:audio(3)', 'play:audio(4)', 'play:audio(4)']);
    assert.ok(r.play.includes('play:vm-nomore'));
    assert.ok(r.play.includes('play:vm-Urgent'));
    assert.ok(r.play.includes('play:d:2002'));
  });

  test('a key during a message stops it; the message stays new unless 3 skipped to its end', async () => {
    const r = await run(
      [...keys('1234#'), { key: '1' }, { key: '6' }, { key: '3' }, { key: '#' }, { key: '#' }],
      [msg('m1', { receivedAt: 1 }), msg('m2', { receivedAt: 2 })],
      'alice',
    );
    assert.deepEqual(r.log, ['read:m2:true']);
  });

  test('options: record the busy greeting (2), accept; change the PIN (5)', async () => {
    const rec = { pcm: new Int16Array(16000), end: 'digit' as const, digit: '#' };
    const r = await run(
      [
        ...keys('1234#'),
        { key: '0' },
        { key: '2' },
        { record: rec },
        { key: '1' },
        ...keys('5'),
        ...keys('4321#4321#'),
        { key: '*' },
        { key: '#' },
      ],
      [],
      'alice',
    );
    assert.deepEqual(r.log, ['greeting:busy:16000', 'pin:4321']);
    assert.ok(r.play.includes('play:vm-passchanged'));
  });

  test('an authenticated caller with no PIN to give (none set, or --own-phone-pin off) goes straight in; a hang-up anywhere ends cleanly', async () => {
    const call = new FakeCall([{ hangup: true }]);
    const { box } = mailbox([]);
    box.pinOnOwnPhone = async () => false;
    assert.equal(
      await runMenu(call, fakePrompts(), box, speech, new PinGuard(() => 0), { authenticated: 'alice' }),
      'done',
    );
    assert.ok(call.ended);
  });
});
