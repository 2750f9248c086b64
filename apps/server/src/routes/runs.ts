import type { BlobStorage, RunEngine } from '@jeton/core';
import { isId, RUN_STATUSES } from '@jeton/core';
import type { DrizzleRunStore } from '@jeton/db';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AuthEnv, Authenticate } from '../auth.ts';
import { problem } from '../problem.ts';
import { parseJsonBody } from './json-body.ts';
import { type RunWatchers, streamRunEvents } from './run-events.ts';
import { runProblem } from './run-problems.ts';
import { artifactJson, runJson } from './run-view.ts';

const submitBody = z.strictObject({
  agent: z.string().min(1).max(200).describe('slug or slug@version'),
  input: z.record(z.string(), z.unknown()),
  maxCredits: z.int().min(1).max(1_000_000_000).optional(),
});
const answerBody = z.strictObject({
  questionId: z.string().min(1).max(100),
  answer: z.record(z.string(), z.unknown()),
});
const listQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(RUN_STATUSES).optional(),
});
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export interface RunRouteDeps {
  engine: RunEngine;
  store: DrizzleRunStore;
  storage: BlobStorage;
  /** The API-key check every route uses (one cache and one rate limit per key for all). */
  auth: Authenticate;
  watchers: RunWatchers;
  logger?: Logger;
}

/**
 * Runs over HTTP: submit (with `Idempotency-Key`), list, get, cancel, answer a question, stream
 * events (SSE), list, download and delete artifacts. Every route acts for the API key's user; another
 * user's run is answered 404, exactly like a run that does not exist.
 */
export function runRoutes(d: RunRouteDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const auth = d.auth;

  app.post('/v1/runs', auth('runs:write'), async (c) => {
    const key = c.req.header('idempotency-key');
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      return problem('invalid-request', 'The request is not valid', 400, {
        issues: [{ path: 'Idempotency-Key', message: '1-200 printable ASCII characters' }],
      });
    }
    const body = await parseJsonBody(c, submitBody);
    if (!body.ok) return body.response;
    const r = await d.engine.submit({
      buyer: c.get('actor'),
      agent: body.value.agent,
      input: body.value.input,
      maxCredits: body.value.maxCredits,
      idempotencyKey: key,
    });
    if (!r.ok) return runProblem(r.error);
    return c.json(runJson(r.value.run), r.value.replayed ? 200 : 201, {
      location: `/v1/runs/${r.value.run.id}`,
      ...(r.value.replayed ? { 'idempotent-replayed': 'true' } : {}),
    });
  });

  app.get('/v1/runs', auth('runs:read'), async (c) => {
    const q = listQuery.safeParse(c.req.query());
    if (!q.success) return invalid(q.error);
    const page = await d.engine.list(c.get('actor'), {
      cursor: q.data.cursor ?? null,
      limit: q.data.limit,
      ...(q.data.status ? { status: q.data.status } : {}),
    });
    if (!page) {
      return problem('invalid-cursor', 'The cursor is not valid', 400, {
        detail: 'Pass back a nextCursor you were given.',
      });
    }
    return c.json({ data: page.items.map(runJson), nextCursor: page.nextCursor });
  });

  app.get('/v1/runs/:id', auth('runs:read'), async (c) => {
    const r = await d.engine.get(c.get('actor'), c.req.param('id'));
    return r.ok ? c.json(runJson(r.value)) : runProblem(r.error);
  });

  app.post('/v1/runs/:id/cancel', auth('runs:write'), async (c) => {
    const r = await d.engine.cancel(c.get('actor'), c.req.param('id'));
    if (!r.ok) return runProblem(r.error);
    return c.json(runJson(r.value.run));
  });

  app.post('/v1/runs/:id/answer', auth('runs:write'), async (c) => {
    const body = await parseJsonBody(c, answerBody);
    if (!body.ok) return body.response;
    const r = await d.engine.answer(
      c.get('actor'),
      c.req.param('id'),
      body.value.questionId,
      body.value.answer,
    );
    return r.ok ? c.json(runJson(r.value)) : runProblem(r.error);
  });

  app.get('/v1/runs/:id/events', auth('runs:read'), (c) =>
    streamRunEvents(
      c,
      d.engine,
      (id, after, n) => d.store.events(id, after, n),
      d.watchers,
      c.get('actor'),
      (err) => d.logger?.error({ err, runId: c.req.param('id') }, 'event stream failed'),
    ),
  );

  app.get('/v1/runs/:id/artifacts', auth('runs:read'), async (c) => {
    const r = await d.engine.get(c.get('actor'), c.req.param('id'));
    if (!r.ok) return runProblem(r.error);
    return c.json({ data: (await d.store.artifacts(r.value.id)).map(artifactJson) });
  });

  app.get('/v1/runs/:id/artifacts/:artifactId', auth('runs:read'), async (c) => {
    const r = await d.engine.get(c.get('actor'), c.req.param('id'));
    if (!r.ok) return runProblem(r.error);
    const a = isId('art', c.req.param('artifactId'))
      ? await d.store.artifact(r.value.id, c.req.param('artifactId'))
      : null;
    const body = a ? await d.storage.get(a.storageKey) : null;
    if (!a || !body) return problem('artifact-not-found', 'No such artifact', 404);
    const etag = `"${a.sha256}"`;
    if (c.req.header('if-none-match') === etag) {
      await body.cancel();
      return c.body(null, 304);
    }
    return new Response(body, {
      headers: {
        'content-type': a.mediaType,
        'content-length': String(a.size),
        'content-disposition': `attachment; filename="${a.name}"`,
        etag,
        'x-content-type-options': 'nosniff',
        // An artifact is made by an agent: never let a browser run it as part of this site.
        'content-security-policy': "default-src 'none'; sandbox",
      },
    });
  });

  app.delete('/v1/runs/:id/artifacts/:artifactId', auth('runs:write'), async (c) => {
    const r = await d.engine.get(c.get('actor'), c.req.param('id'));
    if (!r.ok) return runProblem(r.error);
    const a = isId('art', c.req.param('artifactId'))
      ? await d.store.deleteArtifact(r.value.id, c.req.param('artifactId'))
      : null;
    if (!a) return problem('artifact-not-found', 'No such artifact', 404);
    await d.storage.delete(a.storageKey);
    return c.body(null, 204);
  });

  return app;
}

function invalid(error: z.ZodError): Response {
  return problem('invalid-request', 'The request is not valid', 400, {
    issues: error.issues.map((i) => ({ path: ['$', ...i.path].join('.'), message: i.message })),
  });
}
