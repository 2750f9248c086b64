import { useCallback, useState } from 'react';

/** A page of a cursor-paged list, as the API answers. */
export interface CursorPage<T> {
  data: T[];
  nextCursor?: string | null;
}

/**
 * A list read a page at a time: `reset` shows a first page (or nothing, while it loads), `loadMore`
 * appends the next one. A failure to load more goes to `onError`.
 */
export function usePagedList<T>(
  fetchMore: (cursor: string) => Promise<CursorPage<T>>,
  onError: (error: unknown) => void,
) {
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  const reset = useCallback((page: CursorPage<T> | null) => {
    setItems(page ? page.data : null);
    setCursor(page?.nextCursor ?? null);
  }, []);

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await fetchMore(cursor);
      setItems((prev) => [...(prev ?? []), ...page.data]);
      setCursor(page.nextCursor ?? null);
    } catch (e) {
      onError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  return { items, reset, hasMore: Boolean(cursor), loadingMore, loadMore };
}

/** "Load more", under a paged list that has more. */
export function LoadMoreButton({
  list,
}: {
  list: { hasMore: boolean; loadingMore: boolean; loadMore: () => Promise<void> };
}) {
  if (!list.hasMore) return null;
  return (
    <p>
      <button type="button" className="secondary" onClick={list.loadMore} disabled={list.loadingMore}>
        {list.loadingMore ? 'Loading…' : 'Load more'}
      </button>
    </p>
  );
}
