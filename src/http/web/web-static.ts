/**
 * The web inbox's files (issue 10 section 2): `GET /` is `web/index.html`,
 * `/web/*.js` and `/web/*.css` the page's own ES modules and style (the
 * `web/` folder at the root of the openum package), and `/web/vendor/` the
 * ES module builds of preact and htm straight from node_modules: no bundler,
 * no build step. Only the files named here are served (no path from the URL
 * ever reaches the file system). Every answer carries a Content Security
 * Policy of `default-src 'self'` (CSP Level 3): the page has no inline script
 * or style.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** Security headers of every page answer. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/** The page's own files (in `web/`). */
const PAGE_FILES = [
  'index.html',
  'app.js',
  'api.js',
  'format.js',
  'html.js',
  'login-form.js',
  'inbox.js',
  'message-item.js',
  'greeting-upload.js',
  'pin-change.js',
  'inbox.css',
  'favicon.svg',
];

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};

/** The root of the openum package (the first folder up with its package.json), where `web/` is. */
export function findPackageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'openum') return dir;
    } catch {
      // not here
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** URL path -> file, for the page and the two vendored modules. */
function fileTable(webDir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const f of PAGE_FILES) files.set(f === 'index.html' ? '/' : `/web/${f}`, join(webDir, f));
  // The packages' own ESM builds ("import" condition), resolved as Node resolves them.
  files.set('/web/vendor/preact.js', fileURLToPath(import.meta.resolve('preact')));
  files.set('/web/vendor/htm.js', fileURLToPath(import.meta.resolve('htm')));
  return files;
}

/** Register `GET /` and the page's files; nothing when the `web/` folder is missing. */
export function registerWebStatic(app: FastifyInstance, webDir?: string): void {
  const dir = webDir ?? join(findPackageRoot() ?? '.', 'web');
  if (!existsSync(join(dir, 'index.html'))) return;
  const cache = new Map<string, Buffer>();
  for (const [url, path] of fileTable(dir)) {
    const type = TYPES[path.slice(path.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
    app.get(url, async (_req, reply) => {
      let body = cache.get(path);
      if (!body) {
        body = await readFile(path);
        cache.set(path, body);
      }
      return reply.headers(PAGE_HEADERS).type(type).send(body);
    });
  }
}
