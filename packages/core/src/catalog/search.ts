import { z } from 'zod';
import { err, ok, type Result } from '../shared/result.ts';
import { CATEGORIES } from './manifest-schema.ts';

export const SEARCH_SORTS = ['relevance', 'popular', 'rating', 'newest', 'price'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export const searchParamsSchema = z.strictObject({
  q: z.string().max(200).optional(),
  category: z.enum(CATEGORIES).optional(),
  /** The most a run may cost: the agent's maximum per run. */
  maxPrice: z.coerce.number().int().min(0).optional(),
  /** On the Bayesian rating the catalog shows. */
  minRating: z.coerce.number().min(1).max(5).optional(),
  needsModel: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
  sort: z.enum(SEARCH_SORTS).default('relevance'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
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

/** A page position: the sort key of the last row and its id, opaque to clients. */
export type CursorKey = number | string | [number, number];
export type Cursor = { sort: SearchSort; key: CursorKey; id: string };

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id])).toString('base64url');
}

export function decodeCursor(text: string, sort: SearchSort): Result<Cursor, { type: 'invalid_cursor' }> {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      value[0] === sort &&
      (typeof value[1] === 'number' ||
        typeof value[1] === 'string' ||
        (Array.isArray(value[1]) && value[1].length === 2 && value[1].every((n) => typeof n === 'number'))) &&
      typeof value[2] === 'string'
    ) {
      return ok({ sort, key: value[1] as CursorKey, id: value[2] });
    }
  } catch {
    // falls through: any undecodable cursor is the same client error
  }
  return err({ type: 'invalid_cursor' });
}
