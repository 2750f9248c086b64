import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';

export const SESSION_COOKIE = 'jeton_session';

/**
 * Serves the OpenAPI 3.1 document, generated from the routes' own zod schemas, at `/openapi.json`, and
 * a reference page at `/docs` whose scripts are served from this process (no CDN: it works offline).
 */
export function serveDocument(app: OpenAPIHono, version: string): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`jtn_…`), created in the account page or with `POST /v1/api-keys`.',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'The web app’s session, set by sign-in (http-only, SameSite=Lax).',
  });
  let document: unknown = null;
  app.get('/openapi.json', (c) => {
    // Routes never change after start: build the document once.
    document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Jeton API',
        version,
        description:
          'Rent an AI agent for one task, paid per result in credits (1 credit = US$0.01). Errors are RFC 9457 problem+json with a stable `type`; lists are cursor-paginated; POSTs that create or move money accept `Idempotency-Key`.',
      },
      servers: [{ url: '/' }],
    });
    return c.json(document as object);
  });
  serveReferencePage(app);
}

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

function serveReferencePage(app: OpenAPIHono): void {
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  app.get('/docs', (c) => c.html(PAGE));
  app.get('/docs/assets/:name', async (c) => {
    const name = c.req.param('name');
    const type = ASSETS[name];
    if (!type) return c.notFound();
    return c.body(await readFile(join(dist, name)), 200, {
      'content-type': type,
      'cache-control': 'public, max-age=86400',
    });
  });
  app.get('/docs/init.js', (c) => c.body(INIT, 200, { 'content-type': 'text/javascript; charset=utf-8' }));
}

const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', deepLinking: true });`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Jeton API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<main id="reference"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;
