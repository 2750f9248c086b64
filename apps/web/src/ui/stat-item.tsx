import type { ReactNode } from 'react';

/** A figure in a `<dl>` of stats: its term over its value, grouped for styling. */
export function StatItem({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
