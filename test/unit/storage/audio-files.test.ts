import assert from 'node:assert/strict';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AudioFileError, AudioFiles, mailboxFolder } from '../../../src/storage/files/audio-files.js';
import { makeTempDir, removeTempDir } from '../../support/temp-dir.js';

let dir: string;
before(async () => {
  dir = await makeTempDir('audio');
});
after(() => removeTempDir(dir));

const isCode = (code: string) => (e: unknown) => e instanceof AudioFileError && e.code === code;

describe('AudioFiles', () => {
  test('write, read, stat, remove: MAILBOX/NAME.wav under the root, nothing else left', async () => {
    const files = new AudioFiles(join(dir, 'a', 'audio'));
    const bytes = Buffer.from('RIFF....WAVEfmt ');
    const rel = await files.write('alice', bytes, 'm1');
    assert.equal(rel, 'alice/m1.wav');
    assert.deepEqual(await files.read(rel), bytes);
    assert.equal((await files.stat(rel)).size, bytes.length);
    assert.equal(files.path(rel), join(dir, 'a', 'audio', 'alice', 'm1.wav'));
    const random = await files.write('alice', bytes);
    assert.match(random, /^alice\/[A-Za-z0-9_-]{22}\.wav$/);
    assert.deepEqual((await readdir(join(files.root, 'alice'))).sort(), ['m1.wav', random.slice(6)].sort());
    assert.equal(await files.remove(rel), true);
    assert.equal(await files.remove(rel), false);
    await assert.rejects(files.read(rel), isCode('not-found'));
  });

  test('mailbox folders: unreserved characters kept, others %XX, never . or ..', () => {
    assert.equal(mailboxFolder('bob.smith_1~-'), 'bob.smith_1~-');
    assert.equal(mailboxFolder('a/b'), 'a%2Fb');
    assert.equal(mailboxFolder('..'), '%2E%2E');
    assert.equal(mailboxFolder('é'), '%C3%A9');
    assert.throws(() => mailboxFolder(''), isCode('bad-path'));
  });

  test('paths that could leave the root are refused', async () => {
    const files = new AudioFiles(join(dir, 'b'));
    for (const bad of ['../x.wav', 'a/../../x.wav', '/etc/passwd', 'a//b.wav', './a.wav', 'a\\..\\b', '', 'a\0b']) {
      assert.throws(() => files.path(bad), isCode('bad-path'), bad);
    }
    await assert.rejects(files.read('../../etc/passwd'), isCode('bad-path'));
    await assert.rejects(files.remove('..'), isCode('bad-path'));
    await assert.rejects(files.write('alice', Buffer.alloc(1), '../x'), isCode('bad-path'));
    await assert.rejects(files.write('alice', Buffer.alloc(1), 'x.wav'), isCode('bad-path'));
  });

  test('sweep: orphans and temporary files go, known files stay; minAgeMs spares young ones', async () => {
    const files = new AudioFiles(join(dir, 'c'));
    const keep = await files.write('alice', Buffer.from('keep'));
    const orphan = await files.write('alice', Buffer.from('orphan'));
    const other = await files.write('bob', Buffer.from('bob'));
    await writeFile(join(files.root, 'bob', '.tmp-deadbeef'), 'half');
    await writeFile(join(files.root, 'bob', 'notes.txt'), 'not audio: left alone');
    const known = new Set([keep, other]);
    assert.equal(await files.sweep(known, { minAgeMs: 60_000 }), 0, 'all younger than a minute');
    const old = new Date(Date.now() - 120_000);
    await utimes(files.path(orphan), old, old);
    assert.equal(await files.sweep(known, { minAgeMs: 60_000 }), 1, 'the old orphan only');
    assert.equal(await files.sweep(known), 1, 'at the start: the temporary file too');
    assert.deepEqual(await readdir(join(files.root, 'alice')), [keep.slice(6)]);
    assert.deepEqual((await readdir(join(files.root, 'bob'))).sort(), [other.slice(4), 'notes.txt'].sort());
    assert.equal(await new AudioFiles(join(dir, 'none')).sweep(new Set()), 0, 'no root yet');
  });

  test('a write that fails leaves no file, temporary or final, and says why', async () => {
    const files = new AudioFiles(join(dir, 'd'));
    // The final name is taken by a folder: the rename fails after the data was written and synced.
    await mkdir(join(files.root, 'alice', 'm1.wav', 'inside'), { recursive: true });
    await assert.rejects(files.write('alice', Buffer.alloc(8000), 'm1'), isCode('write-failed'));
    assert.deepEqual(await readdir(join(files.root, 'alice')), ['m1.wav']);
    // The mailbox's folder is a file: nothing can be written.
    await writeFile(join(files.root, 'bob'), 'a file');
    await assert.rejects(files.write('bob', Buffer.alloc(8000)), isCode('write-failed'));
    assert.deepEqual((await readdir(files.root)).sort(), ['alice', 'bob']);
  });
});
