/**
 * The catalog's ranking, in one place. Nothing else orders agents by quality; the same formula is
 * written out in the catalog README, so that creators can see what moves them up.
 *
 *   rating      = (PRIOR_WEIGHT × PRIOR_RATING + Σ ratings) / (PRIOR_WEIGHT + reviews)     Bayesian
 *   success     = (succeeded + 1) / (runs + 2)                                             Laplace
 *   popularity  = 1 + ln(1 + runs)
 *   recency     = RECENCY_FLOOR + (1 − RECENCY_FLOOR) × 2^(−days since last publish / HALF_LIFE_DAYS)
 *   maintained  = 1, or MAINTENANCE_PENALTY when the last test run failed
 *   score       = rating / 5 × success × popularity × recency × maintained
 *
 * The Bayesian average pulls an agent with few reviews towards the prior, so one 5-star review does
 * not outrank a hundred 4.8s; the Laplace estimate does the same for the success rate of new agents.
 * A text search orders by relevance tier first (every word in the name, then in name or summary, then
 * with the tags, then anywhere), then by this score.
 */
export const RANKING = {
  PRIOR_RATING: 3.5,
  PRIOR_WEIGHT: 5,
  HALF_LIFE_DAYS: 90,
  RECENCY_FLOOR: 0.5,
  MAINTENANCE_PENALTY: 0.5,
} as const;

export interface RankingInputs {
  runs: number;
  succeeded: number;
  ratingSum: number;
  ratingCount: number;
  lastPublishedAt: Date | null;
  lastTestFailed: boolean;
}

/** The Bayesian average rating (1–5), what the catalog shows and filters on. */
export function bayesianRating(ratingSum: number, ratingCount: number): number {
  return (RANKING.PRIOR_WEIGHT * RANKING.PRIOR_RATING + ratingSum) / (RANKING.PRIOR_WEIGHT + ratingCount);
}

export function rankScore(s: RankingInputs, now: Date): number {
  const rating = bayesianRating(s.ratingSum, s.ratingCount) / 5;
  const success = (s.succeeded + 1) / (s.runs + 2);
  const popularity = 1 + Math.log1p(s.runs);
  const days = s.lastPublishedAt
    ? Math.max(0, (now.getTime() - s.lastPublishedAt.getTime()) / 86_400_000)
    : 0;
  const recency = RANKING.RECENCY_FLOOR + (1 - RANKING.RECENCY_FLOOR) * 2 ** (-days / RANKING.HALF_LIFE_DAYS);
  const maintained = s.lastTestFailed ? RANKING.MAINTENANCE_PENALTY : 1;
  return rating * success * popularity * recency * maintained;
}
