import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../../src/app/errors.js';
import {
  messagesDelete,
  messagesList,
  runMessagesCommand,
  type MessageCommandDeps,
  type MessageListing,
} from '../../../src/app/message-commands.js';
import { openMessageDeps } from '../../../src/app/message-wiring.js';
import { openStorage } from '../../../src/app/open-storage.js';
import { addUser } from '../../../src/app/user-commands.js';
import { MwiService } from '../../../src/mwi/mwi-service.js';
import { AudioFiles } from '../../../src/storage/files/audio-files.js';
import { Mailboxes } from '../../../src/voicemail/mailboxes.js';
import { makeTempDir, removeTempDir } from '../../support/temp-dir.js';
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';

const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);

function message(id: string, over: Partial<MessageListing> = {}): MessageListing {
  return {
    id,
    mailbox: 'alice',
    callerNumber: '+15551234',
    callerName: 'Bob',
    receivedAt: T0,
    durationMs: 12_345,
    urgent: false,
    read: false,
    ...over,
  };
}

/** A store with alice's messages (newest first) and bob's empty mailbox. */
function fakeDeps(): MessageCommandDeps & { removed: string[]; closed: number } {
  const messages = [
    message('m2', { receivedAt: T0 + 60_000, urgent: true, callerName: null }),
    message('m1', { read: true, durationMs: 800 }),
    message('m0', { callerNumber: null, callerName: null, receivedAt: T0 - 1000 }),
    message('m9', { callerNumber: null, callerName: 'Evil\u001b[2J\u202eName', receivedAt: T0 - 2000 }),
  ];
  const deps = {
    removed: [] as string[],
    closed: 0,
    userExists: (name: string) => name === 'alice' || name === 'bob',
    listMessages: async (mailbox: string) => messages.filter((m) => m.mailbox === mailbox),
    remove: async (id: string) => {
      const i = messages.findIndex((m) => m.id === id);
      if (i < 0) return false;
      messages.splice(i, 1);
      deps.removed.push(id);
      return true;
    },
    close: () => {
      deps.closed++;
    },
  };
  return deps;
}

describe('openum messages list|delete', () => {
  test('list: one line per message, newest first; the caller last, escapes neutralised', async () => {
    const lines: string[] = [];
    await messagesList({ name: 'alice' }, fakeDeps(), (l) => lines.push(l));
    assert.deepEqual(lines, [
      'm2 2024-05-01T10:01:00.000Z 12.3s new urgent from=+15551234',
      'm1 2024-05-01T10:00:00.000Z 0.8s old normal from=+15551234 "Bob"',
      'm0 2024-05-01T09:59:59.000Z 12.3s new normal from=unknown',
      'm9 2024-05-01T09:59:58.000Z 12.3s new normal from="Evil?[2J?Name"',
    ]);
  });

  test('list: an empty mailbox says so; an unknown user is a usage error', async () => {
    const lines: string[] = [];
    await messagesList({ name: 'bob' }, fakeDeps(), (l) => lines.push(l));
    assert.deepEqual(lines, ['no messages']);
    await assert.rejects(messagesList({ name: 'nobody' }, fakeDeps(), assert.fail), {
      name: 'UsageError',
      message: 'no user "nobody"',
    });
  });

  test('delete: removes through the delegate; an unknown id is a usage error', async () => {
    const deps = fakeDeps();
    const lines: string[] = [];
    await messagesDelete('m1', deps, (l) => lines.push(l));
    assert.deepEqual(lines, ['deleted m1']);
    assert.deepEqual(deps.removed, ['m1']);
    await assert.rejects(messagesDelete('m1', deps, assert.fail), { name: 'UsageError', message: 'no message m1' });
    assert.deepEqual(deps.removed, ['m1']);
  });

  test('runMessagesCommand opens the data folder and closes it, also after an error', async () => {
    const deps = fakeDeps();
    const opened: string[] = [];
    const lines: string[] = [];
    const io = {
      open: (data: string) => {
        opened.push(data);
        return deps;
      },
      out: (l: string) => lines.push(l),
    };
    await runMessagesCommand('delete', 'm0', { data: '/srv/openum' }, io);
    await runMessagesCommand('list', 'bob', {}, io);
    await assert.rejects(runMessagesCommand('delete', 'nope', { data: 'd' }, io), UsageError);
    assert.deepEqual(opened, ['/srv/openum', './data', 'd']);
    assert.deepEqual(lines, ['deleted m0', 'no messages']);
    assert.equal(deps.closed, 3);
  });

  test('on a real data folder: list prints the deposited message, delete removes it, its audio and its lamp', async () => {
    const dir = await makeTempDir('msgcmd');
    try {
      const storage = openStorage(dir);
      addUser(storage, { name: 'carol', password: 'secret-pw' });
      const mwi = new MwiService(storage);
      const boxes = new Mailboxes(storage, new AudioFiles(join(dir, 'audio')), mwi, { maxMessages: 10 });
      const m = await boxes.deposit({
        mailbox: 'carol',
        pcm: new Int16Array(16000),
        caller: { number: '2002', name: 'Bob' },
        urgent: false,
        callId: null,
        reason: null,
        origin: 'api',
      });
      storage.close();
      const lines: string[] = [];
      const io = { open: openMessageDeps, out: (l: string) => lines.push(l) };
      await runMessagesCommand('list', 'carol', { data: dir }, io);
      assert.match(lines[0] ?? '', new RegExp(`^${m.id} .* 2\\.0s new normal from=2002 "Bob"$`));
      await runMessagesCommand('delete', m.id, { data: dir }, io);
      assert.equal(lines[1], `deleted ${m.id}`);
      const after = openStorage(dir);
      assert.deepEqual(await after.listMessages('carol'), []);
      assert.equal(new MwiService(after).get('carol').counts.new, 0);
      after.close();
      assert.deepEqual(await readdir(join(dir, 'audio', 'carol')), []);
    } finally {
      await removeTempDir(dir);
    }
  });
});
