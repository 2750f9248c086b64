import { buildTsQuery, type SearchHit, type StoreSearch } from '@jeton/core';
import { type Column, getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { type AgentRow, toAgent, toCreator } from './rows.ts';
import { catalogAgents, catalogCreators, catalogSearch, catalogSearchText, searchTiers } from './schema.ts';

/** Below this many expected matches, finding them through the text index and sorting is cheap. */
const FEW_MATCHES = 2000;
/** Below this trigram similarity a word is not offered as a correction. */
const MIN_SIMILARITY = 0.3;

/**
 * Typo-tolerant full-text search over listed agents, in one query.
 *
 * Relevance comes in tiers, each ordered by the ranking score through an index, so a page costs about
 * the same whether a word is in ten agents or in ten thousand:
 *   1. every word is in the name;  2. … in the name or summary;  3. … or the tags;
 *   4. … or the description.
 * Every word must match (after typo correction): a result with only some of them would mean sorting
 * every agent that has one common word, tens of milliseconds at 100,000 agents.
 * The tiers are branches of one UNION ALL under a LIMIT: Postgres stops as soon as the page is full,
 * so the lower tiers are only read when the higher ones run out. The tiers' order on the page relies
 * on an Append running its branches in order, which holds for plans without parallel workers: the
 * pool turns them off (`connect.ts`), and PGlite has none. An ORDER BY over the union would make
 * Postgres start every branch (a Merge Append), losing the early stop.
 *
 * Other sorts (popular, rating, newest, price) keep the agents that have every word anywhere. Each
 * query word missing from the catalog's dictionary is first widened to its closest dictionary words.
 */
export async function searchAgents(db: Database, q: StoreSearch): Promise<SearchHit[]> {
  const s = catalogSearch;
  const filters: SQL[] = [];
  if (q.category) filters.push(sql`${s.category} = ${q.category}`);
  if (q.maxPrice !== undefined) filters.push(sql`${s.maxCredits} <= ${q.maxPrice}`);
  if (q.minRating !== undefined) filters.push(sql`${s.rating} >= ${q.minRating}`);
  if (q.needsModel !== undefined) filters.push(sql`${s.needsModel} = ${q.needsModel}`);

  let page: SQL;
  if (q.tokens.length > 0) {
    const { corrections, known, uses } = await correct(db, q.tokens);
    const listed = await listedAgents(db);
    // Expected matches if the words were independent: the listings times each word's share of them.
    const expected = uses.reduce((n, u) => n * Math.min(1, u / listed), listed);
    const text = (prefix: boolean) =>
      sql`to_tsquery('english', ${buildTsQuery(q.tokens, corrections, 'all', known, { prefix })})`;
    // A prefix (the last word, still being typed) is matched in the short fields only: in descriptions
    // it would find thousands of agents for two or three letters.
    const typing = buildTsQuery(q.tokens, corrections, 'all', known).includes(':*');
    const all = text(true);
    const whole = text(false);
    const [name, head, tagged] = searchTiers(s);
    // When few agents can match, the text index leads and the matches are sorted. When many can, the
    // planner is left to judge from its statistics: it walks the rank order, or reads the full text of
    // the agents that pass the filters. Its own estimates are trusted only for common words: for rare
    // ones and prefixes it picks walks that read every row (measured: 40 ms instead of 2 ms).
    const few = typing || expected < FEW_MATCHES;
    const fullText = few ? fencedFullText(whole) : fullTextExists(whole);
    const order = few ? sortedByRank : walkedByRank;
    if (q.sort === 'relevance') {
      const from = sql`${s}`;
      const tiers: { from: SQL; match: SQL }[] = [
        { from, match: sql`${name} @@ ${all}` },
        { from, match: sql`${head} @@ ${all} and not ${name} @@ ${all}` },
        { from, match: sql`${tagged} @@ ${all} and not ${head} @@ ${all}` },
        few
          ? { from: fullTextMatches(whole), match: sql`not ${tagged} @@ ${all}` }
          : { from, match: sql`${fullText} and not ${tagged} @@ ${all}` },
      ];
      const [afterTier, afterScore] = Array.isArray(q.after?.key) ? q.after.key : [0, 0];
      const branches = tiers.flatMap(({ from, match }, i) => {
        const tier = i + 1;
        if (q.after && tier < afterTier) return [];
        const conditions = [match, ...filters];
        if (q.after && tier === afterTier) {
          conditions.push(
            sql`(${s.rankScore} < ${afterScore}::float8 or (${s.rankScore} = ${afterScore}::float8 and ${s.agentId} > ${q.after.id}))`,
          );
        }
        return [
          sql`(select ${s.agentId} as agent_id, ${tier}::int as tier, ${s.rankScore} as score from ${from}
               where ${sql.join(conditions, sql` and `)} order by ${order} limit ${q.limit})`,
        ];
      });
      if (branches.length === 0) return [];
      page = sql`select agent_id, tier, score from (${sql.join(branches, sql` union all `)}) u limit ${q.limit}`;
    } else {
      page = orderedPage(q, [sql`(${tagged} @@ ${all} or ${fullText})`, ...filters], few);
    }
  } else {
    page = orderedPage(q, filters, false);
  }
  const tiered = q.sort === 'relevance' && q.tokens.length > 0;
  const order = tiered
    ? sql`p.tier, p.score desc, p.agent_id`
    : sql`p.score ${sql.raw(q.sort === 'price' ? 'asc' : 'desc')}, p.agent_id`;
  return fetchPage(db, page, order, tiered ? 'tiered' : q.sort === 'newest' ? 'date' : 'number');
}

/**
 * Two ways to order the matches of a text query by rank. Walking the rank index and testing each row
 * is fastest for common words (2 ms at 100,000 agents for a word in three listings in four, where
 * sorting its 20,000 matches takes 35 ms) and ruinous for rare ones: with no match it reads the whole
 * index (580 ms). The planner picks well from its statistics for whole words, but a prefix (`coluor:*`)
 * blinds it; then sorting the few matches the text index finds is forced by ordering on an expression
 * that no index provides.
 */
const walkedByRank = sql`${catalogSearch.rankScore} desc nulls last, ${catalogSearch.agentId}`;
const sortedByRank = sql`(${catalogSearch.rankScore} + 0) desc, ${catalogSearch.agentId}`;

/** The same order without the index that provides it (see `sortedByRank`). */
function unindexed(column: Column): SQL {
  return column === catalogSearch.firstPublishedAt
    ? sql`(${column} + interval '0 seconds')`
    : sql`(${column} + 0)`;
}

/** The agent's full text, description included, has every word: the planner chooses how to look. */
function fullTextExists(words: SQL): SQL {
  const t = catalogSearchText;
  return sql`exists (select 1 from ${t} where ${t.agentId} = ${catalogSearch.agentId} and ${t.allV} @@ ${words})`;
}

/**
 * The search rows of the agents whose full text has every word, found through the full-text index
 * and then looked up one by one by primary key. Both subqueries are fenced (`offset 0`) so that the
 * planner keeps this shape: left to itself, it scans the agents that pass the filters and hashes the
 * text matches, 35–55 ms at 100,000 agents where this takes 3–5 ms (measured).
 */
function fullTextMatches(words: SQL): SQL {
  const s = catalogSearch;
  const t = catalogSearchText;
  return sql`(select ${t.agentId} as matched_id from ${t} where ${t.allV} @@ ${words} offset 0) m
    cross join lateral (select * from ${s} where ${s.agentId} = m.matched_id offset 0) ${s}`;
}

/** The same test as a condition, with the text index leading (see `fullTextMatches`). */
function fencedFullText(words: SQL): SQL {
  const t = catalogSearchText;
  return sql`${catalogSearch.agentId} in (select ${t.agentId} from ${t} where ${t.allV} @@ ${words} offset 0)`;
}

/** One sort column, after the cursor: through its index, or sorted when `textual` (see `unindexed`). */
function orderedPage(q: StoreSearch, conditions: SQL[], textual: boolean): SQL {
  const s = catalogSearch;
  const { column, direction, cast } = {
    relevance: { column: s.rankScore, direction: 'desc', cast: sql`::float8` },
    popular: { column: s.runs, direction: 'desc', cast: sql`::int` },
    rating: { column: s.rating, direction: 'desc', cast: sql`::float8` },
    newest: { column: s.firstPublishedAt, direction: 'desc', cast: sql`::timestamptz` },
    price: { column: s.maxCredits, direction: 'asc', cast: sql`::int` },
  }[q.sort];
  const where = [...conditions];
  if (q.after && !Array.isArray(q.after.key)) {
    const k = sql`${q.after.key}${cast}`;
    where.push(
      direction === 'desc'
        ? sql`(${column} < ${k} or (${column} = ${k} and ${s.agentId} > ${q.after.id}))`
        : sql`(${column} > ${k} or (${column} = ${k} and ${s.agentId} > ${q.after.id}))`,
    );
  }
  return sql`select ${s.agentId} as agent_id, 0 as tier, ${column} as score from ${s}
    ${where.length > 0 ? sql`where ${sql.join(where, sql` and `)}` : sql``}
    order by ${textual ? unindexed(column) : column} ${sql.raw(direction === 'desc' ? 'desc nulls last' : 'asc')}, ${s.agentId}
    limit ${q.limit}`;
}

const agentColumns = Object.entries(getTableColumns(catalogAgents));
const creatorColumns = Object.entries(getTableColumns(catalogCreators));

/** The page's agents and creators, in the page's order, as drizzle would map them. */
async function fetchPage(
  db: Database,
  page: SQL,
  order: SQL,
  key: 'tiered' | 'date' | 'number',
): Promise<SearchHit[]> {
  const select = [
    ...agentColumns.map(([key, col]) => sql`${col} as ${sql.identifier(`a_${key}`)}`),
    ...creatorColumns.map(([key, col]) => sql`${col} as ${sql.identifier(`c_${key}`)}`),
  ];
  const result = (await db.execute(sql`
    select ${sql.join(select, sql`, `)}, p.tier, p.score
    from (${page}) p
    join ${catalogAgents} on ${catalogAgents.id} = p.agent_id
    join ${catalogCreators} on ${catalogCreators.id} = ${catalogAgents.creatorId}
    order by ${order}`)) as unknown as { rows: Record<string, unknown>[] };
  return result.rows.map((row) => ({
    agent: toAgent(mapColumns(agentColumns, row, 'a_') as AgentRow),
    creator: toCreator(mapColumns(creatorColumns, row, 'c_') as typeof catalogCreators.$inferSelect),
    sortKey:
      key === 'tiered'
        ? [Number(row.tier), Number(row.score)]
        : key === 'date'
          ? new Date(row.score as string | Date).toISOString()
          : Number(row.score),
  }));
}

function mapColumns(
  columns: [string, Column][],
  row: Record<string, unknown>,
  prefix: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, col] of columns) {
    const value = row[`${prefix}${key}`];
    out[key] = value === null || value === undefined ? null : col.mapFromDriverValue(value);
  }
  return out;
}

