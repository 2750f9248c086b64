import { API_CLIENTS, measureApi } from '../api-throughput.ts';
import { describeMachine } from '../machine.ts';
import { replaceSection } from '../report.ts';
import { startPlatform } from '../runs-engine.ts';
import { engines, partial, seconds } from '../settings.ts';

/** `BENCH_ONLY=api`: requests per second on the public API, per engine. */
export async function apiBench(): Promise<void> {
  const rows: string[] = [];
  for (const engine of engines) {
    const platform = await startPlatform(engine);
    try {
      for (const r of await measureApi(platform, seconds)) {
        rows.push(
          `| ${r.name} | ${engine === 'pglite' ? 'embedded (1 process)' : `Postgres (${platform.topology})`} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms} ms | ${r.p99Ms} ms | ${r.non2xx + r.errors} |`,
        );
      }
    } finally {
      await platform.close();
    }
  }
  if (partial) {
    console.log('(a partial run: BENCHMARKS.md left as it was)');
    return;
  }
  const section = [
    '## Public API: requests per second under 64 clients',
    '',
    `- Machine: ${describeMachine()}`,
    `- Command: \`BENCH_ONLY=api npm run bench\` (${seconds} s per row after a 1 s warm-up; autocannon, ${API_CLIENTS} keep-alive connections, one request in flight each)`,
    '- Search and quote are anonymous; each submission client is its own buyer with its own API key, and every',
    '  submitted run also executes (the no-op agent) and settles in the same processes while the load runs.',
    '',
    '| request | platform | req/s | p50 | p99 | non-2xx or errors |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  replaceSection('BENCHMARKS.md', '## Public API: requests per second under 64 clients', section);
}
