import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';

/** Where `npm run web:build` puts the web app. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};
/** Paths the API owns: never answered with the web app. */
const API = /^\/(v1|mcp|openapi\.json|docs|health|schemas)(\/|$)/;

/**
 * The web app, from this process: hashed assets cached for a year, and `index.html` (never cached)
 * for every other GET that is not the API's, so that deep links work. Without a build, a page that
 * says how to make one.
 */
export function serveWebApp(app: OpenAPIHono, dist: string = WEB_DIST): void {
  app.get('/assets/:name', async (c) => {
    const name = c.req.param('name');
    const file = normalize(join(dist, 'assets', name));
    if (!file.startsWith(join(dist, 'assets')) || !existsSync(file)) return c.notFound();
    return c.body(await readFile(file), 200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });
  app.get('*', async (c, next) => {
    if (API.test(c.req.path)) return next();
    const index = join(dist, 'index.html');
    if (!existsSync(index)) {
      return c.html(
        '<!doctype html><title>Jeton</title><p>The web app is not built: run <code>npm run web:build</code> (or <code>npm start</code>, which builds it).</p>',
        503,
      );
    }
    return c.body(await readFile(index), 200, {
      'content-type': TYPES['.html']!,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
    });
  });
}
