import { OpenAPIHono } from '@hono/zod-openapi';
import { type Catalog, type CreatorAgentView, parseManifestText } from '@jeton/core';
import { z } from 'zod';
import type { AuthEnv } from '../auth.ts';
import { type EndpointDeps, endpoint } from '../openapi/endpoint.ts';
import { isoTime, jsonObject } from '../openapi/schemas.ts';

const credits = z.int().meta({ description: 'Credits (1 credit = US$0.01)' });
const issueSchema = z.object({ path: z.string(), message: z.string() });

const validateBody = z
  .union([
    z.strictObject({
      manifest: jsonObject.meta({ description: 'The manifest, as `POST /v1/agents` takes it.' }),
    }),
    z.strictObject({
      text: z
        .string()
        .max(900_000)
        .meta({ description: 'The manifest file’s text, JSON or YAML: a syntax error is an issue too.' }),
    }),
  ])
  .meta({ id: 'ManifestValidation' });

const validationSchema = z
  .object({
    ok: z.boolean().meta({ description: 'Whether a draft with this manifest would be accepted.' }),
    issues: z.array(issueSchema).meta({ description: 'Every problem at once, each with its JSON path.' }),
  })
  .meta({ id: 'ManifestValidationResult' });

const testStatus = z.enum(['passed', 'failed', 'skipped', 'none']);
const creatorAgentSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    status: z.enum(['draft', 'published', 'maintenance', 'deprecated', 'suspended']),
    createdAt: isoTime,
    currentVersion: z
      .object({ version: z.string(), effectiveAt: isoTime })
      .nullable()
      .meta({ description: 'The version unpinned runs use; null until one is published.' }),
    pendingVersion: z
      .object({ version: z.string(), effectiveAt: isoTime })
      .nullable()
      .meta({ description: 'A published price rise waiting out its notice.' }),
    latestDraft: z
      .object({
        version: z.string(),
        createdAt: isoTime,
        tests: z
          .object({
            status: testStatus,
            reason: z.string().optional(),
            cases: z.array(z.object({ name: z.string() }).loose()),
            at: z.string(),
          })
          .nullable()
          .meta({ description: 'Its last test report (from a refused publication), if any.' }),
        exampleInput: jsonObject.meta({
          description:
            'An input to run it with: its first example, else its first test’s, else the defaults.',
        }),
      })
      .nullable()
      .meta({ description: 'The highest draft version, if any: run it as `slug@version`, or publish it.' }),
    versions: z.array(
      z.object({
        version: z.string(),
        status: z.enum(['draft', 'published']),
        createdAt: isoTime,
        publishedAt: isoTime.nullable(),
        effectiveAt: isoTime.nullable(),
        tests: testStatus.nullable(),
      }),
    ),
    stats: z.object({
      runs: z.int().meta({ description: 'Finished runs by buyers (the creator’s own runs are tests).' }),
      succeeded: z.int(),
      successRate: z.number().nullable(),
      rating: z.number().meta({ description: 'Bayesian: a few reviews move it little.' }),
      reviews: z.int(),
    }),
    revenue: z
      .object({
        paidRuns: z.int(),
        grossCredits: credits.meta({ description: 'What buyers paid for its runs.' }),
        creatorCredits: credits.meta({
          description:
            'The creator’s part: each run’s charge less the commission (rounded in the creator’s favour).',
        }),
      })
      .meta({
        description:
          'From the runs the catalog recorded, at the current commission. The ledger’s earnings (`GET /v1/creator/earnings`) are what can be withdrawn.',
      }),
  })
  .meta({ id: 'CreatorAgent' });

const creatorAgentsSchema = z
  .object({
    data: z.array(creatorAgentSchema),
    commissionBps: z.int().meta({ description: 'The platform’s commission, in basis points (2000 = 20%).' }),
  })
  .meta({ id: 'CreatorAgentList' });

/**
 * The creator studio's two needs beyond publishing: the creator's own agents with their stats and
 * revenue, and a dry run of a manifest (the editor validates with the platform's own rules, live).
 */
export function studioRoutes(
  catalog: Catalog,
  commissionBps: number,
  deps: EndpointDeps,
): OpenAPIHono<AuthEnv> {
  const app = new OpenAPIHono<AuthEnv>();

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/creator/agents',
      operationId: 'creator.agents',
      summary: 'My agents, drafts included, with stats and revenue',
      description:
        'Newest first, every listing status. Not paginated: a creator’s own agents are few. Empty for a user who is not a creator.',
      tag: 'Creator',
      auth: 'agents:write',
      responses: { 200: { description: 'My agents', schema: creatorAgentsSchema } },
    },
    async (c) => {
      const agents = await catalog.creatorAgents(c.get('actor'), commissionBps);
      return c.json({ data: agents.map(creatorAgentJson), commissionBps });
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/agents/validate',
      operationId: 'agents.validate',
      summary: 'Check a manifest without saving it',
      description:
        'The rules `POST /v1/agents` applies, writing nothing. The answer is 200 either way: `ok` with no issues, or every issue with its JSON path. A code agent’s bundle is not checked here.',
      tag: 'Agents',
      auth: 'agents:write',
      body: validateBody,
      responses: { 200: { description: 'The verdict', schema: validationSchema } },
    },
    async (c, { body }) => {
      const actor = c.get('actor');
      const r =
        'text' in body
          ? // The text is read as the CLI reads a file; the rules are then the draft's own.
            ((parsed) => (parsed.ok ? catalog.validateManifest(actor, parsed.value) : parsed))(
              parseManifestText(body.text),
            )
          : catalog.validateManifest(actor, body.manifest);
      return c.json(r.ok ? { ok: true, issues: [] } : { ok: false, issues: r.error });
    },
  );

  return app;
}

function creatorAgentJson(v: CreatorAgentView) {
  const { agent } = v;
  return {
    id: agent.id,
    slug: agent.slug,
    name: agent.listing.name,
    status: agent.status,
    createdAt: agent.createdAt.toISOString(),
    currentVersion: v.current && {
      version: v.current.version,
      effectiveAt: v.current.effectiveAt.toISOString(),
    },
    pendingVersion: v.pending && {
      version: v.pending.version,
      effectiveAt: v.pending.effectiveAt.toISOString(),
    },
    latestDraft: v.latestDraft && {
      version: v.latestDraft.version,
      createdAt: v.latestDraft.createdAt.toISOString(),
      tests: v.latestDraft.tests,
      exampleInput: v.latestDraft.exampleInput,
    },
    versions: v.versions.map((x) => ({
      version: x.version,
      status: x.status,
      createdAt: x.createdAt.toISOString(),
      publishedAt: x.publishedAt?.toISOString() ?? null,
      effectiveAt: x.effectiveAt?.toISOString() ?? null,
      tests: x.tests,
    })),
    stats: {
      runs: agent.stats.runs,
      succeeded: agent.stats.succeeded,
      successRate: v.successRate,
      rating: v.rating,
      reviews: agent.stats.ratingCount,
    },
    revenue: v.revenue,
  };
}
