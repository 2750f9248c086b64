import autocannon from 'autocannon';
import type { Platform } from './runs-engine.ts';

export interface ApiResult {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export const API_CLIENTS = 64;

/**
 * The public API under 64 concurrent clients (autocannon, keep-alive connections, one request in flight
 * each): an agent search, a quote, and a run submission (the no-op agent: each submission also holds,
 * queues, runs and settles, in the same processes). Any answer but 2xx is counted, and reported.
 */
export async function measureApi(platform: Platform, seconds: number): Promise<ApiResult[]> {
  const auth = (i: number) => ({ authorization: `Bearer ${platform.keys[i % platform.keys.length]}` });
  const cases: { name: string; options: autocannon.Options }[] = [
    {
      name: 'agent search (`GET /v1/agents?q=noop`)',
      options: { url: `${platform.url}/v1/agents?q=noop&limit=20` },
    },
    {
      name: 'quote (`GET /v1/agents/noop/quote`)',
      options: { url: `${platform.url}/v1/agents/noop/quote` },
    },
    {
      name: 'run submission (`POST /v1/runs`, no-op agent)',
      options: {
        url: `${platform.url}/v1/runs`,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth(0) },
        body: JSON.stringify({ agent: 'noop', input: { text: 'x' } }),
        // Every client its own buyer: the per-buyer concurrency limit is not what this measures.
        setupClient: (client) =>
          client.setHeaders({ 'content-type': 'application/json', ...auth(clientNo++) }),
      },
    },
  ];
  let clientNo = 0;
  const results: ApiResult[] = [];
  for (const c of cases) {
    // A short warm-up: JIT, connection pools, caches.
    await run({ ...c.options, duration: 1 });
    const r = await run({ ...c.options, duration: seconds });
    results.push({
      name: c.name,
      requestsPerSecond: r.requests.average,
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
    });
    console.log(
      `${c.name}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}`,
    );
  }
  return results;
}

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ connections: API_CLIENTS, pipelining: 1, ...options });
}
