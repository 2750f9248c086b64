import { describe, expect, it } from 'vitest';
import { buildTsQuery, decodeCursor, encodeCursor, queryTokens, searchParamsSchema } from './search.ts';

describe('search queries', () => {
  it('keeps letters and digits only, so no input becomes tsquery syntax', () => {
    expect(queryTokens("3D Charcter & | ! ' :* (logo)")).toEqual(['3d', 'charcter', 'logo']);
    expect(queryTokens("'); drop table catalog_agents; --")).toEqual(['drop', 'table', 'catalog', 'agents']);
    expect(queryTokens('   ')).toEqual([]);
  });

  it('widens words to their corrections and the last word to its prefix', () => {
    const corrections = new Map([['charcter', ['character']]]);
    expect(buildTsQuery(['3d', 'charcter'], corrections, 'all')).toBe('(3d) & (charcter | character)');
    expect(buildTsQuery(['logo', 'svg'], new Map(), 'any')).toBe('(logo) | (svg | svg:*)');
    expect(buildTsQuery(['svg', 'logo'], new Map(), 'any', new Set(['logo']))).toBe('(svg) | (logo)');
    expect(buildTsQuery(['svg', 'log'], new Map(), 'any', new Set(['log']))).toBe('(svg) | (log | log:*)');
  });

  it('round-trips cursors and refuses one made for another sort or tampered with', () => {
    const c = encodeCursor({ sort: 'price', key: 20, id: 'agt_x' });
    expect(decodeCursor(c, 'price')).toEqual({ ok: true, value: { sort: 'price', key: 20, id: 'agt_x' } });
    expect(decodeCursor(c, 'rating')).toEqual({ ok: false, error: { type: 'invalid_cursor' } });
    expect(decodeCursor('not-a-cursor', 'price')).toEqual({ ok: false, error: { type: 'invalid_cursor' } });
  });

  it('validates the parameters a client sends', () => {
    expect(searchParamsSchema.parse({ maxPrice: '50', needsModel: 'false' })).toMatchObject({
      maxPrice: 50,
      needsModel: false,
      sort: 'relevance',
      limit: 20,
    });
    expect(searchParamsSchema.safeParse({ limit: 1000 }).success).toBe(false);
    expect(searchParamsSchema.safeParse({ sort: 'random' }).success).toBe(false);
  });
});
