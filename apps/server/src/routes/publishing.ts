import { OpenAPIHono } from '@hono/zod-openapi';
import { type Catalog, type RunEngine, reviewRun, type TestReport } from '@jeton/core';
import { z } from 'zod';
import type { AuthEnv } from '../auth.ts';
import { type EndpointDeps, endpoint } from '../openapi/endpoint.ts';
import { isoTime, jsonObject } from '../openapi/schemas.ts';
import { reviewJson } from './catalog.ts';
import { catalogProblem } from './catalog-problems.ts';
import { reviewSchema } from './catalog-schemas.ts';
import { runProblem } from './run-problems.ts';

const TAG = 'Agents';
/** A code agent's bundle travels inside the JSON body, which is capped at 1 MiB. */
const draftBody = z
  .strictObject({
    manifest: jsonObject.meta({ description: 'The agent manifest (see /schemas/agent-manifest.json).' }),
    bundle: z.string().max(900_000).optional().meta({ description: 'A code agent’s JavaScript bundle.' }),
  })
  .meta({ id: 'AgentDraft' });
const reviewBody = z.strictObject({
  rating: z.int().min(1).max(5),
  body: z.string().max(5000).default(''),
});
const replyBody = z.strictObject({ body: z.string().trim().min(1).max(5000) });

const testReportSchema = z
  .object({
    status: z.enum(['passed', 'failed', 'skipped', 'none']),
    reason: z.string().optional(),
    cases: z.array(z.object({ name: z.string() }).loose()),
    at: z.string(),
  })
  .meta({ id: 'TestReport' });

const draftSchema = z.object({
  agent: z.object({ id: z.string(), slug: z.string(), status: z.string() }),
  version: z.object({ version: z.string(), status: z.enum(['draft', 'published']), createdAt: isoTime }),
});
const publishedSchema = z
  .object({
    slug: z.string(),
    version: z.string(),
    effectiveAt: isoTime.meta({ description: 'Later than now for a price rise: it waits out the notice.' }),
    priceChange: z.enum(['first', 'rise', 'cut', 'same']),
    tests: testReportSchema,
  })
  .meta({ id: 'PublishedVersion' });
const quoteSchema = z
  .object({
    slug: z.string(),
    version: z.string(),
    quote: z.int().meta({ description: 'The most a run can cost: what is held when it starts.' }),
    pricing: jsonObject,
  })
  .meta({ id: 'Quote' });

/**
 * Creators' side of the catalog (drafts, publishing, replies to reviews) and buyers' quotes and
 * reviews. The rules are the catalog's; this only speaks HTTP.
 */
export function publishingRoutes(
  catalog: Catalog,
  engine: RunEngine,
  deps: EndpointDeps,
): OpenAPIHono<AuthEnv> {
  const app = new OpenAPIHono<AuthEnv>();

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/agents',
      operationId: 'agents.saveDraft',
      summary: 'Create an agent, or save a draft version of mine',
      description:
        'Every manifest problem is reported at once, with its path. A published version never changes: publish a higher one.',
      tag: TAG,
      auth: 'agents:write',
      body: draftBody,
      responses: { 201: { description: 'The draft', schema: draftSchema } },
      problems: [403, 409],
    },
    async (c, { body }) => {
      const r = await catalog.saveDraft(
        c.get('actor'),
        body.manifest,
        body.bundle ? { bundle: body.bundle } : {},
      );
      if (!r.ok) return catalogProblem(r.error);
      const { agent, version } = r.value;
      return c.json(
        {
          agent: { id: agent.id, slug: agent.slug, status: agent.status },
          version: {
            version: version.version,
            status: version.status,
            createdAt: version.createdAt.toISOString(),
          },
        },
        201,
      );
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/agents/{slug}/versions/{version}/publish',
      operationId: 'agents.publish',
      summary: 'Publish a draft version',
      description:
        'Runs its test cases first (refused, with the failing cases, if one fails). A price rise takes effect after the notice period; a cut or a first version at once.',
      tag: TAG,
      auth: 'agents:write',
      responses: { 200: { description: 'Published', schema: publishedSchema } },
      problems: [404, 409],
    },
    async (c, { params }) => {
      const r = await catalog.publish(c.get('actor'), params.slug!, params.version!);
      if (!r.ok) return catalogProblem(r.error);
      return c.json({
        slug: r.value.slug,
        version: r.value.version,
        effectiveAt: r.value.effectiveAt.toISOString(),
        priceChange: r.value.priceChange,
        tests: r.value.tests satisfies TestReport,
      });
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/agents/{slug}/quote',
      operationId: 'agents.quote',
      summary: 'What a run would cost at most',
      description: '`slug` may pin a version: `brand-kit@1.0.0`.',
      tag: TAG,
      auth: 'public',
      responses: { 200: { description: 'The quote', schema: quoteSchema } },
      problems: [404, 409],
    },
    async (c, { params }) => {
      const r = await engine.quote({ id: '', role: 'user' }, params.slug!);
      if (!r.ok) return runProblem(r.error);
      return c.json(r.value);
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/runs/{id}/review',
      operationId: 'runs.review',
      summary: 'Rate and review a finished run of mine',
      description: 'Once per run. The agent’s rating is Bayesian: a few reviews move it little.',
      tag: 'Runs',
      auth: 'runs:write',
      body: reviewBody,
      responses: { 201: { description: 'The review', schema: reviewSchema } },
      problems: [403, 404, 409],
    },
    async (c, { params, body }) => {
      const r = await reviewRun({ engine, catalog }, c.get('actor'), params.id!, body.rating, body.body);
      if (!r.ok) return catalogProblem(r.error);
      return c.json(reviewJson(r.value), 201);
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/reviews/{id}/reply',
      operationId: 'reviews.reply',
      summary: 'Reply to a review of my agent (once)',
      tag: TAG,
      auth: 'agents:write',
      body: replyBody,
      responses: { 200: { description: 'The review with its reply', schema: reviewSchema } },
      problems: [404, 409],
    },
    async (c, { params, body }) => {
      const r = await catalog.reply(c.get('actor'), params.id!, body.body);
      if (!r.ok) return catalogProblem(r.error);
      return c.json(reviewJson(r.value));
    },
  );

  return app;
}
