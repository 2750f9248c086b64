import type { ListingStatus, Manifest, TestReport } from '@jeton/core';
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { at } from '../columns.ts';

/**
 * The catalog's tables. `catalog_agents` is the listing: one row per agent, with the fields of the
 * version in effect copied in (name, price, ...) and the stats kept current as runs finish, so that
 * the storefront reads one row. Versions are rows of their own, immutable once published.
 */

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const catalogCreators = pgTable('catalog_creators', {
  id: text('id').primaryKey(),
  handle: text('handle').notNull().unique(),
  displayName: text('display_name').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
});

export const catalogAgents = pgTable(
  'catalog_agents',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    creatorId: text('creator_id').notNull(),
    status: text('status').$type<ListingStatus>().notNull(),
    suspendedFrom: text('suspended_from').$type<ListingStatus>(),
    currentVersionId: text('current_version_id'),
    pendingVersionId: text('pending_version_id'),
    pendingEffectiveAt: at('pending_effective_at'),
    name: text('name').notNull(),
    summary: text('summary').notNull(),
    description: text('description').notNull(),
    category: text('category').notNull(),
    tags: text('tags').array().notNull(),
    needsModel: boolean('needs_model').notNull(),
    pricingModel: text('pricing_model').notNull(),
    maxCredits: integer('max_credits').notNull(),
    runs: integer('runs').notNull().default(0),
    succeeded: integer('succeeded').notNull().default(0),
    medianDurationMs: integer('median_duration_ms'),
    medianCredits: integer('median_credits'),
    ratingSum: integer('rating_sum').notNull().default(0),
    ratingCount: integer('rating_count').notNull().default(0),
    /** The Bayesian rating, stored for filtering and sorting; computed by the core's formula. */
    rating: doublePrecision('rating').notNull(),
    lastTestStatus: text('last_test_status').$type<TestReport['status']>(),
    lastTestAt: at('last_test_at'),
    rankScore: doublePrecision('rank_score').notNull().default(0),
    createdAt: at('created_at').notNull(),
    firstPublishedAt: at('first_published_at'),
    lastPublishedAt: at('last_published_at'),
  },
  (t) => [
    index('catalog_agents_creator').on(t.creatorId),
    index('catalog_agents_pending').on(t.pendingEffectiveAt).where(sql`${t.pendingEffectiveAt} is not null`),
    check(
      'catalog_agents_status',
      sql`${t.status} in ('draft','published','maintenance','deprecated','suspended')`,
    ),
    check(
      'catalog_agents_counts',
      sql`${t.runs} >= ${t.succeeded} and ${t.succeeded} >= 0 and ${t.ratingCount} >= 0`,
    ),
    check('catalog_agents_max_credits', sql`${t.maxCredits} > 0`),
  ],
);

export const catalogVersions = pgTable(
  'catalog_versions',
  {
    id: text('id').primaryKey(),
    agentId: text('agent_id')
      .notNull()
      .references(() => catalogAgents.id),
    version: text('version').notNull(),
    status: text('status').$type<'draft' | 'published'>().notNull(),
    manifest: jsonb('manifest').$type<Manifest>().notNull(),
    bundle: text('bundle'),
    fingerprint: text('fingerprint').notNull(),
    createdAt: at('created_at').notNull(),
    publishedAt: at('published_at'),
    effectiveAt: at('effective_at'),
    testReport: jsonb('test_report').$type<TestReport>(),
  },
  (t) => [
    uniqueIndex('catalog_versions_agent_version').on(t.agentId, t.version),
    index('catalog_versions_fingerprint').on(t.fingerprint).where(sql`${t.status} = 'published'`),
    check('catalog_versions_status', sql`${t.status} in ('draft','published')`),
    check(
      'catalog_versions_published',
      sql`(${t.status} = 'published') = (${t.publishedAt} is not null and ${t.effectiveAt} is not null)`,
    ),
  ],
);

export const catalogRunOutcomes = pgTable(
  'catalog_run_outcomes',
  {
    runId: text('run_id').primaryKey(),
    agentId: text('agent_id').notNull(),
    versionId: text('version_id').notNull(),
    buyerId: text('buyer_id').notNull(),
    status: text('status').notNull(),
    durationMs: integer('duration_ms').notNull(),
    creditsPaid: bigint('credits_paid', { mode: 'number' }).notNull(),
    finishedAt: at('finished_at').notNull(),
  },
  (t) => [
    index('catalog_run_outcomes_recent').on(t.agentId, t.finishedAt.desc()),
    check('catalog_run_outcomes_status', sql`${t.status} in ('succeeded','failed','timed_out','cancelled')`),
    check('catalog_run_outcomes_amounts', sql`${t.durationMs} >= 0 and ${t.creditsPaid} >= 0`),
  ],
);