interface WordInfo {
  /** How many listings have used the word (0: not in the dictionary). */
  agents: number;
  corrections: { word: string; agents: number }[];
  at: number;
}

/** What recent query words are, per database, so that a popular misspelling costs one lookup a minute. */
const wordCaches = new WeakMap<Database, Map<string, WordInfo>>();
const CACHE_MS = 60_000;
const CACHE_SIZE = 10_000;

/** How many agents are listed, from the planner's statistics, refreshed once a minute. */
const listedCache = new WeakMap<Database, { n: number; at: number }>();
async function listedAgents(db: Database): Promise<number> {
  const cached = listedCache.get(db);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.n;
  const result = (await db.execute(
    sql`select greatest(reltuples, 1)::float8 as n from pg_class where oid = 'catalog_search'::regclass`,
  )) as unknown as { rows: { n: number }[] };
  const n = Number(result.rows[0]?.n ?? 1);
  listedCache.set(db, { n, at: Date.now() });
  return n;
}

/**
 * Which query words the dictionary knows; for each it does not, its closest dictionary words; and how
 * many listings use each word (with its corrections).
 */
async function correct(
  db: Database,
  tokens: readonly string[],
): Promise<{ corrections: Map<string, string[]>; known: Set<string>; uses: number[] }> {
  const now = Date.now();
  let cache = wordCaches.get(db);
  if (!cache) {
    cache = new Map();
    wordCaches.set(db, cache);
  }
  const lookup: string[] = [];
  for (const t of tokens) {
    const cached = cache.get(t);
    if (t.length <= 40 && (!cached || now - cached.at >= CACHE_MS)) lookup.push(t);
  }
  if (lookup.length > 0) {
    const result = (await db.execute(sql`
      select t.token, coalesce(k.agents, 0) as agents, w.word, w.agents as word_agents
      from unnest(${sql.param(lookup)}::text[]) as t(token)
      left join catalog_search_words k on k.word = t.token
      left join lateral (
        select word, agents from catalog_search_words
        where k.word is null and length(t.token) >= 3 and word % t.token and similarity(word, t.token) >= ${MIN_SIMILARITY}
        order by similarity(word, t.token) desc, word
        limit 2
      ) w on true`)) as unknown as {
      rows: { token: string; agents: number; word: string | null; word_agents: number | null }[];
    };
    if (cache.size > CACHE_SIZE) cache.clear();
    for (const t of lookup) cache.set(t, { agents: 0, corrections: [], at: now });
    for (const row of result.rows) {
      const info = cache.get(row.token)!;
      info.agents = Number(row.agents);
      if (row.word) info.corrections.push({ word: row.word, agents: Number(row.word_agents ?? 0) });
    }
  }
  const corrections = new Map<string, string[]>();
  const known = new Set<string>();
  const uses: number[] = [];
  for (const t of tokens) {
    const info = cache.get(t);
    if (info && info.agents > 0) known.add(t);
    if (info && info.corrections.length > 0)
      corrections.set(
        t,
        info.corrections.map((c) => c.word),
      );
    uses.push((info?.agents ?? 0) + (info?.corrections.reduce((sum, c) => sum + c.agents, 0) ?? 0));
  }
  return { corrections, known, uses };
}
