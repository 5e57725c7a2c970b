/**
 * The child of message-crash.test.ts (not a test file): deposits, reads and
 * deletes voicemail messages in a loop as the voicemail will (audio first,
 * then the message and its lamp in one transaction; on delete the row
 * first, then the audio) until it is killed. Prints `ready` once the store
 * is open, then one `.` per finished operation.
 *
 * usage: node crash-depositor.js DB_FILE AUDIO_ROOT
 */
import { randomBytes, randomInt } from 'node:crypto';
import { MwiService } from '../../../src/mwi/mwi-service.js';
import { AudioFiles } from '../../../src/storage/files/audio-files.js';
import { SqliteStorage } from '../../../src/storage/sqlite/sqlite-storage.js';
import { audioOf, message } from './message-fixture.js';

async function main(file: string, root: string): Promise<void> {
  const store = new SqliteStorage(file);
  const files = new AudioFiles(root);
  const mwi = new MwiService(store);
  process.stdout.write('ready\n');
  for (;;) {
    const mailbox = randomInt(2) === 0 ? 'alice' : 'bob';
    const all = await store.listMessages(mailbox);
    const pick = all[randomInt(Math.max(all.length, 1))];
    const roll = randomInt(10);
    if (pick && (roll < 2 || all.length > 20)) {
      const gone = await mwi.changeVoicemail(mailbox, async (s) => (await store.deleteMessage(pick.id, s))?.counts);
      if (gone) await files.remove(pick.audioPath);
    } else if (pick && roll < 4) {
      await mwi.changeVoicemail(mailbox, (s) => store.setRead(pick.id, !pick.read, s));
    } else {
      const id = randomBytes(16).toString('base64url');
      const size = randomInt(1000, 64_000);
      const audioPath = await files.write(mailbox, audioOf(id, size), id);
      const m = message(mailbox, { id, audioPath, audioBytes: size, urgent: roll === 9, receivedAt: Date.now() });
      await mwi.changeVoicemail(mailbox, (s) => store.addMessage(m, s));
    }
    process.stdout.write('.');
  }
}

const [file, root] = process.argv.slice(2);
if (file && root) await main(file, root);
