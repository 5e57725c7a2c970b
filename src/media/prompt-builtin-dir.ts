/**
 * Where openum's own prompts are: `prompts/en` at the root of the openum
 * package. Found by walking up from this module's folder to the first
 * `package.json` whose name is `openum`, so it holds however the code runs:
 * compiled (`dist/src/media/`, three levels down), from the sources
 * (`src/media/`, two levels), or installed (`node_modules/openum/dist/...`,
 * which needs `prompts` in the package's `files`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'openum';
let found: string | null | undefined;

/**
 * The built-in prompt folder for a language, or undefined when this code
 * runs outside an openum package that has one. `moduleUrl` (default: this
 * module's own URL) is where the search starts; the answer for the default
 * is remembered.
 */
export function findBuiltInPromptDir(moduleUrl: string = import.meta.url, language = 'en'): string | undefined {
  const remember = moduleUrl === import.meta.url && language === 'en';
  if (remember && found !== undefined) return found ?? undefined;
  let result: string | undefined;
  for (let dir = dirname(fileURLToPath(moduleUrl)); ; dir = dirname(dir)) {
    if (isOpenumRoot(dir)) {
      const prompts = join(dir, 'prompts', language);
      result = existsSync(prompts) ? prompts : undefined;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  if (remember) found = result ?? null;
  return result;
}

function isOpenumRoot(dir: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return pkg.name === PACKAGE_NAME;
  } catch {
    return false;
  }
}
