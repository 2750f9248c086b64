import { describe, expect, it } from 'vitest';
import { bayesianRating, RANKING, rankScore } from './ranking.ts';

const now = new Date('2026-06-01T00:00:00Z');
const base = {
  runs: 0,
  succeeded: 0,
  ratingSum: 0,
  ratingCount: 0,
  lastPublishedAt: now,
  lastTestFailed: false,
};

describe('ranking', () => {
  it('pulls few reviews towards the prior', () => {
    expect(bayesianRating(0, 0)).toBe(RANKING.PRIOR_RATING);
    expect(bayesianRating(5, 1)).toBeCloseTo((5 * 3.5 + 5) / 6, 10);
    // One 5-star review ranks below a hundred 4.8s.
    expect(bayesianRating(5, 1)).toBeLessThan(bayesianRating(480, 100));
  });

  it('computes the documented formula', () => {
    const s = { ...base, runs: 100, succeeded: 90, ratingSum: 40, ratingCount: 10 };
    const expected = ((5 * 3.5 + 40) / 15 / 5) * (91 / 102) * (1 + Math.log(101)) * 1 * 1;
    expect(rankScore(s, now)).toBeCloseTo(expected, 12);
  });

  it('halves the recency bonus every 90 days and halves the score when tests fail', () => {
    const fresh = rankScore(base, now);
    const old = rankScore({ ...base, lastPublishedAt: new Date(now.getTime() - 90 * 86_400_000) }, now);
    expect(old / fresh).toBeCloseTo(0.75, 10);
    expect(rankScore({ ...base, lastTestFailed: true }, now) / fresh).toBeCloseTo(0.5, 10);
  });

  it('prefers more successful runs, then better reviews', () => {
    const popular = rankScore({ ...base, runs: 1000, succeeded: 950 }, now);
    const unproven = rankScore({ ...base, runs: 3, succeeded: 3 }, now);
    const failing = rankScore({ ...base, runs: 1000, succeeded: 300 }, now);
    expect(popular).toBeGreaterThan(unproven);
    expect(popular).toBeGreaterThan(failing);
  });
});
