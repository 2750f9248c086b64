import type { Engine } from '@jeton/db';

/**
 * The settings every benchmark section reads from the environment. Each figure is the median of
 * BENCH_REPEATS measurements (default 3) of BENCH_SECONDS each (default 4): on a shared 2-core
 * machine one measurement varies by ±15%. Postgres runs when DATABASE_URL is set.
 */
export const seconds = Number(process.env.BENCH_SECONDS ?? 4);
export const repeats = Number(process.env.BENCH_REPEATS ?? 3);
export const engines = (process.env.BENCH_ENGINES?.split(',') ?? ['pglite', 'postgres']).filter(
  (e): e is Engine =>
    (e === 'pglite' || e === 'postgres') && (e === 'pglite' || Boolean(process.env.DATABASE_URL)),
);
// 256 shows where group commit levels off once batches are large. BENCH_CALLERS=64 measures one row.
export const callerCounts = process.env.BENCH_CALLERS?.split(',').map(Number) ?? [1, 16, 64, 256];
/** Only a full run rewrites BENCHMARKS.md. */
export const partial = Boolean(
  process.env.BENCH_ENGINES || process.env.BENCH_CALLERS || process.env.BENCH_AGENTS,
);
