import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lampWatch } from '../../../src/app/http-wiring.js';
import { addUser } from '../../../src/app/user-commands.js';
import type { WebLamp } from '../../../src/http/http-app.js';
import { MwiService } from '../../../src/mwi/mwi-service.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';

describe('lampWatch: the web inbox hears the MWI service', () => {
  test("each watcher gets its own mailbox's changes until it unsubscribes", () => {
    const store = new SqliteStorage(':memory:');
    addUser(store, { name: 'alice', password: 'secret' });
    addUser(store, { name: 'bob', password: 'secret' });
    const mwi = new MwiService(store, () => 1000, false);
    const lamps = lampWatch(mwi);
    assert.deepEqual(lamps.get('alice'), { new: 0, old: 0, urgentNew: 0, urgentOld: 0, version: 0 });
    const a: WebLamp[] = [];
    const a2: WebLamp[] = [];
    const stop = lamps.watch('alice', (l) => a.push(l));
    lamps.watch('alice', (l) => a2.push(l));
    mwi.update({ mailbox: 'alice', source: 'cli', counts: { new: 2, old: 1, urgentNew: 1, urgentOld: 0 } });
    mwi.update({ mailbox: 'bob', source: 'cli', counts: { new: 5, old: 0, urgentNew: 0, urgentOld: 0 } });
    assert.equal(a.length, 1);
    assert.deepEqual(a[0], { new: 2, old: 1, urgentNew: 1, urgentOld: 0, version: a[0]?.version });
    assert.ok((a[0]?.version ?? 0) > 0);
    assert.deepEqual(lamps.get('alice'), a[0]);
    stop();
    mwi.update({ mailbox: 'alice', source: 'cli', counts: { new: 0, old: 3, urgentNew: 0, urgentOld: 0 } });
    assert.equal(a.length, 1, 'no more after unsubscribing');
    assert.deepEqual(
      a2.map((l) => l.new),
      [2, 0],
    );
  });
});
