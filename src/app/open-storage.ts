import { join, resolve } from 'node:path';
import type { Storage } from '../storage/ports.js';
import { SqliteStorage } from '../storage/sqlite/sqlite-storage.js';
import { AudioFiles } from '../storage/files/audio-files.js';

/** The SQLite file inside a data folder. */
export function databaseFile(dataDir: string): string {
  return join(resolve(dataDir), 'openum.sqlite');
}

/** Open the store of a data folder (created on first use); the server checkpoints on a worker thread. */
export function openStorage(dataDir: string, opts: { server?: boolean } = {}): Storage {
  return new SqliteStorage(databaseFile(dataDir), { background: opts.server ?? false });
}

/** The voice audio of a data folder (`DATA/audio/MAILBOX/*.wav`). */
export function openAudioFiles(dataDir: string): AudioFiles {
  return new AudioFiles(join(resolve(dataDir), 'audio'));
}

/** The domain a server last ran with on this store, or `localhost`. */
export function storedDomain(storage: Storage): string {
  return storage.getSetting('domain') ?? 'localhost';
}
