import { seededRandom } from '@jeton/core';
import { MIN_VALUES_FOR_OUTLIERS, OUTLIER_IQR_FACTOR, OUTLIER_Z, RESERVOIR_SIZE } from './limits.ts';

/**
 * A numeric column's statistics in one streaming pass: count, min, max, mean and variance by Welford's
 * method (exact, numerically stable), and a uniform reservoir sample (Algorithm R) for quartiles. Up to
 * RESERVOIR_SIZE values the sample is the whole column, so quartiles are exact; beyond, estimates.
 */

export interface NumericSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  std: number;
  q1: number;
  median: number;
  q3: number;
  /** False when the quartiles come from a sample of the column. */
  quartilesExact: boolean;
}

export type OutlierRule =
  | { kind: 'iqr'; factor: number; lower: number; upper: number }
  | { kind: 'z'; threshold: number; mean: number; std: number; lower: number; upper: number };

/** Linear interpolation between order statistics (numpy's default, R's type 7). */
function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export class NumericStats {
  count = 0;
  private mean = 0;
  private m2 = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private readonly sample = new Float64Array(RESERVOIR_SIZE);
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  add(x: number): void {
    this.count++;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (this.count <= RESERVOIR_SIZE) {
      this.sample[this.count - 1] = x;
    } else {
      const j = Math.floor(this.random() * this.count);
      if (j < RESERVOIR_SIZE) this.sample[j] = x;
    }
  }

  summary(): NumericSummary {
    const sorted = this.sample.slice(0, Math.min(this.count, RESERVOIR_SIZE)).sort();
    return {
      count: this.count,
      min: this.min,
      max: this.max,
      mean: this.mean,
      std: this.count > 1 ? Math.sqrt(this.m2 / (this.count - 1)) : 0,
      q1: quantile(sorted, 0.25),
      median: quantile(sorted, 0.5),
      q3: quantile(sorted, 0.75),
      quartilesExact: this.count <= RESERVOIR_SIZE,
    };
  }
}

/**
 * The fences a value must fall within, decided once pass 1 is over: Tukey's far-out fences from the
 * quartiles; when the IQR is 0 (most values equal), |z| > 3 from the exact mean and std; none when
 * there are too few values or no spread at all.
 */
export function outlierRule(s: NumericSummary): OutlierRule | null {
  if (s.count < MIN_VALUES_FOR_OUTLIERS) return null;
  const iqr = s.q3 - s.q1;
  if (iqr > 0) {
    const k = OUTLIER_IQR_FACTOR;
    return { kind: 'iqr', factor: k, lower: s.q1 - k * iqr, upper: s.q3 + k * iqr };
  }
  if (s.std > 0) {
    const z = OUTLIER_Z;
    return {
      kind: 'z',
      threshold: z,
      mean: s.mean,
      std: s.std,
      lower: s.mean - z * s.std,
      upper: s.mean + z * s.std,
    };
  }
  return null;
}
