import { createHash } from 'node:crypto';
import { z } from 'zod';
import { err, ok, type Result } from '../shared/result.ts';
import { arrayToPath, type Issue } from './input-validator.ts';
import { CATEGORIES } from './manifest-schema.ts';
import type { StoreSearch } from './port.ts';

export const SEARCH_SORTS = ['relevance', 'popular', 'rating', 'newest', 'price'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export const searchParamsSchema = z.strictObject({
  q: z.string().max(200).optional(),
  category: z.enum(CATEGORIES).optional(),
  /** The most a run may cost: the agent's maximum per run. */
  maxPrice: z.coerce.number().int().min(0).max(1_000_000).optional(),
  /** On the Bayesian rating the catalog shows. */
  minRating: z.coerce.number().min(1).max(5).optional(),
  needsModel: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
  sort: z.enum(SEARCH_SORTS).default('relevance'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(300).optional(),
});
export type SearchParams = z.output<typeof searchParamsSchema>;

const MAX_TOKENS = 8;

/**
 * The words of a query, lowercased, letters and digits only: what reaches the text search can never
 * be tsquery syntax, whatever a user types.
 */
export function queryTokens(q: string | undefined): string[] {
  if (!q) return [];
  const tokens =
    q
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(tokens)].slice(0, MAX_TOKENS);
}

/**
 * A tsquery from the query's words, each widened to its typo corrections (`charcter` → `charcter |
 * character`) and, for the last word when it is not a complete known word, to its prefix, so results
 * appear while the user types (`transl` → `transl:*`). A known word of four letters or more is taken
 * as typed: widening `logo` to every word that starts with it costs time and rarely helps, while `log`
 * is still likely to be the start of something longer. A word with corrections is not widened either:
 * the corrections are what the user is most likely typing.
 * `mode` `all` asks for every word; `any` for at least one. `prefix: false` takes every word whole.
 */
export function buildTsQuery(
  tokens: readonly string[],
  corrections: ReadonlyMap<string, readonly string[]>,
  mode: 'all' | 'any',
  known: ReadonlySet<string> = new Set(),
  options: { prefix?: boolean } = {},
): string {
  const terms = tokens.map((token, i) => {
    const alternatives = [token, ...(corrections.get(token) ?? [])];
    const complete = (known.has(token) && token.length >= 4) || alternatives.length > 1;
    if (options.prefix !== false && i === tokens.length - 1 && token.length >= 3 && !complete) {
      alternatives.push(`${token}:*`);
    }
    return `(${[...new Set(alternatives)].join(' | ')})`;
  });
  return terms.join(mode === 'all' ? ' & ' : ' | ');
}

/**
 * A page position: the sort key of the last row and its id, opaque to clients, tied to its sort and
 * to the query's words (`scope`), so that a cursor from another search is refused rather than
 * silently restarting or skipping.
 */
export type CursorKey = number | string | [number, number];
export type Cursor = { sort: SearchSort; scope: string; key: CursorKey; id: string };

/** The words a cursor belongs to, as a short hash ('' without words). */
export function cursorScope(tokens: readonly string[]): string {
  return tokens.length === 0
    ? ''
    : createHash('sha256').update(tokens.join(' ')).digest('base64url').slice(0, 10);
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.scope, cursor.key, cursor.id])).toString(
    'base64url',
  );
}

const INT = (v: unknown): v is number => Number.isSafeInteger(v) && Math.abs(v as number) <= 2_147_483_647;
const FLOAT = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Whether `key` is what a page of this sort ends on. */
function validKey(sort: SearchSort, scoped: boolean, key: unknown): key is CursorKey {
  switch (sort) {
    case 'relevance':
      return scoped
        ? Array.isArray(key) && key.length === 2 && INT(key[0]) && key[0] >= 1 && key[0] <= 4 && FLOAT(key[1])
        : FLOAT(key);
    case 'popular':
    case 'price':
      return INT(key);
    case 'rating':
      return FLOAT(key);
    case 'newest':
      // Only a date that round-trips: V8 reads `2023-02-29` as March 1st, which Postgres refuses.
      return (
        typeof key === 'string' &&
        /^(19|2\d)\d{2}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(key) &&
        new Date(key).toISOString() === key
      );
  }
}

export function decodeCursor(
  text: string,
  sort: SearchSort,
  scope: string,
): Result<Cursor, { type: 'invalid_cursor' }> {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 4 &&
      value[0] === sort &&
      value[1] === scope &&
      validKey(sort, scope !== '', value[2]) &&
      typeof value[3] === 'string' &&
      /^[A-Za-z0-9_]{1,64}$/.test(value[3])
    ) {
      return ok({ sort, scope, key: value[2], id: value[3] });
    }
  } catch {
    // falls through: any undecodable cursor is the same client error
  }
  return err({ type: 'invalid_cursor' });
}

/** A client's search, checked: what to ask the store (one row more than the page, to know if another follows). */
export interface SearchRequest {
  store: StoreSearch;
  limit: number;
  scope: string;
}

/** Reads a client's search parameters and cursor; every problem with the parameters at once. */
export function readSearch(
  params: unknown,
): Result<SearchRequest, { type: 'invalid_search'; issues: Issue[] } | { type: 'invalid_cursor' }> {
  const parsed = searchParamsSchema.safeParse(params);
  if (!parsed.success) {
    return err({
      type: 'invalid_search',
      issues: parsed.error.issues.map((i) => ({ path: arrayToPath(i.path), message: i.message })),
    });
  }
  const p = parsed.data;
  const tokens = queryTokens(p.q);
  const scope = cursorScope(tokens);
  let after: StoreSearch['after'];
  if (p.cursor) {
    const c = decodeCursor(p.cursor, p.sort, scope);
    if (!c.ok) return err(c.error);
    after = { key: c.value.key, id: c.value.id };
  }
  const { category, maxPrice, minRating, needsModel, sort, limit } = p;
  return ok({
    store: { tokens, category, maxPrice, minRating, needsModel, sort, limit: limit + 1, after },
    limit,
    scope,
  });
}

/** The cursor after `last`, when the store found more than a page. */
export function nextCursor(
  request: SearchRequest,
  found: number,
  last: { sortKey: CursorKey; id: string } | undefined,
) {
  if (found <= request.limit || !last) return null;
  return encodeCursor({ sort: request.store.sort, scope: request.scope, key: last.sortKey, id: last.id });
}
