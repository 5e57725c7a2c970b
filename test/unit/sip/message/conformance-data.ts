/**
 * Locates the conformance messages kept in this repository
 * (test/fixtures/conformance: RFC 4475 and RFC 5118, bytes as published,
 * CRLF and NULs preserved). The compiled test runs from dist/, so the path
 * is found from the source tree: the nearest directory above this file that
 * holds package.json, then test/fixtures/conformance. Fails loudly when they
 * are missing: a conformance suite that silently finds nothing is a defect.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function locate(): string {
  const here = fileURLToPath(import.meta.url);
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json in a directory above ${here}`);
    dir = up;
  }
  const found = join(dir, 'test', 'fixtures', 'conformance');
  for (const set of ['rfc4475', 'rfc5118']) {
    if (!existsSync(join(found, set)))
      throw new Error(`conformance messages not found: ${join(found, set)} is missing`);
  }
  return found;
}

/** Absolute path of the conformance directory. */
export const CONFORMANCE_DIR = locate();

/** File names in a conformance subdirectory ('rfc4475' or 'rfc5118'), sorted. */
export function conformanceFiles(set: 'rfc4475' | 'rfc5118'): string[] {
  return readdirSync(join(CONFORMANCE_DIR, set))
    .filter((f) => !f.startsWith('.'))
    .sort();
}

/** The raw bytes of one conformance message. */
export function conformanceMessage(set: 'rfc4475' | 'rfc5118', name: string): Buffer {
  return readFileSync(join(CONFORMANCE_DIR, set, name));
}
