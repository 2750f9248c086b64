import { useCallback, useEffect, useState } from 'react';

/**
 * Data loaded once on mount and again on `reload()`. `load` must be stable (defined outside the
 * component). The error is shared with the caller's own actions: `setError` sets or clears it.
 */
export function useLoaded<T>(load: () => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    try {
      setData(await load());
    } catch (e) {
      setError(e);
    }
  }, [load]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, setError, reload };
}
