/**
 * Locates the shared conformance messages (/work/shared/conformance: RFC 4475
 * and RFC 5118, CRLF preserved) from the compiled test file, searching the
 * directories above it, or OPENUM_CONFORMANCE_DIR. Fails loudly when they
 * are missing: a conformance suite that silently finds nothing is a defect.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function locate(): string {
  const fromEnv = process.env.OPENUM_CONFORMANCE_DIR;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(join(fromEnv, 'rfc4475'))) throw new Error(`OPENUM_CONFORMANCE_DIR=${fromEnv} has no rfc4475/`);
    return resolve(fromEnv);
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    for (const candidate of [join(dir, 'shared', 'conformance'), join(dir, 'conformance')]) {
      if (existsSync(join(candidate, 'rfc4475')) && existsSync(join(candidate, 'rfc5118'))) return candidate;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(
    'conformance messages not found: expected shared/conformance/{rfc4475,rfc5118} in a directory above ' +
      `${fileURLToPath(import.meta.url)} (or set OPENUM_CONFORMANCE_DIR)`,
  );
}

/** Absolute path of the conformance directory. */
export const CONFORMANCE_DIR = locate();

/** File names in a conformance subdirectory ('rfc4475' or 'rfc5118'), sorted. */
export function conformanceFiles(set: 'rfc4475' | 'rfc5118'): string[] {
  return readdirSync(join(CONFORMANCE_DIR, set)).filter((f) => !f.startsWith('.')).sort();
}

/** The raw bytes of one conformance message. */
export function conformanceMessage(set: 'rfc4475' | 'rfc5118', name: string): Buffer {
  return readFileSync(join(CONFORMANCE_DIR, set, name));
}
