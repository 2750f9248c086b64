import { type Actor, Catalog, type ManifestInput, ManualClock, noTestRunner } from '@jeton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentManifest, createTestDatabase, type TestDatabase, testEngines } from '../testing/index.ts';
import { DrizzleCatalogStore } from './store.ts';

const creator: Actor = { id: 'usr_maker', role: 'user' };
const buyer = 'usr_buyer';

describe.each(testEngines())('catalog search on %s', (engine) => {
  let testDb: TestDatabase;
  let clock: ManualClock;
  let catalog: Catalog;

  async function publish(slug: string, overrides: Partial<ManifestInput>) {
    const d = await catalog.saveDraft(creator, agentManifest(slug, overrides));
    if (!d.ok) throw new Error(JSON.stringify(d.error));
    const p = await catalog.publish(creator, slug, d.value.version.version);
    if (!p.ok) throw new Error(JSON.stringify(p.error));
    return d.value.version;
  }

  async function runs(slug: string, total: number, succeeded: number, ratings: number[] = []) {
    const r = await catalog.resolve({ id: buyer, role: 'user' }, slug);
    if (!r.ok) throw new Error('resolve');
    for (let i = 0; i < total; i++) {
      await catalog.recordRunOutcome({
        runId: `run_${slug}_${i}`,
        agentId: r.value.agentId,
        versionId: r.value.versionId,
        buyerId: buyer,
        status: i < succeeded ? 'succeeded' : 'failed',
        durationMs: 100,
        creditsPaid: i < succeeded ? 10 : 0,
        finishedAt: clock.now(),
      });
    }
    for (const [i, rating] of ratings.entries()) {
      const review = await catalog.review({ id: buyer, role: 'user' }, `run_${slug}_${i}`, rating, 'review');
      if (!review.ok) throw new Error(JSON.stringify(review.error));
    }
  }

  const slugs = async (params: Record<string, unknown>) => {
    const r = await catalog.search(params);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.value.items.map((a) => a.slug);
  };

  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
    clock = new ManualClock(Date.UTC(2026, 5, 1));
    catalog = new Catalog(new DrizzleCatalogStore(testDb.handle), {
      clock,
      tests: noTestRunner,
      platformCreators: [creator.id],
    });
    await catalog.registerCreator({ id: creator.id, handle: 'maker', displayName: 'Maker' });

    // Where the word "palette" appears decides the order: name, summary, tags, description.
    await publish('in-description', {
      name: 'Colour helper',
      summary: 'Helps with colours for a website.',
      description: 'Builds a palette from a photo.',
      category: 'design',
      pricing: { model: 'per_run', credits: 5 },
    });
    await publish('in-tags', {
      name: 'Swatch maker',
      summary: 'Makes swatches for print work.',
      tags: ['palette'],
      category: 'design',
      pricing: { model: 'per_run', credits: 15 },
    });
    await publish('in-summary', {
      name: 'Brand helper',
      summary: 'A palette and a logo for a new brand.',
      category: 'design',
      pricing: { model: 'per_run', credits: 25 },
    });
    await publish('in-name', {
      name: 'Palette generator',
      summary: 'Harmonious colours with contrast checks.',
      category: 'design',
      pricing: { model: 'per_run', credits: 35 },
      runtime: { kind: 'prompt', model: 'default', system: 'You pick colours.', template: '{{text}}' },
    });
    await publish('character', {
      name: '3D character',
      summary: 'A low-poly character as a glTF file.',
      category: '3d',
      pricing: { model: 'per_event', events: [{ name: 'model', credits: 8 }], maxCreditsPerRun: 40 },
    });

    // The ranking data set: same age, different records (see ranking.ts for the formula).
    for (const s of ['rank-a', 'rank-b', 'rank-c', 'rank-d']) {
      await publish(s, {
        name: `Research ${s}`,
        category: 'research',
        summary: 'A research agent for ranking.',
      });
    }
    await runs('rank-a', 100, 95, [5, 5, 5, 5, 5, 4, 4, 4, 4, 4]);
    await runs('rank-b', 100, 50);
    await runs('rank-c', 3, 3, [5]);

    // Many similar agents for paging, with ties on price.
    for (let i = 0; i < 23; i++) {
      clock.advance(60_000);
      await publish(`bulk-${i}`, {
        name: `Bulk translator ${i}`,
        summary: 'Translates documents between languages.',
        category: 'writing',
        pricing: { model: 'per_run', credits: 10 + (i % 4) },
      });
    }
  });
  afterAll(() => testDb.drop());

  it('ranks a match in the name above summary, tags and description, in that order', async () => {
    expect(await slugs({ q: 'palette' })).toEqual(['in-name', 'in-summary', 'in-tags', 'in-description']);
  });

  it('tolerates typos, and finds words while they are typed', async () => {
    expect(await slugs({ q: 'palete' })).toContain('in-name');
    expect(await slugs({ q: 'charcter' })).toEqual(['character']);
    expect(await slugs({ q: '3d charcter lowpoly' })).toEqual(['character']);
    expect(await slugs({ q: 'transl' })).toHaveLength(20);
  });

  it('survives whatever a user types', async () => {
    for (const q of [
      "'); drop table catalog_agents; --",
      '&|!:*()<->',
      '\u0000\u202e',
      'a'.repeat(200),
      '🙂',
    ]) {
      expect((await catalog.search({ q })).ok).toBe(true);
    }
    expect(await slugs({ q: 'palette' })).toHaveLength(4);
  });

  it('filters by category, maximum price, minimum rating and whether a model is needed', async () => {
    expect(await slugs({ q: 'palette', maxPrice: 25 })).toEqual(['in-summary', 'in-tags', 'in-description']);
    expect(await slugs({ q: 'palette', needsModel: true })).toEqual(['in-name']);
    expect(await slugs({ q: 'palette', needsModel: 'false', maxPrice: '15' })).toEqual([
      'in-tags',
      'in-description',
    ]);
    expect(await slugs({ category: '3d' })).toEqual(['character']);
    expect(await slugs({ category: 'research', minRating: 3.7 })).toEqual(['rank-a', 'rank-c']);
  });

  it('orders by the published ranking formula, and by each documented sort', async () => {
    expect(await slugs({ category: 'research' })).toEqual(['rank-a', 'rank-b', 'rank-c', 'rank-d']);
    expect(await slugs({ category: 'research', sort: 'rating' })).toEqual([
      'rank-a',
      'rank-c',
      ...(await tieOrder('rank-b', 'rank-d')),
    ]);
    expect((await slugs({ category: 'research', sort: 'popular' })).slice(2)).toEqual(['rank-c', 'rank-d']);
    expect(await slugs({ category: 'design', sort: 'price' })).toEqual([
      'in-description',
      'in-tags',
      'in-summary',
      'in-name',
    ]);
    expect(await slugs({ category: 'writing', sort: 'newest', limit: 3 })).toEqual([
      'bulk-22',
      'bulk-21',
      'bulk-20',
    ]);
  });

  it('pages through every result once, in order, for each sort', async () => {
    for (const sort of ['relevance', 'popular', 'rating', 'newest', 'price']) {
      const all = await slugs({ sort, limit: 100 });
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const r = await catalog.search({ sort, limit: 4, cursor });
        if (!r.ok) throw new Error(JSON.stringify(r.error));
        paged.push(...r.value.items.map((a) => a.slug));
        cursor = r.value.nextCursor ?? undefined;
      } while (cursor);
      expect(paged, sort).toEqual(all);
      expect(all.length, sort).toBe(32);
    }
    const withQuery = await catalog.search({ q: 'translates', limit: 5 });
    if (!withQuery.ok) throw new Error('search');
    const next = await catalog.search({ q: 'translates', limit: 100, cursor: withQuery.value.nextCursor });
    expect(next.ok && [...withQuery.value.items, ...next.value.items].map((a) => a.slug).sort()).toEqual(
      Array.from({ length: 23 }, (_, i) => `bulk-${i}`).sort(),
    );
  });

  it('pages across relevance tiers in order, one agent per page', async () => {
    const all = await slugs({ q: 'palette' });
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await catalog.search({ q: 'palette', limit: 1, cursor });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      paged.push(...r.value.items.map((a) => a.slug));
      cursor = r.value.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(all);
    expect(paged).toEqual(['in-name', 'in-summary', 'in-tags', 'in-description']);
  });

  it('refuses bad parameters and foreign cursors with a clear error', async () => {
    expect(await catalog.search({ sort: 'random' })).toMatchObject({
      ok: false,
      error: { type: 'invalid_search', issues: [{ path: '$.sort' }] },
    });
    expect(await catalog.search({ limit: 0, minRating: 9 })).toMatchObject({
      ok: false,
      error: { type: 'invalid_search' },
    });
    const page = await catalog.search({ sort: 'price', limit: 2 });
    const cursor = page.ok ? page.value.nextCursor : null;
    expect(await catalog.search({ sort: 'rating', cursor })).toEqual({
      ok: false,
      error: { type: 'invalid_cursor' },
    });
    expect(await catalog.search({ cursor: 'garbage' })).toEqual({
      ok: false,
      error: { type: 'invalid_cursor' },
    });
  });

  async function tieOrder(a: string, b: string): Promise<string[]> {
    const ids = await Promise.all(
      [a, b].map(
        async (s) => ((await catalog.get(null, s)) as { value: { agent: { id: string } } }).value.agent.id,
      ),
    );
    return ids[0]! < ids[1]! ? [a, b] : [b, a];
  }
});
