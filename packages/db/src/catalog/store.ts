import {
  type AgentChange,
  type AgentRecord,
  type AgentSnapshot,
  bayesianRating,
  type CatalogError,
  type CatalogStore,
  type CloneMatch,
  type Creator,
  type CreatorAgentRow,
  type Decision,
  err,
  type ListingFields,
  ok,
  type Result,
  type Review,
  type RunOutcome,
  type SearchHit,
  type StoreSearch,
} from '@jeton/core';
import { and, asc, eq, isNull, lte, ne, type SQL, sql } from 'drizzle-orm';
import type { Database, DatabaseHandle } from '../connect.ts';
import { loadCreatorAgents } from './creator-agents.ts';
import { claimCreator, writeCreator } from './creators.ts';
import { agentColumns, toAgent, toCreator, toReview, toVersion } from './rows.ts';
import {
  catalogAgents,
  catalogCreators,
  catalogReviews,
  catalogRunOutcomes,
  catalogSearch,
  catalogSearchWords,
  catalogVersions,
} from './schema.ts';
import { searchAgents } from './search.ts';

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0];
type Rank = (agent: AgentRecord) => number;

/** Stats medians look at this many of an agent's latest succeeded runs: bounded work per finished run. */
export const MEDIAN_WINDOW = 1000;

/** Refusals that end a transaction without writing: thrown inside it, returned outside it. */
class Refusal extends Error {
  constructor(readonly error: CatalogError) {
    super(error.type);
  }
}

/** The catalog on Drizzle, the same code on PGlite and Postgres. */
export class DrizzleCatalogStore implements CatalogStore {
  readonly #db: Database;

  constructor(handle: DatabaseHandle) {
    this.#db = handle.db;
  }

