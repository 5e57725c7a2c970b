import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addUser } from '../../../src/app/user-commands.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';
import { makeTempDir, removeTempDir } from '../../support/temp-dir.js';
import { message, stamp } from './message-fixture.js';

let dir: string;
before(async () => {
  dir = await makeTempDir('messages');
});
after(() => removeTempDir(dir));

let n = 0;
/** A fresh store on a file, with users alice and bob. */
function open(): { s: SqliteStorage; file: string } {
  const file = join(dir, `s${++n}.sqlite`);
  const s = new SqliteStorage(file);
  addUser(s, { name: 'alice', password: 'secret' });
  addUser(s, { name: 'bob', password: 'secret' });
  return { s, file };
}

const zero = { new: 0, old: 0, urgentNew: 0, urgentOld: 0 };

function feed(s: SqliteStorage): { mailbox: string; origin: string }[] {
  return s.db.prepare('SELECT mailbox, origin FROM mwi_changes ORDER BY id').all() as {
    mailbox: string;
    origin: string;
  }[];
}

describe('SqliteStorage: voicemail messages and their lamp', () => {
  test('a message, its voicemail source, the version and the feed are written together and read back whole', async () => {
    const { s } = open();
    const m1 = message('alice', { receivedAt: 1000 });
    const m2 = message('alice', { receivedAt: 2000, urgent: true, callerName: null, reason: null, origin: 'api' });
    assert.deepEqual(await s.addMessage(m1, stamp('alice', 1, 10)), { ...zero, new: 1 });
    assert.deepEqual(await s.addMessage(m2, stamp('alice', 2, 20)), { ...zero, new: 2, urgentNew: 1 });
    assert.deepEqual(await s.getMessage(m1.id), m1);
    assert.deepEqual(await s.listMessages('alice'), [m2, m1], 'newest first');
    assert.equal(await s.countMessages('alice'), 2);
    assert.equal(await s.countMessages('bob'), 0);
    const [src] = s.listMwiSources('alice');
    assert.deepEqual(src, {
      mailbox: 'alice',
      source: 'voicemail',
      counts: { ...zero, new: 2, urgentNew: 1 },
      account: null,
      updatedAt: 20,
      expiresAt: null,
      etag: null,
    });
    assert.deepEqual(s.getMwiVersion('alice'), { version: 2, changedAt: 20 });
    assert.deepEqual(feed(s), [
      { mailbox: 'alice', origin: 'test' },
      { mailbox: 'alice', origin: 'test' },
    ]);
    assert.equal(s.barrier(), undefined, 'nothing waits in the group commit');
    s.close();
  });

  test('read and urgent flags move counts between new and old; a flip that changes nothing writes nothing', async () => {
    const { s } = open();
    const m = message('alice', { urgent: true });
    await s.addMessage(m, stamp('alice', 1));
    assert.deepEqual(await s.setRead(m.id, true, stamp('alice', 2)), { ...zero, old: 1, urgentOld: 1 });
    assert.equal(await s.setRead(m.id, true, stamp('alice', 3)), undefined, 'already read');
    assert.equal(await s.setRead(m.id, false, stamp('bob', 3)), undefined, 'not a message of bob');
    assert.equal(await s.setRead('nope', false, stamp('alice', 3)), undefined);
    assert.equal(s.getMwiVersion('alice').version, 2, 'no version written for no change');
    assert.deepEqual(await s.setUrgent(m.id, false, stamp('alice', 3)), { ...zero, old: 1 });
    assert.deepEqual(await s.setRead(m.id, false, stamp('alice', 4)), { ...zero, new: 1 });
    assert.equal((await s.getMessage(m.id))?.read, false);
    assert.equal(s.getMwiVersion('alice').version, 4);
    s.close();
  });

  test('deleting the last message removes the voicemail source (as a null update does) and moves the version', async () => {
    const { s } = open();
    const m = message('alice');
    await s.addMessage(m, stamp('alice', 1));
    s.applyMwiChange({
      mailbox: 'alice',
      source: 'sip:pbx',
      record: {
        mailbox: 'alice',
        source: 'sip:pbx',
        counts: { ...zero, old: 3 },
        account: null,
        updatedAt: 1,
        expiresAt: null,
        etag: null,
      },
      version: 2,
      changedAt: 1,
      origin: 'x',
    });
    assert.equal(await s.deleteMessage(m.id, stamp('bob', 3)), undefined, 'not bob’s');
    const gone = await s.deleteMessage(m.id, stamp('alice', 3, 30));
    assert.deepEqual(gone, { message: m, counts: zero });
    assert.equal(await s.deleteMessage(m.id, stamp('alice', 4)), undefined);
    assert.deepEqual(
      s.listMwiSources('alice').map((r) => r.source),
      ['sip:pbx'],
      'the other source stays',
    );
    assert.deepEqual(s.getMwiVersion('alice'), { version: 3, changedAt: 30 });
    s.close();
  });

  test('a failed write changes nothing: no message for an unknown mailbox, no lamp for a duplicate id', async () => {
    const { s } = open();
    await assert.rejects(s.addMessage(message('carol'), stamp('carol', 1)), /FOREIGN KEY/);
    assert.deepEqual(s.listMwiSources('carol'), []);
    assert.deepEqual(s.getMwiVersion('carol'), { version: 0, changedAt: 0 });
    const m = message('alice');
    await s.addMessage(m, stamp('alice', 1));
    await assert.rejects(s.addMessage(m, stamp('alice', 2)), /UNIQUE/);
    await assert.rejects(s.addMessage(message('alice'), stamp('bob', 2)), /stamped for bob/);
    assert.deepEqual(s.listMwiSources('alice')[0]?.counts, { ...zero, new: 1 });
    assert.equal(s.getMwiVersion('alice').version, 1);
    assert.equal(feed(s).length, 1);
    s.close();
  });

  test('durable at once and after the group commit: a queued MWI write lands first, a newer version is never lowered', async () => {
    const { s, file } = open();
    const other = new SqliteStorage(file);
    const rec = (c: number) => ({
      mailbox: 'alice',
      source: 'cli',
      counts: { ...zero, new: c },
      account: null,
      updatedAt: 1,
      expiresAt: null,
      etag: null,
    });
    s.applyMwiChange({ mailbox: 'alice', source: 'cli', record: rec(1), version: 1, changedAt: 1, origin: 'x' });
    await s.addMessage(message('alice'), stamp('alice', 2, 2));
    // Seen by another connection without waiting for any barrier: the message transaction committed.
    assert.equal(await other.countMessages('alice'), 1);
    assert.deepEqual(other.getMwiVersion('alice'), { version: 2, changedAt: 2 }, 'the queued version 1 went first');
    // A stamp older than the stored version (an asynchronous store may commit late) keeps the newer one.
    s.applyMwiChange({ mailbox: 'alice', source: 'cli', record: rec(2), version: 5, changedAt: 5, origin: 'x' });
    await s.addMessage(message('alice'), stamp('alice', 3, 3));
    assert.deepEqual(other.getMwiVersion('alice'), { version: 5, changedAt: 5 });
    assert.deepEqual(other.listMwiSources('alice').find((r) => r.source === 'voicemail')?.counts, { ...zero, new: 2 });
    other.close();
    s.close();
  });

  test('a write resolves in memory too, and when the store closes while its WAL sync is under way', async () => {
    const mem = new SqliteStorage(':memory:');
    addUser(mem, { name: 'alice', password: 'secret' });
    assert.deepEqual(await mem.addMessage(message('alice'), stamp('alice', 1)), { ...zero, new: 1 });
    mem.close();
    const { s, file } = open();
    const pending = s.addMessage(message('alice'), stamp('alice', 1));
    s.close();
    assert.deepEqual(await pending, { ...zero, new: 1 });
    const again = new SqliteStorage(file);
    assert.equal(await again.countMessages('alice'), 1);
    again.close();
  });

  test('greetings: one per kind, a replacement hands back the old audio; all audio paths are listed', async () => {
    const { s } = open();
    assert.equal(await s.putGreeting('alice', 'busy', 'alice/g1.wav'), undefined);
    assert.equal(await s.putGreeting('alice', 'busy', 'alice/g2.wav'), 'alice/g1.wav');
    assert.equal(await s.putGreeting('alice', 'name', 'alice/n.wav'), undefined);
    assert.equal(await s.getGreeting('alice', 'busy'), 'alice/g2.wav');
    assert.equal(await s.getGreeting('alice', 'unavailable'), undefined);
    const m = message('bob');
    await s.addMessage(m, stamp('bob', 1));
    assert.deepEqual([...(await s.listAllAudioPaths())].sort(), ['alice/g2.wav', 'alice/n.wav', m.audioPath].sort());
    assert.equal(await s.deleteGreeting('alice', 'busy'), 'alice/g2.wav');
    assert.equal(await s.deleteGreeting('alice', 'busy'), undefined);
    await assert.rejects(s.putGreeting('carol', 'name', 'carol/n.wav'), /FOREIGN KEY/);
    s.close();
  });

  test('setPin sets and clears the hash the user record shows', async () => {
    const { s } = open();
    assert.equal(s.getUser('alice')?.pinHash, null);
    assert.equal(await s.setPin('alice', 'scrypt$x'), true);
    assert.equal(s.getUser('alice')?.pinHash, 'scrypt$x');
    assert.equal(await s.setPin('alice', null), true);
    assert.equal(s.getUser('alice')?.pinHash, null);
    assert.equal(await s.setPin('carol', 'scrypt$x'), false);
    s.close();
  });

  test('removing a user removes their messages, greetings and lamp, announced under a new version', async () => {
    const { s } = open();
    await s.addMessage(message('alice'), stamp('alice', 1));
    await s.addMessage(message('bob'), stamp('bob', 1));
    await s.putGreeting('alice', 'name', 'alice/n.wav');
    const seen = s.latestMwiChangeId();
    assert.equal(s.removeUser('alice'), true);
    assert.equal(await s.countMessages('alice'), 0);
    assert.equal(await s.getGreeting('alice', 'name'), undefined);
    assert.deepEqual(s.listMwiSources('alice'), []);
    assert.equal(s.getMwiVersion('alice').version, 2);
    assert.deepEqual(s.mwiChangesSince(seen, 10, 'test'), [{ id: seen + 1, mailbox: 'alice' }]);
    assert.equal(await s.countMessages('bob'), 1, 'others keep theirs');
    assert.equal(s.removeUser('alice'), false);
    s.close();
  });
});
