import { useEffect, useState } from 'react';

/** The manifest's categories, from the platform's own JSON Schema (null until it has loaded). */
export function useCategories(): string[] | null {
  const [categories, setCategories] = useState<string[] | null>(null);
  useEffect(() => {
    let live = true;
    fetch('/schemas/agent-manifest.json')
      .then((r) => r.json())
      .then((s: { properties?: { category?: { enum?: string[] } } }) => {
        if (live) setCategories(s.properties?.category?.enum ?? []);
      })
      .catch(() => live && setCategories([]));
    return () => {
      live = false;
    };
  }, []);
  return categories;
}
