import { OpenAPIHono } from '@hono/zod-openapi';
import {
  type AgentRecord,
  type AgentView,
  bayesianRating,
  type Catalog,
  type Creator,
  type Manifest,
  manifestJsonSchema,
  type Review,
  searchParamsSchema,
} from '@jeton/core';
import { z } from 'zod';
import type { AuthEnv } from '../auth.ts';
import { type EndpointDeps, endpoint } from '../openapi/endpoint.ts';
import { pageOf } from '../openapi/schemas.ts';
import { catalogProblem } from './catalog-problems.ts';
import { agentCardSchema, agentPageSchema, reviewSchema } from './catalog-schemas.ts';

/**
 * The catalog's read side: the manifest's JSON Schema, search, an agent's page and its reviews.
 * Nothing here shows what an agent does inside (its runtime: prompts, code, test inputs): a buyer
 * sees what goes in, what comes out and what it costs.
 */
/** Why an agent version cannot run on this platform now (no model provider, say), or null. */
export type Availability = (manifest: Manifest, bundle: string | null) => string | null;

export function catalogRoutes(
  catalog: Catalog,
  deps: EndpointDeps,
  availability: Availability = () => null,
): OpenAPIHono<AuthEnv> {
  const app = new OpenAPIHono<AuthEnv>();
  const schema = manifestJsonSchema();

  app.get('/schemas/agent-manifest.json', (c) =>
    c.json(schema, 200, { 'cache-control': 'public, max-age=3600' }),
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/agents',
      operationId: 'agents.search',
      summary: 'Search the catalog',
      description:
        'Typo-tolerant, with results while typing; filters by category, price, rating and model need.',
      tag: TAG,
      auth: 'public',
      query: searchParamsSchema,
      responses: { 200: { description: 'A page of agents', schema: pageOf(agentCardSchema) } },
    },
    async (c, { query }) => {
      const r = await catalog.search(query);
      if (!r.ok) return catalogProblem(r.error);
      return c.json({
        data: r.value.items.map((a) => agentCard(a, a.creator)),
        nextCursor: r.value.nextCursor,
      });
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/agents/{slug}',
      operationId: 'agents.get',
      summary: 'An agent’s page',
      description: 'What goes in (the input schema), what comes out, what it costs, its stats and versions.',
      tag: TAG,
      auth: 'public',
      responses: { 200: { description: 'The agent', schema: agentPageSchema } },
      problems: [404],
    },
    async (c, { params }) => {
      const r = await catalog.get(null, params.slug!);
      if (!r.ok) return catalogProblem(r.error);
      return c.json(agentPage(r.value, availability));
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/agents/{slug}/versions',
      operationId: 'agents.versions',
      summary: 'An agent’s published versions, newest first',
      description: 'With when each took (or takes) effect and its test result.',
      tag: TAG,
      auth: 'public',
      responses: {
        200: { description: 'Its versions', schema: z.object({ data: agentPageSchema.shape.versions }) },
      },
      problems: [404],
    },
    async (c, { params }) => {
      const r = await catalog.get(null, params.slug!);
      if (!r.ok) return catalogProblem(r.error);
      return c.json({ data: agentPage(r.value, availability).versions });
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/agents/{slug}/reviews',
      operationId: 'agents.reviews',
      summary: 'An agent’s reviews, newest first',
      tag: TAG,
      auth: 'public',
      query: reviewsQuery,
      responses: { 200: { description: 'A page of reviews', schema: pageOf(reviewSchema) } },
      problems: [404],
    },
    async (c, { params, query }) => {
      const r = await catalog.reviews(null, params.slug!, query.limit, query.cursor);
      if (!r.ok) return catalogProblem(r.error);
      const last = r.value.at(-1);
      return c.json({
        data: r.value.map(reviewJson),
        nextCursor: r.value.length === query.limit && last ? last.id : null,
      });
    },
  );

  return app;
}

const TAG = 'Agents';
const reviewsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(64).optional(),
});

export function agentCard(a: AgentRecord, creator: Creator | null) {
  const s = a.stats;
  return {
    id: a.id,
    slug: a.slug,
    name: a.listing.name,
    summary: a.listing.summary,
    category: a.listing.category,
    tags: a.listing.tags,
    status: a.status,
    creator: creator && { handle: creator.handle, name: creator.displayName },
    needsModel: a.listing.needsModel,
    price: { model: a.listing.pricingModel, maxCredits: a.listing.maxCredits },
    stats: {
      runs: s.runs,
      successRate: s.runs > 0 ? s.succeeded / s.runs : null,
      medianDurationMs: s.medianDurationMs,
      medianCredits: s.medianCredits,
      rating: bayesianRating(s.ratingSum, s.ratingCount),
      reviews: s.ratingCount,
      lastTest: s.lastTestStatus && { status: s.lastTestStatus, at: s.lastTestAt },
    },
    rankScore: a.rankScore,
    publishedAt: a.firstPublishedAt,
    updatedAt: a.lastPublishedAt,
  };
}

function agentPage(v: AgentView, availability: Availability) {
  const m = v.current?.manifest;
  const unavailable = v.current && m ? availability(m, v.current.bundle) : null;
  return {
    ...agentCard(v.agent, v.creator),
    description: v.agent.listing.description,
    version: v.current && {
      version: v.current.version,
      input: m?.input,
      outputs: m?.outputs,
      pricing: m?.pricing,
      limits: m && { timeoutSeconds: m.limits.timeoutSeconds },
      examples: m?.examples,
      changelog: m?.changelog,
      tests: v.current.testReport && { status: v.current.testReport.status, at: v.current.testReport.at },
      // Shown before anyone pays: a version that cannot run here says why (submitting is refused too).
      available: unavailable === null,
      unavailableReason: unavailable,
    },
    pendingPriceChange: v.pending,
    versions: v.versions,
  };
}

export function reviewJson(r: Review) {
  return {
    id: r.id,
    rating: r.rating,
    body: r.body,
    version: r.version,
    createdAt: r.createdAt,
    reply: r.reply,
  };
}