  async upsertCreator(creator: Creator): Promise<void> {
    // Not inserted and not there: the handle belongs to another creator (a bug in the caller).
    if ((await writeCreator(this.#db, creator)) === 0) {
      throw new Error(`the handle "${creator.handle}" belongs to another creator`);
    }
  }

  claimCreator(creator: Creator): Promise<boolean> {
    return claimCreator(this.#db, creator);
  }

  async getCreator(id: string): Promise<Creator | null> {
    const [row] = await this.#db.select().from(catalogCreators).where(eq(catalogCreators.id, id));
    return row ? toCreator(row) : null;
  }

  load(slug: string): Promise<AgentSnapshot | null> {
    return loadSnapshot(this.#db, slug, false);
  }

  async change<T>(
    slug: string,
    options: { clone?: { fingerprint: string; creatorId: string } },
    decide: (snapshot: AgentSnapshot | null, clone: CloneMatch | null) => Decision<T>,
    rank: Rank,
  ): Promise<Result<T, CatalogError>> {
    try {
      const value = await this.#db.transaction(async (tx) => {
        // The slug lock serialises changes to one agent, including its creation.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`catalog-agent:${slug}`}, 0))`);
        const snapshot = await loadSnapshot(tx, slug, true);
        let clone: CloneMatch | null = null;
        if (options.clone) {
          await tx.execute(
            sql`select pg_advisory_xact_lock(hashtextextended(${`catalog-fingerprint:${options.clone.fingerprint}`}, 0))`,
          );
          clone = await findClone(tx, options.clone.fingerprint, options.clone.creatorId);
        }
        const decision = decide(snapshot, clone);
        if (!decision.ok) throw new Refusal(decision.error);
        await applyChange(
          tx,
          snapshot?.agent.id ?? decision.value.change.create?.id,
          decision.value.change,
          rank,
        );
        return decision.value.value;
      });
      return ok(value);
    } catch (e) {
      if (e instanceof Refusal) return err(e.error);
      throw e;
    }
  }

  async duePendingVersions(now: Date): Promise<string[]> {
    const rows = await this.#db
      .select({ slug: catalogAgents.slug })
      .from(catalogAgents)
      .where(lte(catalogAgents.pendingEffectiveAt, now));
    return rows.map((r) => r.slug);
  }

  async recordRunOutcomes(outcomes: readonly RunOutcome[], rank: Rank): Promise<{ recorded: number }> {
    if (outcomes.length === 0) return { recorded: 0 };
    const rows = outcomes.map((o) => ({
      run_id: o.runId,
      agent_id: o.agentId,
      version_id: o.versionId,
      buyer_id: o.buyerId,
      status: o.status,
      duration_ms: o.durationMs,
      credits_paid: o.creditsPaid,
      finished_at: o.finishedAt.toISOString(),
    }));
    return this.#db.transaction(async (tx) => {
      // A creator's runs of their own agent are tests, not sales: they count for nothing. An unknown
      // agent counts for nothing either. Both are decided by the insert itself.
      const inserted = (await tx.execute(sql`
        insert into catalog_run_outcomes
          (run_id, agent_id, version_id, buyer_id, status, duration_ms, credits_paid, finished_at)
        select t.run_id, a.id, t.version_id, t.buyer_id, t.status, t.duration_ms, t.credits_paid, t.finished_at
          from json_to_recordset(${JSON.stringify(rows)}::json) as t(run_id text, agent_id text, version_id text,
                 buyer_id text, status text, duration_ms int, credits_paid int, finished_at timestamptz)
          join catalog_agents a on a.id = t.agent_id and a.creator_id <> t.buyer_id
        on conflict (run_id) do nothing
        returning agent_id, status`)) as unknown as { rows: { agent_id: string; status: string }[] };
      // One update per agent for the whole batch, in id order (two batches never wait on each other
      // in a circle): a popular agent's row is written once per batch, not once per run.
      const perAgent = new Map<string, { runs: number; succeeded: number }>();
      for (const r of inserted.rows) {
        const a = perAgent.get(r.agent_id) ?? { runs: 0, succeeded: 0 };
        a.runs++;
        if (r.status === 'succeeded') a.succeeded++;
        perAgent.set(r.agent_id, a);
      }
      for (const [agentId, n] of [...perAgent].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const window = sql`(select duration_ms, credits_paid from catalog_run_outcomes
          where agent_id = ${agentId} and status = 'succeeded'
          order by finished_at desc nulls last limit ${MEDIAN_WINDOW})`;
        await tx.execute(sql`update catalog_agents a set
            runs = a.runs + ${n.runs},
            succeeded = a.succeeded + ${n.succeeded},
            median_duration_ms = m.duration, median_credits = m.credits
          from (select percentile_disc(0.5) within group (order by duration_ms) as duration,
                       percentile_disc(0.5) within group (order by credits_paid) as credits
                from ${window} w) m
          where a.id = ${agentId}`);
        await refreshDerived(tx, agentId, rank);
      }
      return { recorded: inserted.rows.length };
    });
  }

