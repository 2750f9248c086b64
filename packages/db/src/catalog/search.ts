import { buildTsQuery, type SearchHit, type StoreSearch } from '@jeton/core';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { agentColumns, toAgent, toCreator } from './rows.ts';
import { catalogAgents, catalogCreators } from './schema.ts';

/** Weights of the text match, in ts_rank's order D, C, B, A: description, tags, summary, name. */
const WEIGHTS = sql.raw(`'{0.1, 0.3, 0.6, 1.0}'::float4[]`);
/** Below this trigram similarity a word is not offered as a correction. */
const MIN_SIMILARITY = 0.3;

/**
 * Typo-tolerant full-text search over listed agents. Each query word that is not in the catalog's
 * dictionary is widened to its closest dictionary words by trigram similarity; the words are then
 * matched with Postgres full-text search (all of them if any agent has all, else any), ranked by
 * `ts_rank × (1 + rank score)`, filtered and paged by keyset.
 */
export async function searchAgents(db: Database, q: StoreSearch): Promise<SearchHit[]> {
  const a = catalogAgents;
  let tsquery: SQL | null = null;
  if (q.tokens.length > 0) {
    const corrections = await correct(db, q.tokens);
    const all = sql`to_tsquery('english', ${buildTsQuery(q.tokens, corrections, 'all')})`;
    if (q.tokens.length === 1) tsquery = all;
    else {
      const found = (await db.execute(
        sql`select exists (select 1 from catalog_agents where status = 'published' and search @@ ${all}) as found`,
      )) as unknown as { rows: { found: boolean }[] };
      tsquery = found.rows[0]?.found
        ? all
        : sql`to_tsquery('english', ${buildTsQuery(q.tokens, corrections, 'any')})`;
    }
  }

  const { key, direction, param } = sortKey(q.sort, tsquery);
  const filters: (SQL | undefined)[] = [
    eq(a.status, 'published'),
    tsquery ? sql`${a.search} @@ ${tsquery}` : undefined,
    q.category ? eq(a.category, q.category) : undefined,
    q.maxPrice !== undefined ? sql`${a.maxCredits} <= ${q.maxPrice}` : undefined,
    q.minRating !== undefined ? sql`${a.rating} >= ${q.minRating}` : undefined,
    q.needsModel !== undefined ? eq(a.needsModel, q.needsModel) : undefined,
  ];
  if (q.after) {
    const k = param(q.after.key);
    filters.push(
      direction === 'desc'
        ? sql`(${key} < ${k} or (${key} = ${k} and ${a.id} > ${q.after.id}))`
        : sql`(${key} > ${k} or (${key} = ${k} and ${a.id} > ${q.after.id}))`,
    );
  }
  const rows = await db
    .select({
      agent: agentColumns,
      creator: catalogCreators,
      sortKey: sql<number | string | Date>`${key}`.as('sort_key'),
    })
    .from(a)
    .innerJoin(catalogCreators, eq(catalogCreators.id, a.creatorId))
    .where(and(...filters))
    .orderBy(direction === 'desc' ? sql`${key} desc nulls last` : sql`${key} asc`, a.id)
    .limit(q.limit);
  return rows.map((r) => ({
    agent: toAgent(r.agent),
    creator: toCreator(r.creator),
    sortKey:
      r.sortKey instanceof Date
        ? r.sortKey.toISOString()
        : typeof r.sortKey === 'string' && q.sort === 'newest'
          ? new Date(r.sortKey).toISOString()
          : Number(r.sortKey),
  }));
}

function sortKey(
  sort: StoreSearch['sort'],
  tsquery: SQL | null,
): { key: SQL; direction: 'asc' | 'desc'; param: (v: number | string) => SQL } {
  const a = catalogAgents;
  const number = (v: number | string) => sql`${Number(v)}::float8`;
  switch (sort) {
    case 'relevance':
      return tsquery
        ? {
            key: sql`(ts_rank(${WEIGHTS}, ${a.search}, ${tsquery}) * (1 + ${a.rankScore}))`,
            direction: 'desc',
            param: number,
          }
        : { key: sql`${a.rankScore}`, direction: 'desc', param: number };
    case 'popular':
      return { key: sql`${a.runs}`, direction: 'desc', param: (v) => sql`${Number(v)}::int` };
    case 'rating':
      return { key: sql`${a.rating}`, direction: 'desc', param: number };
    case 'newest':
      return {
        key: sql`${a.firstPublishedAt}`,
        direction: 'desc',
        param: (v) => sql`${String(v)}::timestamptz`,
      };
    case 'price':
      return { key: sql`${a.maxCredits}`, direction: 'asc', param: (v) => sql`${Number(v)}::int` };
  }
}

/** For each query word missing from the dictionary, its closest dictionary words. */
async function correct(db: Database, tokens: readonly string[]): Promise<Map<string, string[]>> {
  const candidates = tokens.filter((t) => t.length >= 3 && t.length <= 40);
  const corrections = new Map<string, string[]>();
  if (candidates.length === 0) return corrections;
  const result = (await db.execute(sql`
    select t.token, w.word
    from unnest(${sql.param(candidates)}::text[]) as t(token)
    cross join lateral (
      select word from catalog_search_words
      where word % t.token and similarity(word, t.token) >= ${MIN_SIMILARITY}
      order by similarity(word, t.token) desc, word
      limit 2
    ) w
    where not exists (select 1 from catalog_search_words x where x.word = t.token)`)) as unknown as {
    rows: { token: string; word: string }[];
  };
  for (const row of result.rows) {
    corrections.set(row.token, [...(corrections.get(row.token) ?? []), row.word]);
  }
  return corrections;
}
