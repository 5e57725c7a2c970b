import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UsageError } from '../../../src/app/errors.js';
import { addUser, listUsers, removeUser, setUser } from '../../../src/app/user-commands.js';
import { computeHa1 } from '../../../src/sip/auth/index.js';
import { ntHashSync } from '../../../src/http/auth/nt-hash.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';
import { Mailboxes } from '../../../src/voicemail/mailboxes.js';
import type { AudioStore } from '../../../src/storage/ports.js';
import { makeTempDir, removeTempDir } from '../../support/temp-dir.js';

describe('openum user add|list|remove', () => {
  test('stores HA1 values, never the password', () => {
    const s = new SqliteStorage(':memory:');
    addUser(s, { name: 'alice', password: 'secret', extension: '1001', domain: 'example.com', pin: '1234' });
    const u = s.getUser('alice')!;
    assert.equal(u.ha1.MD5, computeHa1('alice', 'example.com', 'secret', 'MD5'));
    assert.equal(u.ha1['SHA-256'], computeHa1('alice', 'example.com', 'secret', 'SHA-256'));
    assert.equal(u.ntHash, ntHashSync('secret'), 'the NT hash for NTLM');
    const row = JSON.stringify(s.db.prepare('SELECT * FROM users').all());
    assert.ok(!row.includes('secret'));
    assert.ok(!row.includes('"1234"'));
    assert.equal(s.findUser('1001')?.name, 'alice');
    assert.deepEqual(listUsers(s), ['alice ext=1001 mwi=on unsolicited=on contacts=0 pin=set']);
  });

  test('rejects bad and duplicate input without writing', () => {
    const s = new SqliteStorage(':memory:');
    addUser(s, { name: 'alice', password: 'secret', extension: '1001' });
    for (const bad of [
      { name: 'alice', password: 'secret' },
      { name: 'bob', password: 'secret', extension: '1001' },
      { name: 'b o b', password: 'secret' },
      { name: 'bob', password: 'x' },
      { name: 'bob', password: 'secret', extension: '12a' },
      { name: 'bob', password: 'secret', pin: '12' },
    ]) {
      assert.throws(() => addUser(s, bad), UsageError, JSON.stringify(bad));
    }
    assert.equal(s.listUsers().length, 1);
    assert.throws(() => removeUser(s, 'nobody'), UsageError);
    removeUser(s, 'alice');
    assert.equal(s.listUsers().length, 0);
  });
});

describe('openum user set', () => {
  test('changes MWI settings; bad input changes nothing', () => {
    const s = new SqliteStorage(':memory:');
    addUser(s, { name: 'alice', password: 'secret', unsolicitedMwi: 'off' });
    assert.equal(s.getUser('alice')!.unsolicitedMwi, false);
    setUser(s, 'alice', { mwi: 'off', unsolicitedMwi: 'on' });
    assert.equal(s.getUser('alice')!.mwiEnabled, false);
    assert.equal(s.getUser('alice')!.unsolicitedMwi, true);
    assert.throws(() => setUser(s, 'alice', { mwi: 'maybe' }), UsageError);
    assert.throws(() => setUser(s, 'alice', {}), UsageError);
    assert.throws(() => setUser(s, 'nobody', { mwi: 'on' }), UsageError);
    assert.equal(s.getUser('alice')!.mwiEnabled, false);
  });

  test('--password re-hashes for the domain the server last ran with and moves the user to its realm', () => {
    const s = new SqliteStorage(':memory:');
    addUser(s, { name: 'alice', password: 'secret' });
    assert.equal(s.getUser('alice')!.realm, 'localhost');
    s.setSetting('domain', 'example.com');
    setUser(s, 'alice', { password: 'n3w-secret' });
    const u = s.getUser('alice')!;
    assert.equal(u.realm, 'example.com');
    assert.equal(u.ha1.MD5, computeHa1('alice', 'example.com', 'n3w-secret', 'MD5'));
    assert.equal(u.ha1['SHA-256'], computeHa1('alice', 'example.com', 'n3w-secret', 'SHA-256'));
    assert.equal(u.ntHash, ntHashSync('n3w-secret'), 'a new NT hash');
    assert.equal(u.mwiEnabled, true, 'other settings untouched');
    setUser(s, 'alice', { mwi: 'off' });
    assert.equal(s.getUser('alice')!.ntHash, ntHashSync('n3w-secret'), 'kept when the password does not change');
    setUser(s, 'alice', { password: 'n3w-secret', domain: 'other.test' });
    assert.equal(s.getUser('alice')!.realm, 'other.test');
    assert.throws(() => setUser(s, 'alice', { password: 'x' }), UsageError);
    assert.throws(() => setUser(s, 'alice', { domain: 'example.com' }), UsageError, '--domain alone');
    assert.equal(s.getUser('alice')!.realm, 'other.test');
  });

  test('--own-phone-pin: stored, changed by user set, survives the user cache; the menu asks only with a PIN and it on', async () => {
    const s = new SqliteStorage(':memory:');
    addUser(s, { name: 'gil', password: 'secret', pin: '2468', ownPhonePin: 'off' });
    addUser(s, { name: 'hal', password: 'secret' });
    assert.equal(s.getUser('gil')?.ownPhonePin, false);
    assert.equal(s.getUser('gil')?.ownPhonePin, false, 'from the cache too');
    assert.equal(s.getUser('hal')?.ownPhonePin, true);
    const files = { sweep: async () => 0 } as unknown as AudioStore;
    const boxes = new Mailboxes(s, files, { changeVoicemail: async () => undefined }, { maxMessages: 1 });
    assert.equal(await boxes.pinOnOwnPhone('gil'), false);
    assert.equal(await boxes.pinOnOwnPhone('hal'), false, 'no PIN set: nothing to ask');
    setUser(s, 'gil', { ownPhonePin: 'on' });
    assert.equal(await boxes.pinOnOwnPhone('gil'), true);
    assert.throws(() => setUser(s, 'gil', { ownPhonePin: 'maybe' }), UsageError);
  });
});

describe('the NT hash of users made before openum kept it (migration 7)', () => {
  test('is null until the password is set again', async () => {
    const dir = await makeTempDir('nthash');
    try {
      const file = join(dir, 'openum.db');
      const old = new SqliteStorage(file, { background: false });
      addUser(old, { name: 'alice', password: 'secret' });
      // as the schema was at version 6
      old.db.exec('ALTER TABLE users DROP COLUMN nt_hash');
      old.db.pragma('user_version = 6');
      old.close();
      const s = new SqliteStorage(file, { background: false });
      assert.equal(s.db.pragma('user_version', { simple: true }), 7);
      assert.equal(s.getUser('alice')?.ntHash, null);
      assert.equal(s.getUser('alice')?.ha1.MD5, computeHa1('alice', 'localhost', 'secret', 'MD5'), 'HA1 kept');
      setUser(s, 'alice', { password: 'secret' });
      assert.equal(s.getUser('alice')?.ntHash, ntHashSync('secret'));
      s.close();
    } finally {
      await removeTempDir(dir);
    }
  });
});
