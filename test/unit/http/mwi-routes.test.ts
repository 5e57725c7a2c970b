import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createToken } from '../../../src/app/admin-commands.js';
import { apiCredentials, mwiApi } from '../../../src/app/http-wiring.js';
import { addUser } from '../../../src/app/user-commands.js';
import { buildHttpApp } from '../../../src/http/http-app.js';
import { MwiService } from '../../../src/mwi/mwi-service.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';

function setup() {
  const storage = new SqliteStorage(':memory:');
  addUser(storage, { name: 'alice', password: 'secret', domain: 'localhost' });
  addUser(storage, { name: 'bob', password: 'hunter22', domain: 'localhost' });
  addUser(storage, { name: 'carol', password: 'secret', domain: 'localhost', mwi: 'off' });
  const mwi = new MwiService(storage);
  const app = buildHttpApp({
    version: 't',
    health: () => ({}),
    mwi: mwiApi(storage, mwi),
    credentials: apiCredentials(storage),
  });
  const forAlice = createToken(storage, 'mwi:write', 'alice');
  const anyMailbox = createToken(storage, 'mwi:write', undefined);
  return { storage, mwi, app, forAlice, anyMailbox };
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
const url = (n: string) => `/api/v1/mailboxes/${n}/mwi`;

describe('MWI REST API (CONTRACT.md)', () => {
  test("PUT sets the token's own source; sources add up; 0/0 clears only that source", async () => {
    const { app, mwi, forAlice, anyMailbox } = setup();
    let r = await app.inject({
      method: 'PUT',
      url: url('alice'),
      headers: bearer(forAlice),
      payload: { new: 2, old: 1 },
    });
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.json(), { messagesWaiting: true, new: 2, old: 1, urgentNew: 0, urgentOld: 0, version: 1 });
    r = await app.inject({
      method: 'PUT',
      url: url('alice'),
      headers: bearer(anyMailbox),
      payload: { new: 1, old: 0, urgentNew: 1 },
    });
    assert.deepEqual(r.json(), { messagesWaiting: true, new: 3, old: 1, urgentNew: 1, urgentOld: 0, version: 2 });
    r = await app.inject({ method: 'PUT', url: url('alice'), headers: bearer(forAlice), payload: { new: 0, old: 0 } });
    assert.deepEqual(r.json(), { messagesWaiting: true, new: 1, old: 0, urgentNew: 1, urgentOld: 0, version: 3 });
    assert.equal(mwi.get('alice').counts.new, 1);
    r = await app.inject({ method: 'GET', url: url('alice'), headers: basic('alice', 'secret') });
    assert.equal(r.json().new, 1);
  });

  test('bad requests change nothing and get JSON errors', async () => {
    const { app, mwi, forAlice } = setup();
    const cases: [Record<string, string>, string, unknown, number, string][] = [
      [{}, 'alice', { new: 1, old: 0 }, 401, 'unauthorized'],
      [bearer('oum_bogus'), 'alice', { new: 1, old: 0 }, 401, 'unauthorized'],
      [basic('alice', 'secret'), 'alice', { new: 1, old: 0 }, 403, 'forbidden'],
      [bearer(forAlice), 'bob', { new: 1, old: 0 }, 403, 'forbidden'],
      [bearer(forAlice), 'alice', { new: -1, old: 0 }, 400, 'bad_request'],
      [bearer(forAlice), 'alice', { new: 1, old: 0, urgentNew: 2 }, 400, 'bad_request'],
      [bearer(forAlice), 'alice', { new: 1, old: 0, extra: 1 }, 400, 'bad_request'],
      [bearer(forAlice), 'alice', 'not json', 400, 'bad_request'],
    ];
    for (const [headers, name, payload, status, code] of cases) {
      const r = await app.inject({
        method: 'PUT',
        url: url(name),
        headers: { ...headers, 'content-type': 'application/json' },
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
      assert.equal(r.statusCode, status, `${JSON.stringify(payload)} -> ${r.body}`);
      assert.equal(r.json().error.code, code);
    }
    assert.equal(mwi.get('alice').version, 0);
    const wrongPw = await app.inject({ method: 'GET', url: url('alice'), headers: basic('alice', 'nope') });
    assert.equal(wrongPw.statusCode, 401);
    const other = await app.inject({ method: 'GET', url: url('bob'), headers: basic('alice', 'secret') });
    assert.equal(other.statusCode, 403);
  });

  test('unknown mailbox 404; MWI off 403 mwi_disabled', async () => {
    const { app, storage } = setup();
    const admin = createToken(storage, 'admin', undefined);
    let r = await app.inject({
      method: 'PUT',
      url: url('nobody'),
      headers: bearer(admin),
      payload: { new: 1, old: 0 },
    });
    assert.equal(r.statusCode, 404);
    r = await app.inject({ method: 'PUT', url: url('carol'), headers: bearer(admin), payload: { new: 1, old: 0 } });
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().error.code, 'mwi_disabled');
  });
});
