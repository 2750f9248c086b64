import { CATEGORIES, Catalog, type SearchParams, seededRandom } from '@jeton/core';
import { type DatabaseHandle, DrizzleCatalogStore, upsertSearchRows } from '@jeton/db';
import { sql } from 'drizzle-orm';

/**
 * Catalog search under load: AGENTS generated listings (names, summaries, tags and descriptions drawn
 * from a skewed vocabulary, so some words are common and most are rare, as in a real catalog), then
 * SEARCHERS concurrent clients sending a mix of queries — one or two words, typos, prefixes typed so
 * far, filters and sorts, second pages — through the real `Catalog.search`.
 */
export interface SearchResult {
  /** `paced`: each searcher thinks between queries, as a person does; `saturation`: none does. */
  mode: 'paced' | 'saturation';
  agents: number;
  searchers: number;
  queries: number;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  loadSeconds: number;
}

const DOMAIN: string[] =
  `logo palette brand colour svg icon design font poster banner character model mesh rig texture
  glb gltf lowpoly game avatar scene render animation audit security secrets dependency typescript lint
  complexity refactor test coverage sarif csv cleaner profile dedupe outlier spreadsheet json schema sql
  query report chart dashboard summary translate translation french spanish japanese german document pdf
  invoice contract legal email newsletter blog article seo keyword marketing ad copy slogan tagline
  research paper citation review survey analysis sentiment interview transcript podcast video subtitle
  audio music voice image photo resize crop background upscale illustration sketch comic storyboard
  product description pricing recipe travel itinerary fitness resume cover letter job code python rust
  api docs readme changelog migration kubernetes docker terraform cloud cost budget forecast finance tax`
    .split(/\s+/)
    .filter(Boolean);

/** Seeded, so that every run generates the same catalog and the same queries. */
export const prng = seededRandom;

function vocabulary(random: () => number): string[] {
  const syllables = [
    'ka',
    'lo',
    'mi',
    'ra',
    'te',
    'su',
    'vo',
    'ne',
    'pa',
    'di',
    'qu',
    'or',
    'an',
    'el',
    'is',
    'um',
  ];
  const words = new Set(DOMAIN);
  while (words.size < 5000) {
    let w = '';
    const n = 2 + Math.floor(random() * 3);
    for (let i = 0; i < n; i++) w += syllables[Math.floor(random() * syllables.length)];
    words.add(w);
  }
  return [...words];
}

/** Zipf's law over the domain words: the r-th most common is drawn with probability ∝ 1/r. */
const ZIPF = (() => {
  const weights = DOMAIN.map((_, r) => 1 / (r + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  return weights.map((w) => (sum += w / total));
})();

/**
 * A word as a listing would use it: 15% of the time a domain word, by Zipf's law (so the commonest
 * appears in about three listings in four, the tenth in one in eight, the last in one in 150),
 * otherwise one from the long tail of rarer words.
 */
const pick = (words: readonly string[], random: () => number) => {
  if (random() < 0.15) {
    const u = random();
    return DOMAIN[ZIPF.findIndex((c) => c >= u)] ?? DOMAIN[DOMAIN.length - 1]!;
  }
  return words[DOMAIN.length + Math.floor((words.length - DOMAIN.length) * random() ** 2)]!;
};

export async function loadCatalog(
  handle: DatabaseHandle,
  agents: number,
): Promise<{ words: string[]; seconds: number }> {
  const started = performance.now();
  const random = prng(42);
  const words = vocabulary(random);
  const phrase = (n: number) => Array.from({ length: n }, () => pick(words, random)).join(' ');
  await handle.db.execute(
    sql`insert into catalog_creators (id, handle, display_name) values ('bench-creator', 'bench', 'Bench') on conflict do nothing`,
  );
  const BATCH = 2000;
  for (let start = 0; start < agents; start += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, agents - start) }, (_, k) => {
      const i = start + k;
      const name = `${phrase(2)} ${anyOf(DOMAIN, random)}`;
      const runs = Math.floor(10_000 * random() ** 4);
      const ratingCount = Math.floor(runs * 0.05 * random());
      return {
        id: `agt_bench${String(i).padStart(8, '0')}`,
        slug: `bench-${i}`,
        name: name.charAt(0).toUpperCase() + name.slice(1),
        summary: `${phrase(10)}.`,
        description: `${phrase(40)}.`,
        category: CATEGORIES[Math.floor(random() * CATEGORIES.length)]!,
        tags: [anyOf(DOMAIN, random), pick(words, random), pick(words, random)].join(' '),
        needsModel: random() < 0.4,
        maxCredits: 1 + Math.floor(200 * random() ** 2),
        runs,
        succeeded: Math.floor(runs * (0.5 + random() / 2)),
        ratingSum: Math.round(ratingCount * (2 + 3 * random())),
        ratingCount,
        publishedAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 300) * 86_400_000).toISOString(),
      };
    });
    const col = <K extends keyof (typeof rows)[number]>(k: K) => sql.param(rows.map((r) => r[k]));
    await handle.db.execute(sql`
      insert into catalog_agents (id, slug, creator_id, status, name, summary, description, category, tags,
        needs_model, pricing_model, max_credits, runs, succeeded, rating_sum, rating_count, rating, rank_score,
        created_at, first_published_at, last_published_at, last_test_status)
      select id, slug, 'bench-creator', 'published', name, summary, description, category, string_to_array(tags, ' '),
        needs_model, 'per_run', max_credits, runs, succeeded, rating_sum, rating_count,
        0, 0, published_at, published_at, published_at, 'passed'
      from unnest(${col('id')}::text[], ${col('slug')}::text[], ${col('name')}::text[], ${col('summary')}::text[],
        ${col('description')}::text[], ${col('category')}::text[], ${col('tags')}::text[], ${col('needsModel')}::bool[],
        ${col('maxCredits')}::int[], ${col('runs')}::int[], ${col('succeeded')}::int[], ${col('ratingSum')}::int[],
        ${col('ratingCount')}::int[], ${col('publishedAt')}::timestamptz[])
        as t(id, slug, name, summary, description, category, tags, needs_model, max_credits, runs, succeeded,
             rating_sum, rating_count, published_at)`);
  }
  // Ratings and scores by the catalog's own formula (ranking.ts), as its sweep computes them.
  await new Catalog(new DrizzleCatalogStore(handle)).sweep({ rerank: true });
  // The search rows, as the store writes them when an agent is published.
  for (const statement of upsertSearchRows(sql`true`)) await handle.db.execute(statement);
  // The dictionary typo correction draws from: the words of names, summaries and tags.
  await handle.db.execute(sql`insert into catalog_search_words (word, agents)
    select w, count(distinct id) from catalog_agents,
      regexp_split_to_table(lower(name || ' ' || summary || ' ' || array_to_string(tags, ' ')), '[^[:alnum:]]+') w
    where length(w) between 3 and 40 group by w on conflict do nothing`);
  // A catalog in steady state: GIN pending lists merged, statistics current (autovacuum does both).
  await handle.db.execute(sql`vacuum analyze`);
  // Flush the load's writes now, so that a checkpoint does not stall the measurement.
  await handle.db.execute(sql`checkpoint`).catch(() => {});
  return { words, seconds: (performance.now() - started) / 1000 };
}

