import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MwiService } from '../../../src/mwi/mwi-service.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';

const counts = (n: number) => ({ new: n, old: 1, urgentNew: 0, urgentOld: 0 });

describe('MwiService', () => {
  test('sources add up; each update replaces only its source; the version rises on lamp changes only', () => {
    const mwi = new MwiService(new SqliteStorage(':memory:'), () => 1000);
    assert.equal(mwi.update({ mailbox: 'a', source: 'sip:1', counts: counts(2) }).state.version, 1);
    assert.equal(mwi.update({ mailbox: 'a', source: 'token:x', counts: counts(3) }).state.counts.new, 5);
    const same = mwi.update({ mailbox: 'a', source: 'token:x', counts: counts(3), etag: 'e' });
    assert.equal(same.changed, false);
    assert.equal(same.state.version, 2);
    assert.equal(mwi.update({ mailbox: 'a', source: 'sip:1', counts: null }).state.counts.new, 3);
    assert.equal(mwi.get('a').changedAt, 1000);
  });

  test('the bounded cache never loses a write: a mailbox written this second stays; an evicted one reads back the same', async () => {
    let now = 1_000;
    const store = new SqliteStorage(':memory:');
    const mwi = new MwiService(store, () => now);
    mwi.update({ mailbox: 'hot', source: 'cli', counts: counts(7) });
    // 100,050 other mailboxes read in the same turn: 'hot' was just written (its commit may be pending).
    for (let i = 0; i < 100_050; i++) mwi.get(`m${i}`);
    assert.deepEqual(mwi.get('hot').counts, counts(7));
    assert.equal(mwi.get('hot').version, 1);
    await store.barrier();
    now += 5_000;
    for (let i = 0; i < 100_050; i++) mwi.get(`n${i}`);
    mwi.update({ mailbox: 'hot', source: 'token:y', counts: counts(1) });
    assert.deepEqual(mwi.get('hot').counts, { new: 8, old: 2, urgentNew: 0, urgentOld: 0 });
    assert.equal(mwi.get('hot').version, 2);
  });
});
