import type { AgentPage as Agent } from '@jeton/sdk';
import { credits, percent, when } from '../../ui/format.ts';
import { StatItem } from '../../ui/stat-item.tsx';
import { Rating, TestBadge } from '../storefront.tsx';

/** A duration in the unit that reads best: ms, s or min. */
function duration(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000
    ? `${Math.round(ms)} ms`
    : ms < 120_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms / 60_000)} min`;
}

/** "Track record": runs, success rate, typical duration and cost, rating, last test. */
export function Stats({ agent }: { agent: Agent }) {
  const s = agent.stats;
  return (
    <section aria-labelledby="stats-title">
      <h2 id="stats-title">Track record</h2>
      <dl className="stats">
        <StatItem term="Runs">{s.runs.toLocaleString('en-US')}</StatItem>
        <StatItem term="Success rate">{percent(s.successRate)}</StatItem>
        <StatItem term="Typical duration">{duration(s.medianDurationMs)}</StatItem>
        <StatItem term="Typical cost">
          {s.medianCredits === null ? '—' : credits(Math.round(s.medianCredits))}
        </StatItem>
        <StatItem term="Rating">
          <Rating rating={s.rating} reviews={s.reviews} />
        </StatItem>
        <StatItem term="Last test">
          <TestBadge lastTest={s.lastTest} />{' '}
          {s.lastTest?.at ? <span className="muted">{when(s.lastTest.at)}</span> : null}
        </StatItem>
      </dl>
    </section>
  );
}
