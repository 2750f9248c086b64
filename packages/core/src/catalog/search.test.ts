import { describe, expect, it } from 'vitest';
import {
  buildTsQuery,
  cursorScope,
  decodeCursor,
  encodeCursor,
  queryTokens,
  searchParamsSchema,
} from './search.ts';

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

  it('round-trips cursors and refuses one made for another sort, other words, or tampered with', () => {
    const scope = cursorScope(['logo']);
    const c = encodeCursor({ sort: 'price', scope, key: 20, id: 'agt_x' });
    expect(decodeCursor(c, 'price', scope)).toEqual({
      ok: true,
      value: { sort: 'price', scope, key: 20, id: 'agt_x' },
    });
    expect(decodeCursor(c, 'rating', scope)).toEqual({ ok: false, error: { type: 'invalid_cursor' } });
    expect(decodeCursor(c, 'price', cursorScope(['svg']))).toEqual({
      ok: false,
      error: { type: 'invalid_cursor' },
    });
    expect(decodeCursor('not-a-cursor', 'price', '')).toEqual({
      ok: false,
      error: { type: 'invalid_cursor' },
    });
  });

  it.each([
    ['popular', '', 3.5],
    ['popular', '', 1e21],
    ['price', '', '5'],
    ['newest', '', 5],
    ['newest', '', 'yesterday'],
    ['newest', '', '2023-02-29T00:00:00.000Z'],
    ['newest', '', '0000-01-01T00:00:00.000Z'],
    ['rating', '', Number.NaN],
    ['relevance', 'abc', 0.5],
    ['relevance', 'abc', [9, 0.5]],
    ['relevance', '', [1, 0.5]],
  ] as const)('refuses a %s cursor (scope %j) whose key is %j', (sort, scope, key) => {
    const forged = Buffer.from(JSON.stringify([sort, scope, key, 'agt_x'])).toString('base64url');
    expect(decodeCursor(forged, sort, scope)).toEqual({ ok: false, error: { type: 'invalid_cursor' } });
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
