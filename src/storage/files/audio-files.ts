import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { CodedError } from '../../base/coded-error.js';
import type { AudioStore } from '../ports.js';

/** What went wrong with an audio file. */
export type AudioFileErrorCode = 'disk-full' | 'write-failed' | 'not-found' | 'bad-path';

export class AudioFileError extends CodedError<AudioFileErrorCode> {
  override readonly name = 'AudioFileError';
}

/** A file name (without `.wav`) the caller may choose: a message id, say. */
const NAME = /^[A-Za-z0-9_-]{1,128}$/;
/** Temporary files start so; the sweep removes leftovers. */
const TEMP_PREFIX = '.tmp-';
/** Characters kept as they are in a mailbox's folder name (RFC 3986 section 2.3 unreserved); others are %XX. */
const KEEP = /[A-Za-z0-9._~-]/;

/** A mailbox's folder name: unreserved characters kept, every other byte as %XX, never `.` or `..`. */
export function mailboxFolder(mailbox: string): string {
  let out = '';
  for (const b of Buffer.from(mailbox, 'utf8')) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && KEEP.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out === '.' || out === '..') out = out.replaceAll('.', '%2E');
  if (out.length === 0 || out.length > 200)
    throw new AudioFileError('bad-path', `mailbox "${mailbox}": no folder name`);
  return out;
}

function failed(e: unknown, what: string): AudioFileError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = e instanceof Error ? e.message : String(e);
  const err = new AudioFileError(
    code === 'ENOSPC' || code === 'EDQUOT' ? 'disk-full' : 'write-failed',
    `${what}: ${why}`,
  );
  err.cause = e;
  return err;
}

/** fsync a folder, so that a name created or renamed in it survives a crash of the machine. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Audio (WAV) files under one root, the data folder's `audio/`: a mailbox's
 * files in a folder of its own, `MAILBOX/NAME.wav`. A write goes to a
 * temporary file in the same folder, is synced, renamed into place, and the
 * folder synced: a reader (or a crash) sees the whole file or none, and the
 * sweep removes what a crash left over.
 */
export class AudioFiles implements AudioStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async write(
    mailbox: string,
    bytes: Uint8Array,
    name: string = randomBytes(16).toString('base64url'),
  ): Promise<string> {
    if (!NAME.test(name)) throw new AudioFileError('bad-path', `audio name "${name}": letters, digits, _ and - only`);
    const folder = mailboxFolder(mailbox);
    const dir = join(this.root, folder);
    const final = join(dir, `${name}.wav`);
    const tmp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    let fh: FileHandle | undefined;
    let placed: string | undefined;
    try {
      const made = await mkdir(dir, { recursive: true });
      // New folders are entries of their parents: sync each parent, from the first one made down.
      if (made !== undefined) {
        for (let d = dirname(dir); ; d = dirname(d)) {
          await syncDir(d);
          if (d === dirname(made) || d === dirname(d)) break;
        }
      }
      fh = await open(tmp, 'wx', 0o640);
      placed = tmp;
      await fh.writeFile(bytes);
      await fh.sync();
      await fh.close();
      fh = undefined;
      await rename(tmp, final);
      placed = final;
      await syncDir(dir);
      return `${folder}/${name}.wav`;
    } catch (e) {
      await fh?.close().catch(() => undefined);
      if (placed !== undefined) await unlink(placed).catch(() => undefined);
      throw failed(e, `writing ${folder}/${name}.wav`);
    }
  }

  async read(path: string): Promise<Buffer> {
    try {
      return await readFile(this.path(path));
    } catch (e) {
      throw this.readError(e, path);
    }
  }

  /** The absolute path of a relative one; throws `bad-path` on anything that could leave the root. */
  path(path: string): string {
    const segments = path.split('/');
    const bad =
      path.length === 0 ||
      isAbsolute(path) ||
      path.includes('\\') ||
      path.includes('\0') ||
      segments.some((s) => s === '' || s === '.' || s === '..');
    const full = resolve(this.root, path);
    if (bad || !full.startsWith(this.root + sep)) throw new AudioFileError('bad-path', `audio path "${path}"`);
    return full;
  }

  async stat(path: string): Promise<{ size: number; mtimeMs: number }> {
    try {
      const s = await stat(this.path(path));
      return { size: s.size, mtimeMs: s.mtimeMs };
    } catch (e) {
      throw this.readError(e, path);
    }
  }

  async remove(path: string): Promise<boolean> {
    try {
      await unlink(this.path(path));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw this.readError(e, path);
    }
  }

  /**
   * Remove `.wav` files that `known` does not list and temporary files left
   * by a crash, each only when older than `minAgeMs`. With the default (0,
   * everything) call it at the start, before any write: a write in flight
   * has its file before its row.
   */
  async sweep(known: ReadonlySet<string>, opts: { minAgeMs?: number } = {}): Promise<number> {
    const minAgeMs = opts.minAgeMs ?? 0;
    const before = Date.now() - minAgeMs;
    let removed = 0;
    for (const folder of await this.entries(this.root)) {
      if (!folder.isDirectory()) continue;
      for (const f of await this.entries(join(this.root, folder.name))) {
        if (!f.isFile()) continue;
        const rel = `${folder.name}/${f.name}`;
        const orphan = f.name.startsWith(TEMP_PREFIX) || (f.name.endsWith('.wav') && !known.has(rel));
        if (!orphan) continue;
        const full = join(this.root, folder.name, f.name);
        try {
          if (minAgeMs > 0 && (await stat(full)).mtimeMs > before) continue;
          await unlink(full);
          removed++;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
      }
    }
    return removed;
  }

  private async entries(dir: string): Promise<Dirent[]> {
    try {
      return await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  private readError(e: unknown, path: string): unknown {
    if (e instanceof AudioFileError) return e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return e;
    const err = new AudioFileError('not-found', `no audio file "${path}"`);
    err.cause = e;
    return err;
  }
}
