import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addUser } from '../../../src/app/user-commands.js';
import { MwiService, type MailboxMwi } from '../../../src/mwi/mwi-service.js';
import type { LampStamp, MwiCounts } from '../../../src/storage/ports.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';
import { makeTempDir, removeTempDir } from '../../support/temp-dir.js';
import { message } from '../storage/message-fixture.js';

let dir: string;
before(async () => {
  dir = await makeTempDir('mwi-vm');
});
after(() => removeTempDir(dir));

let n = 0;
function open(): { store: SqliteStorage; file: string } {
  const file = join(dir, `m${++n}.sqlite`);
  const store = new SqliteStorage(file);
  addUser(store, { name: 'alice', password: 'secret' });
  return { store, file };
}

const c = (nw: number, old: number): MwiCounts => ({ new: nw, old, urgentNew: 0, urgentOld: 0 });

function watch(mwi: MwiService): { lamps: MailboxMwi[]; updates: (MwiCounts | null)[] } {
  const seen = { lamps: [] as MailboxMwi[], updates: [] as (MwiCounts | null)[] };
  mwi.onChange((s) => seen.lamps.push(s));
  mwi.onUpdate((u) => seen.updates.push(u.counts));
  return seen;
}

describe('MwiService.changeVoicemail: the lamp moves with the message', () => {
  test('deposit lights the lamp, read moves it to old, delete puts it out; each tells the listeners once', async () => {
    const { store, file } = open();
    const mwi = new MwiService(store, () => 5000);
    const seen = watch(mwi);
    const m = message('alice');
    const lit = await mwi.changeVoicemail('alice', (s) => store.addMessage(m, s));
    assert.deepEqual(lit && [lit.counts, lit.version, lit.messagesWaiting, lit.changedAt], [c(1, 0), 1, true, 5000]);
    assert.equal(seen.lamps.length, 1);
    const read = await mwi.changeVoicemail('alice', (s) => store.setRead(m.id, true, s));
    assert.deepEqual(read && [read.counts, read.version, read.messagesWaiting], [c(0, 1), 2, false]);
    assert.equal(await mwi.changeVoicemail('alice', (s) => store.setRead(m.id, true, s)), undefined, 'no change');
    assert.equal(mwi.get('alice').version, 2, 'no version used');
    const out = await mwi.changeVoicemail('alice', async (s) => (await store.deleteMessage(m.id, s))?.counts);
    assert.deepEqual(out && [out.counts, out.version], [c(0, 0), 3]);
    assert.deepEqual(
      seen.lamps.map((l) => [l.version, l.counts.new, l.counts.old]),
      [
        [1, 1, 0],
        [2, 0, 1],
        [3, 0, 0],
      ],
    );
    assert.deepEqual(seen.updates, [c(1, 0), c(0, 1), null]);
    assert.equal(mwi.source('alice', 'voicemail'), undefined, 'no source left, as in the store');
    // After a restart: the same lamp from the store.
    await mwi.changeVoicemail('alice', (s) => store.addMessage(message('alice'), s));
    store.close();
    const again = new SqliteStorage(file);
    const fresh = new MwiService(again).get('alice');
    assert.deepEqual([fresh.counts, fresh.version, fresh.changedAt], [c(1, 0), 4, 5000]);
    again.close();
  });

  test('other sources add up with the voicemail, and a failed write uses no version', async () => {
    const { store } = open();
    const mwi = new MwiService(store, () => 1);
    mwi.update({ mailbox: 'alice', source: 'sip:pbx', counts: c(2, 0) });
    await mwi.changeVoicemail('alice', (s) => store.addMessage(message('alice'), s));
    assert.deepEqual([mwi.get('alice').counts, mwi.get('alice').version], [c(3, 0), 2]);
    await assert.rejects(
      mwi.changeVoicemail('alice', (s) => store.addMessage(message('bob'), s)),
      /stamped for alice/,
    );
    assert.equal(mwi.get('alice').version, 2);
    const next = await mwi.changeVoicemail('alice', (s) => store.addMessage(message('alice'), s));
    assert.equal(next?.version, 3, 'the queue goes on after a failure');
    store.close();
  });

  test('concurrent deposits to one mailbox take versions one after the other', async () => {
    const { store } = open();
    const mwi = new MwiService(store);
    const seen = watch(mwi);
    const stamps: number[] = [];
    const deposit = () =>
      mwi.changeVoicemail('alice', async (s) => {
        stamps.push(s.version);
        await new Promise((r) => setTimeout(r, 5));
        return store.addMessage(message('alice'), s);
      });
    const [a, b, d] = await Promise.all([deposit(), deposit(), deposit()]);
    assert.deepEqual(stamps, [1, 2, 3]);
    assert.deepEqual([a?.version, b?.version, d?.version], [1, 2, 3]);
    assert.deepEqual(
      seen.lamps.map((l) => [l.version, l.counts.new]),
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
    );
    assert.deepEqual(store.getMwiVersion('alice').version, 3);
    store.close();
  });

  test('another source changing while a (slow) voicemail write is in flight: published versions only rise, the store ends where the cache is', async () => {
    const { store, file } = open();
    const mwi = new MwiService(store);
    const seen = watch(mwi);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let stamped: LampStamp | undefined;
    const slow = mwi.changeVoicemail('alice', async (s) => {
      stamped = s;
      await gate;
      return store.addMessage(message('alice'), s);
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(stamped?.version, 1);
    assert.equal(
      mwi.update({ mailbox: 'alice', source: 'cli', counts: c(5, 0) }).state.version,
      2,
      'past the reserved 1',
    );
    release();
    const done = await slow;
    assert.deepEqual([done?.version, done?.counts], [3, c(6, 0)]);
    assert.deepEqual(
      seen.lamps.map((l) => l.version),
      [2, 3],
    );
    await store.barrier();
    store.close();
    const again = new SqliteStorage(file);
    const after = new MwiService(again).get('alice');
    assert.deepEqual([after.version, after.counts], [3, c(6, 0)]);
    again.close();
  });
});
