import { OpenAPIHono } from '@hono/zod-openapi';
import type { BlobStorage, RunEngine } from '@jeton/core';
import { isId, RUN_STATUSES } from '@jeton/core';
import type { DrizzleRunStore } from '@jeton/db';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AuthEnv, Authenticate } from '../auth.ts';
import { type EndpointDeps, endpoint } from '../openapi/endpoint.ts';
import { artifactSchema, pageOf, runSchema } from '../openapi/schemas.ts';
import { problem } from '../problem.ts';
import { invalidCursor, pageJson, pageRequest } from './pages.ts';
import { type RunWatchers, streamRunEvents } from './run-events.ts';
import { runProblem } from './run-problems.ts';
import { artifactJson, runJson } from './run-view.ts';

const submitBody = z
  .strictObject({
    agent: z.string().min(1).max(200).meta({ description: 'slug or slug@version', example: 'brand-kit' }),
    input: z.record(z.string(), z.unknown()).meta({ description: 'Valid against the agent’s input schema.' }),
    maxCredits: z
      .int()
      .min(1)
      .max(1_000_000_000)
      .optional()
      .meta({ description: 'Refuse to run if the quote is higher.' }),
  })
  .meta({ id: 'RunCreate' });
const answerBody = z.strictObject({
  questionId: z.string().min(1).max(100),
  answer: z.record(z.string(), z.unknown()),
});
const listQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(RUN_STATUSES).optional(),
});
const TAG = 'Runs';
const run = { description: 'The run', schema: runSchema };

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
 * events (SSE), list, download and delete artifacts. Every route acts for the caller; another user's
 * run is answered 404, exactly like a run that does not exist.
 */
