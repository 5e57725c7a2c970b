import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { addUser } from '../../../src/app/user-commands.js';
import { MwiService } from '../../../src/mwi/mwi-service.js';
import { AudioFiles } from '../../../src/storage/files/audio-files.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';
import { ManagedProcess } from '../../support/child-process.js';
import { makeTempDir, removeTempDir } from '../../support/temp-dir.js';
import { audioOf } from './message-fixture.js';

const CHILD = fileURLToPath(new URL('./crash-depositor.js', import.meta.url));
const KILLS = 5;

let dir: string;
before(async () => {
  dir = await makeTempDir('crash');
});
after(() => removeTempDir(dir));

/** Every file under the audio root, as `FOLDER/NAME`. */
async function audioFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const folder of await readdir(root).catch(() => [])) {
    for (const f of await readdir(join(root, folder))) out.push(`${folder}/${f}`);
  }
  return out.sort();
}

describe('voicemail storage survives kill -9', () => {
  test(`${KILLS} kills at random moments: every message has its audio and its lamp, no lamp without messages, no orphan after the sweep`, async () => {
    const file = join(dir, 'openum.sqlite');
    const root = join(dir, 'audio');
    const setup = new SqliteStorage(file);
    for (const name of ['alice', 'bob']) addUser(setup, { name, password: 'secret' });
    setup.close();
    let ops = 0;
    let swept = 0;
    let lastVersion = 0;
    for (let k = 0; k < KILLS; k++) {
      const child = new ManagedProcess(process.execPath, [CHILD, file, root]);
      assert.ok(await child.waitFor((out) => out.includes('ready'), 10_000), `child started: ${child.stderr}`);
      await new Promise((r) => setTimeout(r, randomInt(20, 201)));
      child.child.kill('SIGKILL');
      const status = await child.wait();
      assert.equal(status.signal, 'SIGKILL', `killed, not dead of its own: ${child.stderr}`);
      ops += child.stdout.split('.').length - 1;

      const store = new SqliteStorage(file);
      const files = new AudioFiles(root);
      const mwi = new MwiService(store);
      for (const mailbox of ['alice', 'bob']) {
        const rows = await store.listMessages(mailbox);
        for (const m of rows) {
          assert.deepEqual(await readFile(files.path(m.audioPath)), audioOf(m.id, m.audioBytes), 'whole audio');
        }
        const unread = rows.filter((m) => !m.read);
        const read = rows.filter((m) => m.read);
        const want = {
          new: unread.length,
          old: read.length,
          urgentNew: unread.filter((m) => m.urgent).length,
          urgentOld: read.filter((m) => m.urgent).length,
        };
        const source = store.listMwiSources(mailbox).find((r) => r.source === 'voicemail');
        assert.deepEqual(source?.counts, rows.length === 0 ? undefined : want, `${mailbox}: lamp = messages`);
        assert.deepEqual(mwi.get(mailbox).counts, want);
      }
      const version = store.getMwiVersion('alice').version + store.getMwiVersion('bob').version;
      assert.ok(version >= lastVersion, 'versions never go back');
      lastVersion = version;
      const known = await store.listAllAudioPaths();
      swept += await files.sweep(known);
      assert.deepEqual(await audioFiles(root), [...known].sort(), 'exactly the known audio remains');
      store.close();
    }
    assert.ok(ops > 0, 'the child got some work done');
    console.log(`${KILLS} kills, ${ops} operations finished, ${swept} orphan or temporary files swept`);
  });
});
