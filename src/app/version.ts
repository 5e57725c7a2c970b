import { readFileSync } from 'node:fs';

/** openum's version, from package.json (dist/src/app/ -> repo root). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
