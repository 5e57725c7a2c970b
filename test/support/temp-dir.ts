/**
 * Fresh temporary directories for server data and peer configs; removed by
 * `removeTempDir` (tests call it in `after` hooks), and any left over are
 * removed when the process exits or is stopped by a signal. Set
 * OPENUM_KEEP_TMP=1 to keep them for inspection after a failure.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

function keep(): boolean {
  return process.env['OPENUM_KEEP_TMP'] === '1';
}

/** A new empty directory under the OS temp dir, named `openum-<prefix>-XXXXXX`. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `openum-${prefix}-`));
  made.add(dir);
  return dir;
}

/** Remove a directory made by `makeTempDir`, unless OPENUM_KEEP_TMP=1. */
export async function removeTempDir(dir: string): Promise<void> {
  if (keep()) return;
  made.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

/** Remove every directory made here and not yet removed (synchronous: for exit and signal paths). */
export function removeAllTempDirsSync(): void {
  if (keep()) return;
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort on the way out
    }
  }
  made.clear();
}

process.on('exit', removeAllTempDirsSync);