export function runRoutes(d: RunRouteDeps, deps: EndpointDeps): OpenAPIHono<AuthEnv> {
  const app = new OpenAPIHono<AuthEnv>();

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/runs',
      operationId: 'runs.create',
      summary: 'Run an agent',
      description:
        'Validates the input, quotes the run, holds the quote from the wallet and queues the run, at once. The same `Idempotency-Key` returns the same run (200); another body under it is a 409.',
      tag: TAG,
      auth: 'runs:write',
      body: submitBody,
      idempotent: 'native',
      responses: {
        201: { description: 'The run, queued', schema: runSchema },
        200: { description: 'The run this `Idempotency-Key` created', schema: runSchema },
      },
      problems: [402, 404, 409],
    },
    async (c, { body }) => {
      // Runs are idempotent in the engine itself (the key is taken in the submission's transaction);
      // the endpoint has checked its form.
      const key = c.req.header('idempotency-key');
      const r = await d.engine.submit({
        buyer: c.get('actor'),
        agent: body.agent,
        input: body.input,
        maxCredits: body.maxCredits,
        idempotencyKey: key,
      });
      if (!r.ok) return runProblem(r.error);
      return c.json(runJson(r.value.run), r.value.replayed ? 200 : 201, {
        location: `/v1/runs/${r.value.run.id}`,
        ...(r.value.replayed ? { 'idempotent-replayed': 'true' } : {}),
      });
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/runs',
      operationId: 'runs.list',
      summary: 'My runs, newest first',
      tag: TAG,
      auth: 'runs:read',
      query: listQuery,
      responses: { 200: { description: 'A page of runs', schema: pageOf(runSchema) } },
    },
    async (c, { query }) => {
      const page = await d.engine.list(c.get('actor'), {
        ...pageRequest(query),
        ...(query.status ? { status: query.status } : {}),
      });
      if (!page) return invalidCursor();
      return c.json(pageJson(page, runJson));
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/runs/{id}',
      operationId: 'runs.get',
      summary: 'A run',
      tag: TAG,
      auth: 'runs:read',
      responses: { 200: run },
      problems: [404],
    },
    async (c, { params }) => {
      const r = await d.engine.get(c.get('actor'), params.id!);
      return r.ok ? c.json(runJson(r.value)) : runProblem(r.error);
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/runs/{id}/cancel',
      operationId: 'runs.cancel',
      summary: 'Cancel a run',
      description: 'Releases the hold, or captures what per-event charges already delivered.',
      tag: TAG,
      auth: 'runs:write',
      responses: { 200: run },
      problems: [404, 409],
    },
    async (c, { params }) => {
      const r = await d.engine.cancel(c.get('actor'), params.id!);
      if (!r.ok) return runProblem(r.error);
      return c.json(runJson(r.value.run));
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/runs/{id}/answer',
      operationId: 'runs.answer',
      summary: 'Answer the agent’s question',
      tag: TAG,
      auth: 'runs:write',
      body: answerBody,
      responses: { 200: run },
      problems: [404, 409],
    },
    async (c, { params, body }) => {
      const r = await d.engine.answer(c.get('actor'), params.id!, body.questionId, body.answer);
      return r.ok ? c.json(runJson(r.value)) : runProblem(r.error);
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/runs/{id}/events',
      operationId: 'runs.events',
      summary: 'The run’s events, live (Server-Sent Events)',
      description:
        'Every event from the first (or after `Last-Event-ID`), then live ones until the run ends. Each SSE `id` is the event’s `seq`.',
      tag: TAG,
      auth: 'runs:read',
      responses: { 200: { description: 'An event stream', mediaType: 'text/event-stream' } },
      problems: [404],
    },
    (c) =>
      streamRunEvents(
        c,
        d.engine,
        (id, after, n) => d.store.events(id, after, n),
        d.watchers,
        c.get('actor'),
        (err) => d.logger?.error({ err, runId: c.req.param('id') }, 'event stream failed'),
      ),
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/runs/{id}/artifacts',
      operationId: 'runs.artifacts',
      summary: 'The run’s artifacts',
      tag: TAG,
      auth: 'runs:read',
      responses: {
        200: { description: 'Its artifacts', schema: z.object({ data: z.array(artifactSchema) }) },
      },
      problems: [404],
    },
    async (c, { params }) => {
      const r = await d.engine.get(c.get('actor'), params.id!);
      if (!r.ok) return runProblem(r.error);
      return c.json({ data: (await d.store.artifacts(r.value.id)).map(artifactJson) });
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/runs/{id}/artifacts/{artifactId}',
      operationId: 'runs.downloadArtifact',
      summary: 'Download an artifact',
      tag: TAG,
      auth: 'runs:read',
      responses: {
        200: { description: 'Its bytes, with its media type', mediaType: 'application/octet-stream' },
        304: { description: 'Not modified (`If-None-Match` matched its SHA-256)' },
      },
      problems: [404],
    },
    async (c, { params }) => {
      const r = await d.engine.get(c.get('actor'), params.id!);
      if (!r.ok) return runProblem(r.error);
      const a = isId('art', params.artifactId!)
        ? await d.store.artifact(r.value.id, params.artifactId!)
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
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'delete',
      path: '/v1/runs/{id}/artifacts/{artifactId}',
      operationId: 'runs.deleteArtifact',
      summary: 'Delete an artifact',
      description: 'Artifacts are kept until their buyer deletes them.',
      tag: TAG,
      auth: 'runs:write',
      responses: { 204: { description: 'Deleted' } },
      problems: [404],
    },
    async (c, { params }) => {
      const r = await d.engine.get(c.get('actor'), params.id!);
      if (!r.ok) return runProblem(r.error);
      // An operator may read a run for support; only its buyer deletes what it made.
      if (r.value.buyerId !== c.get('actor').id)
        return runProblem({ type: 'run_not_found', runId: params.id! });
      const a = isId('art', params.artifactId!)
        ? await d.store.deleteArtifact(r.value.id, params.artifactId!)
        : null;
      if (!a) return problem('artifact-not-found', 'No such artifact', 404);
      await d.storage.delete(a.storageKey);
      return c.body(null, 204);
    },
  );

  return app;
}