export const catalogReviews = pgTable(
  'catalog_reviews',
  {
    id: text('id').primaryKey(),
    runId: text('run_id').notNull().unique(),
    agentId: text('agent_id').notNull(),
    versionId: text('version_id').notNull(),
    version: text('version').notNull(),
    authorId: text('author_id').notNull(),
    rating: smallint('rating').notNull(),
    body: text('body').notNull(),
    replyBody: text('reply_body'),
    replyAt: at('reply_at'),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    index('catalog_reviews_agent').on(t.agentId, t.createdAt.desc(), t.id.desc()),
    check('catalog_reviews_rating', sql`${t.rating} between 1 and 5`),
    check('catalog_reviews_reply', sql`(${t.replyBody} is null) = (${t.replyAt} is null)`),
  ],
);

/**
 * What search reads, for listed (published) agents only: one narrow row per agent (about 350 bytes,
 * so that the rows a query touches stay in memory), kept in step with `catalog_agents` by the store.
 * Each short field has its own text vector; the GIN indexes are on the cumulative matches — the name;
 * name and summary; name, summary and tags — so that "every word is in the name or summary" is one
 * indexed match. `searchTiers` is the one definition both the indexes and the queries use (Postgres
 * only uses an expression index for the same expression). The description, the one long field, is
 * matched through `catalog_search_text`.
 */
export const catalogSearch = pgTable(
  'catalog_search',
  {
    agentId: text('agent_id').primaryKey(),
    category: text('category').notNull(),
    needsModel: boolean('needs_model').notNull(),
    maxCredits: integer('max_credits').notNull(),
    rating: doublePrecision('rating').notNull(),
    runs: integer('runs').notNull(),
    rankScore: doublePrecision('rank_score').notNull(),
    firstPublishedAt: at('first_published_at').notNull(),
    nameV: tsvector('name_v').notNull(),
    summaryV: tsvector('summary_v').notNull(),
    tagsV: tsvector('tags_v').notNull(),
  },
  (t) => {
    const [name, head, tagged] = searchTiers(t);
    return [
      index('catalog_search_name').using('gin', name).with({ fastupdate: false }),
      index('catalog_search_head').using('gin', head).with({ fastupdate: false }),
      index('catalog_search_tagged').using('gin', tagged).with({ fastupdate: false }),
      index('catalog_search_by_rank').on(t.rankScore.desc(), t.agentId),
      // The commonest filter: its agents in rank order, for a walk that skips the other categories.
      index('catalog_search_by_category_rank').on(t.category, t.rankScore.desc(), t.agentId),
      index('catalog_search_by_runs').on(t.runs.desc(), t.agentId),
      index('catalog_search_by_rating').on(t.rating.desc(), t.agentId),
      index('catalog_search_by_newest').on(t.firstPublishedAt.desc(), t.agentId),
      index('catalog_search_by_price').on(t.maxCredits, t.agentId),
    ];
  },
);

/** Every field of a listed agent, description included, as one weighted text vector. */
export const catalogSearchText = pgTable(
  'catalog_search_text',
  {
    agentId: text('agent_id').primaryKey(),
    allV: tsvector('all_v').notNull(),
  },
  (t) => [index('catalog_search_text_all').using('gin', t.allV).with({ fastupdate: false })],
);

/** The cumulative fields of the first three relevance tiers: name; + summary; + tags. */
export function searchTiers(c: { nameV: AnyPgColumn; summaryV: AnyPgColumn; tagsV: AnyPgColumn }) {
  return [
    sql`(${c.nameV})`,
    sql`(${c.nameV} || ${c.summaryV})`,
    sql`(${c.nameV} || ${c.summaryV} || ${c.tagsV})`,
  ] as const;
}

/**
 * Every word of listed names, summaries and tags: the dictionary typo correction draws from, with
 * how many listings have used it (counted each time a listing is written, so an estimate that only
 * grows: search uses it to tell rare words from common ones).
 */
export const catalogSearchWords = pgTable(
  'catalog_search_words',
  { word: text('word').primaryKey(), agents: integer('agents').notNull().default(1) },
  (t) => [index('catalog_search_words_trgm').using('gin', t.word.op('gin_trgm_ops'))],
);

export const catalogSchema = {
  catalogCreators,
  catalogAgents,
  catalogVersions,
  catalogRunOutcomes,
  catalogReviews,
  catalogSearch,
  catalogSearchText,
  catalogSearchWords,
};