  async addReview(
    review: { id: string; runId: string; authorId: string; rating: number; body: string; createdAt: Date },
    rank: Rank,
  ): Promise<Result<Review, CatalogError>> {
    try {
      return ok(
        await this.#db.transaction(async (tx) => {
          const [run] = await tx
            .select({
              creatorId: catalogAgents.creatorId,
              agentId: catalogRunOutcomes.agentId,
              versionId: catalogRunOutcomes.versionId,
              version: catalogVersions.version,
            })
            .from(catalogRunOutcomes)
            .innerJoin(catalogVersions, eq(catalogVersions.id, catalogRunOutcomes.versionId))
            .innerJoin(catalogAgents, eq(catalogAgents.id, catalogRunOutcomes.agentId))
            .where(
              and(
                eq(catalogRunOutcomes.runId, review.runId),
                eq(catalogRunOutcomes.buyerId, review.authorId),
              ),
            );
          if (!run || run.creatorId === review.authorId) {
            throw new Refusal({
              type: 'review_not_allowed',
              runId: review.runId,
              reason: run
                ? 'creators cannot review their own agents'
                : 'only the buyer of a finished run can review it',
            });
          }
          const [row] = await tx
            .insert(catalogReviews)
            .values({ ...review, agentId: run.agentId, versionId: run.versionId, version: run.version })
            .onConflictDoNothing({ target: catalogReviews.runId })
            .returning();
          if (!row) throw new Refusal({ type: 'already_reviewed', runId: review.runId });
          await tx
            .update(catalogAgents)
            .set({
              ratingSum: sql`${catalogAgents.ratingSum} + ${review.rating}`,
              ratingCount: sql`${catalogAgents.ratingCount} + 1`,
            })
            .where(eq(catalogAgents.id, run.agentId));
          await refreshDerived(tx, run.agentId, rank);
          return toReview(row);
        }),
      );
    } catch (e) {
      if (e instanceof Refusal) return err(e.error);
      throw e;
    }
  }

  async reply(
    reviewId: string,
    creatorId: string,
    body: string,
    at: Date,
  ): Promise<Result<Review, CatalogError>> {
    const [found] = await this.#db
      .select({ creatorId: catalogAgents.creatorId })
      .from(catalogReviews)
      .innerJoin(catalogAgents, eq(catalogAgents.id, catalogReviews.agentId))
      .where(eq(catalogReviews.id, reviewId));
    if (!found) return err({ type: 'review_not_found', reviewId });
    if (found.creatorId !== creatorId)
      return err({ type: 'forbidden', message: "only the agent's creator can reply" });
    if (body.length === 0) return err({ type: 'forbidden', message: 'a reply needs some text' });
    // Compare-and-set: of two replies at once, one lands and the other is told it came second.
    const [row] = await this.#db
      .update(catalogReviews)
      .set({ replyBody: body, replyAt: at })
      .where(and(eq(catalogReviews.id, reviewId), isNull(catalogReviews.replyBody)))
      .returning();
    return row ? ok(toReview(row)) : err({ type: 'already_replied', reviewId });
  }

  async listReviews(agentId: string, limit: number, before?: string): Promise<Review[] | null> {
    let cursor: SQL | undefined;
    if (before) {
      const [from] = await this.#db
        .select({ createdAt: catalogReviews.createdAt, id: catalogReviews.id })
        .from(catalogReviews)
        .where(and(eq(catalogReviews.id, before), eq(catalogReviews.agentId, agentId)));
      if (!from) return null;
      cursor = sql`(${catalogReviews.createdAt}, ${catalogReviews.id}) < (${from.createdAt}, ${from.id})`;
    }
    const rows = await this.#db
      .select()
      .from(catalogReviews)
      .where(and(eq(catalogReviews.agentId, agentId), cursor))
      // "nulls last" matches the index, so that the newest reviews are read from it in order.
      .orderBy(sql`${catalogReviews.createdAt} desc nulls last`, sql`${catalogReviews.id} desc nulls last`)
      .limit(limit);
    return rows.map(toReview);
  }

  search(query: StoreSearch): Promise<SearchHit[]> {
    return searchAgents(this.#db, query);
  }

  creatorAgents(creatorId: string, commissionBps: number): Promise<CreatorAgentRow[]> {
    return loadCreatorAgents(this.#db, creatorId, commissionBps);
  }

  async refreshRanks(rank: Rank): Promise<number> {
    const rows = await this.#db
      .select(agentColumns)
      .from(catalogAgents)
      .where(ne(catalogAgents.status, 'draft'));
    const changed = rows
      .map((row) => {
        const agent = toAgent(row);
        return {
          row,
          score: rank(agent),
          rating: bayesianRating(agent.stats.ratingSum, agent.stats.ratingCount),
        };
      })
      .filter(({ row, score, rating }) => score !== row.rankScore || rating !== row.rating);
    for (let i = 0; i < changed.length; i += 5000) {
      const part = changed.slice(i, i + 5000);
      const column = <T>(f: (c: (typeof part)[number]) => T) => sql.param(part.map(f));
      // Each row is written only if what its score was computed from has not moved since it was read:
      // a run or a review that landed meanwhile has already written a fresher score. The agents are
      // updated first, as every other writer does, so that two writers never wait on each other.
      const fresh = sql`unnest(${column((c) => c.row.id)}::text[], ${column((c) => c.score)}::float8[],
          ${column((c) => c.rating)}::float8[], ${column((c) => c.row.runs)}::int[], ${column((c) => c.row.succeeded)}::int[],
          ${column((c) => c.row.ratingSum)}::int[], ${column((c) => c.row.ratingCount)}::int[],
          ${column((c) => c.row.lastTestStatus)}::text[], ${column((c) => c.row.lastPublishedAt?.toISOString() ?? null)}::timestamptz[])
        as u(id, score, rating, runs, succeeded, rating_sum, rating_count, last_test, last_published)`;
      await this.#db.transaction(async (tx) => {
        await tx.execute(sql`
          with written as (
            update catalog_agents a set rank_score = u.score, rating = u.rating from ${fresh}
            where a.id = u.id and a.runs = u.runs and a.succeeded = u.succeeded
              and a.rating_sum = u.rating_sum and a.rating_count = u.rating_count
              and a.last_test_status is not distinct from u.last_test
              and a.last_published_at is not distinct from u.last_published
            returning a.id, a.rank_score, a.rating)
          update catalog_search s set rank_score = w.rank_score, rating = w.rating
          from written w where s.agent_id = w.id`);
      });
    }
    return changed.length;
  }
}

