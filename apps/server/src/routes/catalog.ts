import {
  type AgentRecord,
  type AgentView,
  bayesianRating,
  type Catalog,
  type Creator,
  type Manifest,
  manifestJsonSchema,
  type Review,
} from '@jeton/core';
import { Hono } from 'hono';
import { catalogProblem } from './catalog-problems.ts';

/**
 * The catalog's read side: the manifest's JSON Schema, search, an agent's page and its reviews.
 * Nothing here shows what an agent does inside (its runtime: prompts, code, test inputs): a buyer
 * sees what goes in, what comes out and what it costs.
 */
/** Why an agent version cannot run on this platform now (no model provider, say), or null. */
export type Availability = (manifest: Manifest, bundle: string | null) => string | null;

export function catalogRoutes(catalog: Catalog, availability: Availability = () => null): Hono {
  const app = new Hono();
  const schema = manifestJsonSchema();

  app.get('/schemas/agent-manifest.json', (c) =>
    c.json(schema, 200, { 'cache-control': 'public, max-age=3600' }),
  );

  app.get('/v1/agents', async (c) => {
    const r = await catalog.search(c.req.query());
    if (!r.ok) return catalogProblem(r.error);
    return c.json({
      data: r.value.items.map((a) => agentCard(a, a.creator)),
      nextCursor: r.value.nextCursor,
    });
  });

  app.get('/v1/agents/:slug', async (c) => {
    const r = await catalog.get(null, c.req.param('slug'));
    if (!r.ok) return catalogProblem(r.error);
    return c.json(agentPage(r.value, availability));
  });

  app.get('/v1/agents/:slug/reviews', async (c) => {
    const limit = Number(c.req.query('limit') ?? 20);
    const r = await catalog.reviews(
      null,
      c.req.param('slug'),
      Number.isInteger(limit) ? limit : 20,
      c.req.query('before'),
    );
    if (!r.ok) return catalogProblem(r.error);
    return c.json({ data: r.value.map(reviewJson) });
  });

  return app;
}

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

function reviewJson(r: Review) {
  return {
    id: r.id,
    rating: r.rating,
    body: r.body,
    version: r.version,
    createdAt: r.createdAt,
    reply: r.reply,
  };
}
