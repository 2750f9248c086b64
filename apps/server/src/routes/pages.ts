import { problem } from '../problem.ts';

/**
 * What every cursor-paged list of the API shares (`GET` with `pageQuery`, answering `pageOf(...)`),
 * so that they read their query, refuse a cursor and shape their page the same way.
 */

/** The store's page request from the query: no cursor is the first page. */
export const pageRequest = (query: { cursor?: string | undefined; limit: number }) => ({
  cursor: query.cursor ?? null,
  limit: query.limit,
});

/** A cursor this list never gave out (tampered with, or from another list). */
export const invalidCursor = () =>
  problem('invalid-cursor', 'The cursor is not valid', 400, {
    detail: 'Pass back a nextCursor you were given.',
  });

/** A page as the API answers it: the items in their JSON form and the cursor to the next page. */
export function pageJson<T, J>(
  page: { items: readonly T[]; nextCursor: string | null },
  toJson: (item: T) => J,
): { data: J[]; nextCursor: string | null } {
  return { data: page.items.map((item) => toJson(item)), nextCursor: page.nextCursor };
}
