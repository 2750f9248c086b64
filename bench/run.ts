import { agentsBench } from './sections/agents.ts';
import { apiBench } from './sections/api.ts';
import { catalogBench } from './sections/catalog.ts';
import { ledgerBench } from './sections/ledger.ts';
import { runsBench } from './sections/runs.ts';
import { webBench } from './sections/web.ts';

/**
 * `npm run bench`: measures, then rewrites its section of BENCHMARKS.md (each section's file under
 * `sections/` measures and writes one). Postgres runs when DATABASE_URL is set; the other settings
 * are in `settings.ts`.
 */

/** Which benchmarks run: BENCH_ONLY=catalog runs the catalog search alone (and rewrites its section). */
const only = new Set(
  process.env.BENCH_ONLY?.split(',') ?? ['ledger', 'catalog', 'runs', 'agents', 'api', 'web'],
);

async function main(): Promise<void> {
  if (only.has('ledger')) await ledgerBench();
  if (only.has('catalog')) await catalogBench();
  if (only.has('runs')) await runsBench();
  if (only.has('agents')) await agentsBench();
  if (only.has('api')) await apiBench();
  if (only.has('web')) await webBench();
}

await main();