async function loadSnapshot(
  db: Database | Tx,
  slug: string,
  forUpdate: boolean,
): Promise<AgentSnapshot | null> {
  const query = db.select(agentColumns).from(catalogAgents).where(eq(catalogAgents.slug, slug));
  const [row] = forUpdate ? await query.for('update') : await query;
  if (!row) return null;
  const versions = await db
    .select()
    .from(catalogVersions)
    .where(eq(catalogVersions.agentId, row.id))
    .orderBy(asc(catalogVersions.createdAt));
  return { agent: toAgent(row), versions: versions.map(toVersion) };
}

async function findClone(tx: Tx, fingerprint: string, creatorId: string): Promise<CloneMatch | null> {
  const [row] = await tx
    .select({ slug: catalogAgents.slug, creatorId: catalogAgents.creatorId })
    .from(catalogVersions)
    .innerJoin(catalogAgents, eq(catalogAgents.id, catalogVersions.agentId))
    .where(
      and(
        eq(catalogVersions.fingerprint, fingerprint),
        eq(catalogVersions.status, 'published'),
        ne(catalogAgents.creatorId, creatorId),
      ),
    )
    .orderBy(asc(catalogVersions.publishedAt))
    .limit(1);
  return row ?? null;
}

async function applyChange(
  tx: Tx,
  agentId: string | undefined,
  change: AgentChange,
  rank: Rank,
): Promise<void> {
  if (!agentId) throw new Error('a change to an agent that does not exist must create it');
  if (change.create) {
    const c = change.create;
    const row: typeof catalogAgents.$inferInsert = {
      id: c.id,
      slug: c.slug,
      creatorId: c.creatorId,
      status: 'draft',
      createdAt: c.createdAt,
      ...listingColumns(c.listing),
      rating: bayesianRating(0, 0),
    };
    await tx.insert(catalogAgents).values(row);
  }
  if (change.version) {
    const { id, ...rest } = change.version;
    const written = await tx
      .insert(catalogVersions)
      .values(change.version)
      .onConflictDoUpdate({
        target: catalogVersions.id,
        set: rest,
        setWhere: eq(catalogVersions.status, 'draft'),
      })
      .returning({ id: catalogVersions.id });
    if (written.length === 0) throw new Error(`version ${id} is published and cannot change`);
  }
  const a = change.agent;
  if (a) {
    await tx
      .update(catalogAgents)
      .set({
        ...(a.status !== undefined ? { status: a.status } : {}),
        ...(a.suspendedFrom !== undefined ? { suspendedFrom: a.suspendedFrom } : {}),
        ...(a.currentVersionId !== undefined ? { currentVersionId: a.currentVersionId } : {}),
        ...(a.pendingVersionId !== undefined ? { pendingVersionId: a.pendingVersionId } : {}),
        ...(a.pendingEffectiveAt !== undefined ? { pendingEffectiveAt: a.pendingEffectiveAt } : {}),
        ...(a.firstPublishedAt !== undefined ? { firstPublishedAt: a.firstPublishedAt } : {}),
        ...(a.lastPublishedAt !== undefined ? { lastPublishedAt: a.lastPublishedAt } : {}),
        ...(a.lastTest ? { lastTestStatus: a.lastTest.status, lastTestAt: a.lastTest.at } : {}),
        ...(a.listing ? listingColumns(a.listing) : {}),
      })
      .where(eq(catalogAgents.id, agentId));
  }
  const listing = change.agent?.listing ?? change.create?.listing;
  if (listing) await addSearchWords(tx, listing);
  await refreshDerived(tx, agentId, rank);
  await syncSearchRow(tx, agentId);
}

