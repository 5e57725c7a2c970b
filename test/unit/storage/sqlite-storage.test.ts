import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { addUser } from '../../../src/app/user-commands.js';
import type { BindingRecord } from '../../../src/storage/ports.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'openum-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function binding(user: string, key: string): BindingRecord {
  return {
    user,
    key,
    contact: `<${key}>`,
    uri: key,
    instanceId: null,
    callId: 'c',
    cseq: 1,
    expiresAt: Date.now() + 60_000,
    source: { protocol: 'udp', address: '127.0.0.1', port: 5060 },
    flowId: null,
    userAgent: null,
    q: null,
    updatedAt: 0,
  };
}

describe('SqliteStorage: group commit, caches, another process', () => {
  test('writes are visible at once, durable after the barrier, and batched into one commit', async () => {
    const file = join(dir, 'a.sqlite');
    const s = new SqliteStorage(file, { background: true });
    addUser(s, { name: 'alice', password: 'secret' });
    s.replaceBindings('alice', [binding('alice', 'sip:a@1')]);
    s.replaceBindings('alice', [binding('alice', 'sip:a@1'), binding('alice', 'sip:a@2')]);
    assert.equal(s.listBindings('alice').length, 2, 'read your writes');
    const other = new SqliteStorage(file);
    assert.equal(
      (other.db.prepare('SELECT count(*) AS n FROM bindings').get() as { n: number }).n,
      0,
      'not committed before the turn ends',
    );
    const b = s.barrier();
    assert.ok(b, 'a barrier while writes are pending');
    await b;
    assert.equal((other.db.prepare('SELECT count(*) AS n FROM bindings').get() as { n: number }).n, 2, 'committed');
    assert.equal(s.barrier(), undefined, 'nothing pending');
    other.close();
    s.close();
  });

  test('a write by another process (the CLI) reaches the cached reader', async () => {
    const file = join(dir, 'b.sqlite');
    const server = new SqliteStorage(file);
    assert.equal(server.getUser('bob'), undefined);
    const cli = new SqliteStorage(file);
    addUser(cli, { name: 'bob', password: 'secret' });
    cli.close();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.getUser('bob')?.name, 'bob');
    server.close();
  });

  test('the binding cache answers for users without bindings after one load, and stays right through expiry and outside writes', async () => {
    const file = join(dir, 'd.sqlite');
    const setup = new SqliteStorage(file);
    for (const u of ['dave', 'erin', 'fred']) addUser(setup, { name: u, password: 'secret' });
    const soon = { ...binding('dave', 'sip:d@1'), expiresAt: Date.now() + 50 };
    setup.replaceBindings('dave', [soon, binding('dave', 'sip:d@2')]);
    setup.close();
    const s = new SqliteStorage(file);
    let reads = 0;
    assert.equal(s.listBindings('erin').length, 0, 'first miss loads every user with bindings');
    const stmt = (s as unknown as { stmts: { listBindings: { all: (u: string) => unknown[] } } }).stmts.listBindings;
    const orig = stmt.all.bind(stmt);
    stmt.all = (u: string) => {
      reads++;
      return orig(u);
    };
    assert.equal(s.listBindings('fred').length, 0);
    assert.equal(s.listBindings('dave').length, 2);
    assert.equal(reads, 0, 'no query per user once loaded');
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(s.deleteExpired(Date.now()), 1);
    assert.deepEqual(
      s.listBindings('dave').map((b) => b.key),
      ['sip:d@2'],
      'the unexpired binding is still known',
    );
    s.replaceBindings('fred', [binding('fred', 'sip:f@1')]);
    assert.equal(s.listBindings('fred').length, 1, 'read your writes');
    const cli = new SqliteStorage(file);
    cli.replaceBindings('erin', [binding('erin', 'sip:e@1')]);
    cli.close();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(s.listBindings('erin').length, 1, 'a write by another process is seen');
    s.close();
  });

  test('close commits what is pending', () => {
    const file = join(dir, 'c.sqlite');
    const s = new SqliteStorage(file);
    addUser(s, { name: 'carol', password: 'secret' });
    s.replaceBindings('carol', [binding('carol', 'sip:c@1')]);
    s.close();
    const again = new SqliteStorage(file);
    assert.equal(again.listBindings('carol').length, 1);
    again.close();
  });
});