const anyOf = <T>(list: readonly T[], random: () => number): T => list[Math.floor(list.length * random())]!;

function typo(word: string, random: () => number): string {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(random() * (word.length - 2));
  return random() < 0.5
    ? word.slice(0, i) + word.slice(i + 1)
    : word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

export function randomQuery(
  words: readonly string[],
  random: () => number,
): Partial<SearchParams> & { nextPage?: boolean } {
  const r = random();
  const q: Partial<SearchParams> & { nextPage?: boolean } = {};
  if (r < 0.35) q.q = pick(words, random);
  else if (r < 0.55) q.q = `${pick(words, random)} ${anyOf(DOMAIN, random)}`;
  else if (r < 0.65) q.q = typo(anyOf(DOMAIN, random), random);
  else if (r < 0.75) q.q = anyOf(DOMAIN, random).slice(0, 3 + Math.floor(random() * 3));
  else q.sort = (['relevance', 'popular', 'rating', 'newest', 'price'] as const)[Math.floor(random() * 5)]!;
  if (random() < 0.4) q.category = CATEGORIES[Math.floor(random() * CATEGORIES.length)]!;
  if (random() < 0.2) q.maxPrice = 10 + Math.floor(random() * 100);
  if (random() < 0.15) q.minRating = 3.5 + random();
  if (random() < 0.15) q.needsModel = random() < 0.5;
  q.nextPage = random() < 0.1;
  return q;
}

export async function measureSearch(
  handle: DatabaseHandle,
  words: readonly string[],
  options: { searchers: number; seconds: number; seed: number; thinkMs?: [number, number] },
): Promise<Omit<SearchResult, 'agents' | 'loadSeconds' | 'mode'>> {
  const catalog = new Catalog(new DrizzleCatalogStore(handle));
  const latencies: number[] = [];
  const deadline = performance.now() + options.seconds * 1000;
  const searcher = async (s: number) => {
    const random = prng(options.seed * 1000 + s);
    // People do not all press Enter in the same millisecond: a paced searcher starts after a pause too.
    if (options.thinkMs) await new Promise((r) => setTimeout(r, options.thinkMs![1] * random()));
    while (performance.now() < deadline) {
      const { nextPage, ...params } = randomQuery(words, random);
      let t = performance.now();
      const first = await catalog.search(params);
      if (!first.ok) throw new Error(`bench search failed: ${JSON.stringify(first.error)}`);
      latencies.push(performance.now() - t);
      if (nextPage && first.value.nextCursor) {
        t = performance.now();
        const second = await catalog.search({ ...params, cursor: first.value.nextCursor });
        if (!second.ok) throw new Error(`bench page 2 failed: ${JSON.stringify(second.error)}`);
        latencies.push(performance.now() - t);
      }
      if (options.thinkMs) {
        const [min, max] = options.thinkMs;
        await new Promise((r) => setTimeout(r, min + (max - min) * random()));
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.searchers }, (_, s) => searcher(s)));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!;
  return {
    searchers: options.searchers,
    queries: latencies.length,
    seconds,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
  };
}
