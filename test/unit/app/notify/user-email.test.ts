import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { UsageError } from '../../../../src/app/errors.js';
import { addUser, setUser } from '../../../../src/app/user-commands.js';
import { SqliteStorage } from '../../../../src/storage/sqlite/sqlite-storage.js';
import { makeTempDir, removeTempDir } from '../../../support/temp-dir.js';

describe('a user e-mail address (openum user add|set --email)', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await removeTempDir(d);
  });

  test('user add keeps it; user set changes it and clears it with an empty value', () => {
    const s = new SqliteStorage(':memory:');
    addUser(s, { name: 'alice', password: 'secret', email: 'alice@example.com' });
    addUser(s, { name: 'bob', password: 'secret' });
    assert.equal(s.getUser('alice')?.email, 'alice@example.com');
    assert.equal(s.getUser('bob')?.email, null);
    setUser(s, 'bob', { email: 'bob.smith+vm@mail.example.org' });
    assert.equal(s.getUser('bob')?.email, 'bob.smith+vm@mail.example.org');
    setUser(s, 'bob', { displayName: 'Bob' });
    assert.equal(s.getUser('bob')?.email, 'bob.smith+vm@mail.example.org', 'another change leaves it');
    setUser(s, 'bob', { email: '' });
    assert.equal(s.getUser('bob')?.email, null);
    assert.equal(s.listUsers().find((u) => u.name === 'alice')?.email, 'alice@example.com');
    s.close();
  });

  test('refuses what is not a bare address (it goes into a To header)', () => {
    const s = new SqliteStorage(':memory:');
    addUser(s, { name: 'alice', password: 'secret' });
    for (const bad of [
      'alice',
      'alice@',
      '@example.com',
      'Alice <alice@example.com>',
      'a b@example.com',
      'alice@example.com\r\nBcc: eve@example.com',
      'a,b@example.com',
      'alice@exa mple.com',
      'alice@-example.com',
      `${'a'.repeat(250)}@example.com`,
    ]) {
      assert.throws(() => addUser(s, { name: 'bob', password: 'secret', email: bad }), UsageError, bad);
      assert.throws(() => setUser(s, 'alice', { email: bad }), UsageError, bad);
    }
    assert.equal(s.getUser('bob'), undefined);
    assert.equal(s.getUser('alice')?.email, null);
    s.close();
  });

  test('a database made before the columns gets them (migrations 5 and 6): no e-mail, PIN asked on the own phone', async () => {
    const dir = await makeTempDir('email');
    dirs.push(dir);
    const file = join(dir, 'openum.db');
    const old = new SqliteStorage(file, { background: false });
    addUser(old, { name: 'alice', password: 'secret' });
    // as the schema was at version 4: neither migration 5 (email) nor 6 (own_phone_pin) nor 7 (nt_hash) ran
    old.db.exec(
      'ALTER TABLE users DROP COLUMN email; ALTER TABLE users DROP COLUMN own_phone_pin; ALTER TABLE users DROP COLUMN nt_hash',
    );
    old.db.pragma('user_version = 4');
    old.close();
    const s = new SqliteStorage(file, { background: false });
    assert.equal(s.db.pragma('user_version', { simple: true }), 7);
    assert.equal(s.getUser('alice')?.email, null);
    assert.equal(s.getUser('alice')?.ownPhonePin, true, 'migration 6: the PIN is asked on the own phone by default');
    setUser(s, 'alice', { email: 'alice@example.com' });
    assert.equal(s.getUser('alice')?.email, 'alice@example.com');
    s.close();
  });
});