function listingColumns(l: ListingFields) {
  return {
    name: l.name,
    summary: l.summary,
    description: l.description,
    category: l.category,
    tags: l.tags,
    needsModel: l.needsModel,
    pricingModel: l.pricingModel,
    maxCredits: l.maxCredits,
  };
}

/**
 * Puts a listed agent's row in `catalog_search` (its text vectors rebuilt from the listing) or takes
 * an unlisted one out, so that search sees exactly the published agents.
 */
async function syncSearchRow(tx: Tx, agentId: string): Promise<void> {
  const unlisted = sql`not exists (select 1 from catalog_agents a where a.id = ${agentId} and a.status = 'published')`;
  await tx.execute(sql`delete from catalog_search where agent_id = ${agentId} and ${unlisted}`);
  await tx.execute(sql`delete from catalog_search_text where agent_id = ${agentId} and ${unlisted}`);
  for (const statement of upsertSearchRows(sql`a.id = ${agentId}`)) await tx.execute(statement);
}

/**
 * The statements that write the search rows of the published agents `condition` (on
 * `catalog_agents a`) selects: the narrow row and the full text.
 */
export function upsertSearchRows(condition: SQL): SQL[] {
  const name = sql`setweight(to_tsvector('english', a.name), 'A')`;
  const summary = sql`setweight(to_tsvector('english', a.summary), 'B')`;
  const tags = sql`setweight(to_tsvector('english', replace(array_to_string(a.tags, ' '), '-', ' ')), 'C')`;
  const description = sql`setweight(to_tsvector('english', left(a.description, 100000)), 'D')`;
  return [
    sql`
    insert into catalog_search (agent_id, category, needs_model, max_credits, rating, runs, rank_score,
      first_published_at, name_v, summary_v, tags_v)
    select a.id, a.category, a.needs_model, a.max_credits, a.rating, a.runs, a.rank_score, a.first_published_at,
      ${name}, ${summary}, ${tags}
    from catalog_agents a
    where ${condition} and a.status = 'published'
    on conflict (agent_id) do update set category = excluded.category, needs_model = excluded.needs_model,
      max_credits = excluded.max_credits, rating = excluded.rating, runs = excluded.runs,
      rank_score = excluded.rank_score, first_published_at = excluded.first_published_at,
      name_v = excluded.name_v, summary_v = excluded.summary_v, tags_v = excluded.tags_v`,
    sql`
    insert into catalog_search_text (agent_id, all_v)
    select a.id, ${name} || ${summary} || ${tags} || ${description}
    from catalog_agents a
    where ${condition} and a.status = 'published'
    on conflict (agent_id) do update set all_v = excluded.all_v`,
  ];
}

/** Words typo correction may suggest: those of names, summaries and tags. */
async function addSearchWords(tx: Tx, l: ListingFields): Promise<void> {
  const text = `${l.name} ${l.summary} ${l.tags.join(' ')}`.normalize('NFKC').toLowerCase();
  const words = [...new Set(text.match(/[\p{L}\p{N}]{3,40}/gu) ?? [])].sort();
  if (words.length === 0) return;
  await tx
    .insert(catalogSearchWords)
    .values(words.map((word) => ({ word })))
    .onConflictDoUpdate({
      target: catalogSearchWords.word,
      set: { agents: sql`${catalogSearchWords.agents} + 1` },
    });
}

/** The columns computed from others by the core's formulas: the Bayesian rating and the rank. */
async function refreshDerived(tx: Tx, agentId: string, rank: Rank): Promise<void> {
  const [row] = await tx.select(agentColumns).from(catalogAgents).where(eq(catalogAgents.id, agentId));
  if (!row) return;
  const agent = toAgent(row);
  const derived = {
    rating: bayesianRating(agent.stats.ratingSum, agent.stats.ratingCount),
    rankScore: rank(agent),
  };
  await tx.update(catalogAgents).set(derived).where(eq(catalogAgents.id, agentId));
  await tx
    .update(catalogSearch)
    .set({ ...derived, runs: agent.stats.runs })
    .where(eq(catalogSearch.agentId, agentId));
}
