import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Engine } from '@jeton/db';
import type { Page } from 'playwright-core';
import { startWebApp } from '../apps/web/e2e/harness.ts';
import { measureAgents, measureSandboxOverhead, measureThreadOverhead } from './agent-runtime.ts';
import { API_CLIENTS, measureApi } from './api-throughput.ts';
import { loadCatalog, measureSearch, type SearchResult } from './catalog-search.ts';
import { type CycleResult, measureCycles, openBenchDatabase } from './ledger-cycles.ts';
import { describeMachine } from './machine.ts';
import {
  cpuPerRun,
  cpuSnapshot,
  measureCancel,
  measureRuns,
  type RunsResult,
  startEmbedded,
  startPostgres,
} from './runs-engine.ts';
import { measureStorefront, measureWeight } from './web-pages.ts';

/**
 * `npm run bench`: measures, then rewrites its section of BENCHMARKS.md. Postgres runs when
 * DATABASE_URL is set. Each figure is the median of BENCH_REPEATS measurements (default 3) of
 * BENCH_SECONDS each (default 4): on a shared 2-core machine one measurement varies by ±15%.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const engines = (process.env.BENCH_ENGINES?.split(',') ?? ['pglite', 'postgres']).filter(
  (e): e is Engine =>
    (e === 'pglite' || e === 'postgres') && (e === 'pglite' || Boolean(process.env.DATABASE_URL)),
);
// 256 shows where group commit levels off once batches are large. BENCH_CALLERS=64 measures one row.
const callerCounts = process.env.BENCH_CALLERS?.split(',').map(Number) ?? [1, 16, 64, 256];
/** Only a full run rewrites BENCHMARKS.md. */
const partial = Boolean(process.env.BENCH_ENGINES || process.env.BENCH_CALLERS || process.env.BENCH_AGENTS);
/** Which benchmarks run: BENCH_ONLY=catalog runs the catalog search alone (and rewrites its section). */
const only = new Set(
  process.env.BENCH_ONLY?.split(',') ?? ['ledger', 'catalog', 'runs', 'agents', 'api', 'web'],
);
const searchAgents = Number(process.env.BENCH_AGENTS ?? 100_000);
const searchers = 32;
/** A searcher's pause between queries when paced: the rhythm of someone typing into instant search. */
const THINK_MS: [number, number] = [100, 500];

async function main(): Promise<void> {
  if (only.has('ledger')) await ledgerBench();
  if (only.has('catalog')) await catalogBench();
  if (only.has('runs')) await runsBench();
  if (only.has('agents')) await agentsBench();
  if (only.has('api')) await apiBench();
  if (only.has('web')) await webBench();
}

async function webBench(): Promise<void> {
  const web = await startWebApp();
  const browser = web.browser;
  try {
    // A signed-in buyer with a finished 3D character run, for the pages behind sign-in.
    const signUp = await fetch(`${web.url}/v1/auth/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', password: 'a long enough password', name: 'Bench' }),
    });
    const session = signUp.headers.get('set-cookie')!.split(';')[0]!;
    const headers = { cookie: session, 'content-type': 'application/json' };
    const run = (await (
      await fetch(`${web.url}/v1/runs`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ agent: '3d-character', input: {} }),
      })
    ).json()) as { id: string };
    for (let i = 0; i < 600; i++) {
      const r = (await (await fetch(`${web.url}/v1/runs/${run.id}`, { headers })).json()) as {
        status: string;
      };
      if (r.status === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const heading = (page: Page) => page.getByRole('heading', { level: 1 }).first().waitFor();
    const weights = await measureWeight(
      browser,
      web.url,
      web.dist,
      [
        {
          name: 'storefront (`/`)',
          path: '/',
          ready: (p) => p.locator('a[href^="/agents/"]').first().waitFor(),
        },
        { name: 'agent page (`/agents/3d-character`)', path: '/agents/3d-character', ready: heading },
        {
          name: 'run page, 3D model (`/runs/:id`)',
          path: `/runs/${run.id}`,
          ready: (p) => p.locator('canvas').first().waitFor(),
        },
        { name: 'wallet (`/wallet`)', path: '/wallet', ready: heading },
        { name: 'creator studio (`/studio`)', path: '/studio', ready: heading },
      ],
      session,
    );
    const tti = await measureStorefront(browser, web.url, 15);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
    for (const w of weights)
      console.log(`${w.page}: JS ${kb(w.jsGzip)}, CSS ${kb(w.cssGzip)}, viewer ${w.loadsViewer}`);
    console.log(
      `storefront interactive: median ${tti.medianMs.toFixed(0)} ms, p90 ${tti.p90Ms.toFixed(0)} ms`,
    );
    if (partial) return;
    const section = [
      '## Web app: page weight and the storefront’s time to interactive',
      '',
      `- Machine: ${describeMachine()}`,
      '- Command: `BENCH_ONLY=web npm run bench` (a production build, served by the API process on the embedded',
      '  database; headless Debian Chromium on the same machine; every page on a cold cache)',
      '- Weight: every script and stylesheet the page fetches until the network is idle, gzipped (level 9).',
      '  Target: main-page JavaScript under 200 kB gzipped, the 3D viewer only on pages that show a model.',
      '',
      '| page | JavaScript (gzip) | CSS (gzip) | loads the 3D viewer |',
      '| --- | --- | --- | --- |',
      ...weights.map(
        (w) => `| ${w.page} | ${kb(w.jsGzip)} | ${kb(w.cssGzip)} | ${w.loadsViewer ? 'yes' : 'no'} |`,
      ),
      '',
      `Storefront, time to interactive (navigation start until the first agent card is visible and clickable,`,
      `as Playwright sees it), ${tti.runs} cold loads: median ${tti.medianMs.toFixed(0)} ms, p90 ${tti.p90Ms.toFixed(0)} ms`,
      `(DOMContentLoaded: ${tti.domContentLoadedMs.toFixed(0)} ms).`,
      '',
    ].join('\n');
    replaceSection(
      'BENCHMARKS.md',
      '## Web app: page weight and the storefront’s time to interactive',
      section,
    );
  } finally {
    await web.close();
  }
}

async function apiBench(): Promise<void> {
  const rows: string[] = [];
  for (const engine of engines) {
    const platform = engine === 'pglite' ? await startEmbedded() : await startPostgres(2);
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

const BUILT_INS = ['code-audit', '3d-character', 'brand-kit', 'data-cleaner'];

async function agentsBench(): Promise<void> {
  const thread = await measureThreadOverhead();
  console.log(
    `built-in thread: first run ${thread.threadStartMs.toFixed(0)} ms, then p50 ${thread.perRunP50Ms.toFixed(2)} ms`,
  );
  const sandbox = await measureSandboxOverhead();
  console.log(`sandbox: p50 ${sandbox.p50Ms.toFixed(2)} ms, p99 ${sandbox.p99Ms.toFixed(2)} ms per run`);
  const agents = await measureAgents(process.env.BENCH_BUILTINS?.split(',') ?? BUILT_INS);
  if (process.env.BENCH_BUILTINS) {
    console.log('(a partial run: BENCHMARKS.md left as it was)');
    return;
  }
  const mb = (n: number) => (n / 2 ** 20).toFixed(1);
  const section = [
    '## Agent runtime: per-run overhead and the built-in agents',
    '',
    '**Overhead.** A no-op built-in agent through the worker-thread pool, and a trivial code agent (one',
    'artifact) in the isolated-vm sandbox, each run under the platform’s rules in memory (`runLocally`), one',
    'after another:',
    '',
    '| what | first run | per run, p50 | per run, mean | p99 |',
    '| --- | --- | --- | --- | --- |',
    `| built-in agent, worker thread reused | ${thread.threadStartMs.toFixed(0)} ms (new thread: tsx and the SDK load) | ${thread.perRunP50Ms.toFixed(2)} ms | ${thread.perRunMeanMs.toFixed(2)} ms | |`,
    `| code agent, new isolate per run | | ${sandbox.p50Ms.toFixed(2)} ms | ${sandbox.meanMs.toFixed(2)} ms | ${sandbox.p99Ms.toFixed(2)} ms |`,
    '',
    '**Built-in agents on realistic inputs** (`agents/<name>/bench-case.ts`), each in a fresh process through',
    'the thread pool, input read from disk, artifacts hashed and not kept. Cold: the first run (a new',
    'thread loads the agent); warm: the second. Memory: the process’s RSS before the runs and its peak.',
    '',
    '| agent | input | cold | warm | RSS before → peak | outputs |',
    '| --- | --- | --- | --- | --- | --- |',
    ...agents.map(
      (a) =>
        `| ${a.entry} | ${a.inputBytes === 0 ? 'parameters' : a.inputBytes < 2 ** 20 ? `${(a.inputBytes / 1024).toFixed(0)} KB` : `${mb(a.inputBytes)} MB`} | ${(a.coldMs / 1000).toFixed(2)} s | ${(a.warmMs / 1000).toFixed(2)} s | ${a.baselineRssMb.toFixed(0)} → ${a.peakRssMb.toFixed(0)} MB | ${a.artifacts.map(([n, s]) => `${n} ${s >= 2 ** 20 ? `${mb(s)} MB` : `${(s / 1024).toFixed(1)} KB`}`).join(', ')} |`,
    ),
    '',
    `- Machine: ${describeMachine()}`,
    `- Command: \`${process.env.BENCH_ONLY ? `BENCH_ONLY=${process.env.BENCH_ONLY} ` : ''}npm run bench\` (overhead: ${thread.runs} and ${sandbox.runs} runs)`,
    '',
  ].join('\n');
  replaceSection('BENCHMARKS.md', '## Agent runtime: per-run overhead and the built-in agents', section);
}

const totalCpu = (parts: [string, number][]) => parts.reduce((sum, [, ms]) => sum + ms, 0);

/** Clients submitting runs at once; enough to keep both engines' batches full. */
const RUN_CLIENTS = 64;

/** The issue's targets, runs a second: 300 embedded, 1,000 on Postgres (with p99 start under 100 ms). */
const RUN_TARGETS: Record<Engine, number> = { pglite: 300, postgres: 1000 };

/** One line per engine: does the measured table meet the target? */
function verdicts(results: RunsResult[]): string[] {
  return (['pglite', 'postgres'] as const).flatMap((engine) => {
    const target = RUN_TARGETS[engine];
    const atTarget = results.find((r) => r.engine === engine && r.offered === target);
    const saturated = results.find((r) => r.engine === engine && r.offered === null);
    if (!saturated) return [];
    const rate = saturated.completed / saturated.seconds;
    const name = engine === 'pglite' ? 'Embedded' : 'Postgres';
    if (!atTarget || rate < target)
      return [`- ${name}: ${rate.toFixed(0)} runs/s at saturation, below the target of ${target}.`];
    const p99 = atTarget.startP99;
    const ok = engine === 'pglite' || p99 < 100;
    return [
      `- ${name}: ${rate.toFixed(0)} runs/s at saturation; at ${target} runs/s, ${(atTarget.completed / atTarget.seconds).toFixed(0)} completed a second with p99 start ${p99.toFixed(0)} ms: the target ${ok ? 'holds' : 'does not hold'} on this machine.`,
    ];
  });
}

async function runsBench(): Promise<void> {
  const results: RunsResult[] = [];
  let cpuShares: [string, number][] = [];
  const cancelLatency: { engine: string; topology: string; ms: number[] }[] = [];
  for (const engine of engines) {
    const platform = engine === 'pglite' ? await startEmbedded() : await startPostgres(2);
    try {
      await measureRuns(platform, { clients: 32, seconds: 2 }); // warm-up
      const saturation = [];
      const before = cpuSnapshot(platform);
      for (let i = 0; i < repeats; i++) {
        saturation.push(await measureRuns(platform, { clients: RUN_CLIENTS, seconds: seconds * 2 }));
      }
      const after = cpuSnapshot(platform);
      const runs = saturation.reduce((n, r) => n + r.completed, 0);
      if (engine === 'postgres') {
        cpuShares = cpuPerRun(before, after, runs);
        console.log(`CPU per run: ${cpuShares.map(([k, ms]) => `${k} ${ms.toFixed(2)} ms`).join(', ')}`);
      }
      saturation.sort((x, y) => x.completed / x.seconds - y.completed / y.seconds);
      const median = saturation[Math.floor(saturation.length / 2)]!;
      results.push(median);
      const rate = median.completed / median.seconds;
      console.log(
        `${engine} runs, saturation: ${rate.toFixed(0)} runs/s (of ${saturation.map((r) => (r.completed / r.seconds).toFixed(0)).join(', ')}), start p50 ${median.startP50.toFixed(0)} ms p99 ${median.startP99.toFixed(0)} ms`,
      );
      // Paced at about 70% of what it sustains: the latency a platform that is not overloaded gives.
      const paced = Math.max(50, Math.floor((rate * 0.7) / 50) * 50);
      const r = await measureRuns(platform, { clients: RUN_CLIENTS, seconds: seconds * 2, rate: paced });
      results.push(r);
      // And at the target rate itself, when the platform sustains it: the latency the target speaks of.
      const target = RUN_TARGETS[engine];
      if (rate >= target && target !== paced) {
        const t = await measureRuns(platform, { clients: RUN_CLIENTS, seconds: seconds * 2, rate: target });
        results.push(t);
        console.log(
          `${engine} runs, paced at the target ${target}/s: completed ${(t.completed / t.seconds).toFixed(0)}/s, start p50 ${t.startP50.toFixed(0)} ms p99 ${t.startP99.toFixed(0)} ms`,
        );
      }
      const cancels = await measureCancel(platform, 20);
      cancelLatency.push({ engine, topology: platform.topology, ms: cancels });
      console.log(
        `${engine} cancel → agent aborted: p50 ${cancels[cancels.length >> 1]} ms, max ${cancels.at(-1)} ms (${cancels.length} runs)`,
      );
      console.log(
        `${engine} runs, paced at ${paced}/s: start p50 ${r.startP50.toFixed(0)} ms p99 ${r.startP99.toFixed(0)} ms, end p99 ${r.endP99.toFixed(0)} ms`,
      );
    } finally {
      await platform.close();
    }
  }
  if (partial) {
    console.log('(a partial run: BENCHMARKS.md left as it was)');
    return;
  }
  const section = [
    '## Runs: platform overhead per run',
    '',
    'Runs of a built-in agent that does nothing (`noop`, 1 credit per run), so that every millisecond',
    "measured is the platform's own: HTTP submission with an API key, input validation, the quote, the",
    'run, its hold and its job in one transaction, the job claimed by a worker, the start, the attempt,',
    'the events, the end with the capture (creator and platform paid) in one transaction, and the',
    "catalog's stats. 64 buyers' clients submit over HTTP (keep-alive) from the benchmark process, which",
    'shares the machine with what it measures. *Throughput* counts runs that ended succeeded and charged',
    'inside the window; *start* is submission (the run row) to start (its attempt), *end* is submission to',
    "succeeded and charged, both from the runs' own timestamps. Every run of every window succeeded and",
    'was charged exactly its price (checked).',
    '',
    '- *embedded*: `npm start` as shipped: one process (API, worker, PGlite persisted to a directory).',
    '- *Postgres*: `jeton serve --api-only` and two `jeton worker` processes, one local Postgres.',
    '- *saturation*: clients submit as fast as they are answered; *paced*: a steady rate at about 70% of',
    '  the saturation figure.',
    '',
    'Targets (issue 4): at least 300 runs/s embedded, and at least 1,000 runs/s on Postgres with p99',
    'submit→start under 100 ms; each engine is also paced at its target rate when it sustains it.',
    ...verdicts(results),
    '',
    '**Where the time goes (Postgres).** Postgres, the API, both workers and the load generator share',
    `the two cores. CPU per completed run at saturation (from /proc, over the saturation windows): ${cpuShares.map(([k, ms]) => `${k} ${ms.toFixed(2)} ms`).join(', ')};`,
    `${totalCpu(cpuShares).toFixed(1)} ms in all, so two cores cannot do much more than ${Math.floor(2000 / Math.max(0.01, totalCpu(cpuShares)))} runs/s. Postgres' share is the`,
    'largest: the run rows, three events, the hold and the capture, and the job (insert, claim, confirm).',
    'Per run the platform makes four group-committed transactions (submit: run + hold + job; start:',
    'attempt; end: status +',
    "capture; stats, gathered for 100 ms), plus pg-boss's claim and confirm. What was measured and",
    'changed on the way from 50 to ~600 runs/s: a per-agent slot lock held by every end (ends no longer',
    'take it); the hot escrow and earnings rows locked for three round trips (the ledger now writes in',
    "the transaction's last round trip, with the run's own rows and its job); `fetch` in the load",
    'generator (3-4× the CPU of `node:http`); one stats transaction per run. The next levers, against',
    "Postgres' share first: claiming runs from the runs table itself (no job row to insert, claim and",
    'confirm), prepared statements instead of literal SQL (parse and plan every time), fewer rows per run.',
    '',
    `- Machine: ${describeMachine()}`,
    `- Postgres: ${postgresVersion()} (local, default settings, fsync on)`,
    `- Command: \`${process.env.BENCH_ONLY ? `BENCH_ONLY=${process.env.BENCH_ONLY} ` : ''}npm run bench\` (saturation: median of ${repeats} windows of ${seconds * 2} s; paced: one window)`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| engine | processes | mode | offered runs/s | completed runs/s | start p50 ms | start p99 ms | end p50 ms | end p99 ms |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.engine} | ${r.topology} | ${r.mode} | ${r.offered ?? 'as fast as accepted'} | ${(r.completed / r.seconds).toFixed(0)} | ${r.startP50.toFixed(0)} | ${r.startP99.toFixed(0)} | ${r.endP50.toFixed(0)} | ${r.endP99.toFixed(0)} |`,
    ),
    '',
    'Cancellation: a buyer cancels a running run of `wait` (an agent that runs until it is stopped);',
    "measured from the moment the cancel request is sent to the agent's AbortSignal firing (in the",
    'worker process on Postgres), 20 runs one at a time, with the platform otherwise idle.',
    '',
    '| engine | processes | cancel → agent aborted, p50 ms | max ms |',
    '|---|---|---|---|',
    ...cancelLatency.map(
      (c) => `| ${c.engine} | ${c.topology} | ${c.ms[c.ms.length >> 1]} | ${c.ms.at(-1)} |`,
    ),
    '',
  ].join('\n');
  replaceSection('BENCHMARKS.md', '## Runs: platform overhead per run', section);
}

async function catalogBench(): Promise<void> {
  const results: (SearchResult & { engine: Engine })[] = [];
  for (const engine of engines) {
    const bench = await openBenchDatabase(engine);
    try {
      const { words, seconds: loadSeconds } = await loadCatalog(bench.handle, searchAgents);
      console.log(`${engine}: ${searchAgents} agents loaded in ${loadSeconds.toFixed(0)} s`);
      // A short warm-up, so that the first measurement does not pay for cold caches.
      await measureSearch(bench.handle, words, { searchers, seconds: 2, seed: 999 });
      for (const mode of ['paced', 'saturation'] as const) {
        const runs = [];
        for (let i = 0; i < repeats; i++) {
          runs.push(
            await measureSearch(bench.handle, words, {
              searchers,
              seconds: seconds * 2,
              seed: i + 1,
              ...(mode === 'paced' ? { thinkMs: THINK_MS } : {}),
            }),
          );
        }
        runs.sort((x, y) => x.p95 - y.p95);
        const median = runs[Math.floor(runs.length / 2)]!;
        results.push({ engine, mode, agents: searchAgents, loadSeconds, ...median });
        console.log(
          `${engine} search, ${searchers} searchers, ${mode}: p50 ${median.p50.toFixed(1)} ms, p95 ${median.p95.toFixed(1)} ms, p99 ${median.p99.toFixed(1)} ms, ${(median.queries / median.seconds).toFixed(0)} queries/s (p95 of runs: ${runs.map((r) => r.p95.toFixed(1)).join(', ')})`,
        );
      }
    } finally {
      await bench.drop();
    }
  }
  if (partial) {
    console.log('(a partial run: BENCHMARKS.md left as it was)');
    return;
  }
  const section = [
    '## Catalog: search latency',
    '',
    `${searchAgents.toLocaleString('en-US')} generated published agents (names, summaries, tags and descriptions drawn from a`,
    "5,000-word vocabulary: 190 domain words drawn by Zipf's law, the commonest in three listings in four,",
    'the tenth in one in eight, the last in one in 150, and a long tail of rarer words). 32 concurrent',
    'searchers call `Catalog.search` with a mix of queries: one word',
    '(35%), two words (20%), a typo (10%), a prefix being typed (10%), no words with a sort (25%); 40%',
    'add a category, 20% a maximum price, 15% a minimum rating, 15% a model filter; 10% also fetch the',
    'second page. Latency is per call, measured in the client, typo correction included. Pages of 20.',
    '',
    `- *paced*: each searcher pauses ${THINK_MS[0]}–${THINK_MS[1]} ms between queries, the rhythm of someone typing into`,
    '  instant search (32 people searching at once). This is the row the p95 < 20 ms target is read on.',
    '- *saturation*: no pause; the queries per second are the most this machine serves. Latency here is',
    '  queueing (Little: 32 searchers ÷ queries per second), not the cost of a query.',
    '- PGlite runs one query at a time in the process, so its latency includes waiting for the others.',
    '',
    `- Machine: ${describeMachine()}`,
    `- Postgres: ${postgresVersion()} (local, default settings: shared_buffers 128 MB); PGlite persisted to a temp directory`,
    `- Command: \`${process.env.BENCH_ONLY ? `BENCH_ONLY=${process.env.BENCH_ONLY} ` : ''}npm run bench\` (median by p95 of ${repeats} runs of ${seconds * 2} s each after a 2 s warm-up${process.env.DATABASE_URL ? ', DATABASE_URL set' : ''})`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| engine | agents | searchers | mode | queries/s | p50 ms | p95 ms | p99 ms |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.engine} | ${r.agents.toLocaleString('en-US')} | ${r.searchers} | ${r.mode} | ${(r.queries / r.seconds).toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} |`,
    ),
    '',
  ].join('\n');
  replaceSection('BENCHMARKS.md', '## Catalog: search latency', section);
}

async function ledgerBench(): Promise<void> {
  const results: CycleResult[] = [];
  for (const engine of engines) {
    const bench = await openBenchDatabase(engine);
    try {
      for (const callers of callerCounts) {
        for (const mode of ['batched', 'naive'] as const) {
          const runs = [];
          for (let i = 0; i < repeats; i++) {
            runs.push(
              await measureCycles(bench.handle, { mode, callers, seconds, tag: `${mode}${callers}r${i}` }),
            );
          }
          runs.sort((x, y) => x.perSecond - y.perSecond);
          const median = { ...runs[Math.floor(runs.length / 2)]!, verified: runs.every((r) => r.verified) };
          results.push({ engine, ...median });
          const all = runs.map((r) => r.perSecond.toFixed(0)).join(', ');
          console.log(
            `${engine} ${mode} ${callers} callers: median ${median.perSecond.toFixed(0)} of [${all}] cycles/s (verify ${median.verified ? 'ok' : 'FAILED'})`,
          );
        }
      }
    } finally {
      await bench.drop();
    }
  }
  if (partial) console.log('(a partial run: BENCHMARKS.md left as it was)');
  else writeLedgerReport(results);
}

function postgresVersion(): string {
  try {
    return execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'psql not found';
  }
}

function writeLedgerReport(results: CycleResult[]): void {
  const rows = results
    .filter((r) => r.mode === 'batched')
    .map((b) => {
      const naive = results.find(
        (n) => n.mode === 'naive' && n.engine === b.engine && n.callers === b.callers,
      );
      const ratio = naive && naive.perSecond > 0 ? (b.perSecond / naive.perSecond).toFixed(1) : 'n/a';
      return `| ${b.engine} | ${b.callers} | ${b.perSecond.toFixed(0)} | ${naive?.perSecond.toFixed(0) ?? 'n/a'} | ${ratio}× | ${b.verified && naive?.verified ? 'ok' : 'FAILED'} |`;
    });
  const section = [
    '## Ledger: payment cycles per second',
    '',
    'A cycle is a hold of 50 credits, then a capture of 37 with the 80/20 creator/platform split (each',
    'capture posts up to five transfers). Each caller is a buyer with its own wallet; captures pay 8',
    'creators, so escrow, revenue and creator accounts are shared. *Batched* is the ledger as shipped',
    '(group commit: commands that arrive while a transaction is in flight share the next one). *Naive*',
    'is the same ledger code with one transaction per call (a hold or a capture, with all its transfers)',
    'on a pool of 20 connections: kinder to the baseline than one transaction per transfer. Every',
    'measurement ends with `ledger verify` over the whole database.',
    '',
    `- Machine: ${describeMachine()}`,
    `- Postgres: ${postgresVersion()} (local, default settings, fsync on); PGlite persisted to a temp directory`,
    `- Command: \`npm run bench\` (median of ${repeats} measurements of ${seconds} s each${process.env.DATABASE_URL ? ', DATABASE_URL set' : ''})`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| engine | callers | batched cycles/s | naive cycles/s | batched ÷ naive | verify |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  replaceSection('BENCHMARKS.md', '## Ledger: payment cycles per second', section);
}

/** Replaces one section of BENCHMARKS.md, keeping the others that other benchmarks wrote. */
function replaceSection(file: string, heading: string, section: string): void {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmarks\n\nWritten by `npm run bench`; each section says its machine and command.\n\n';
  }
  const start = text.indexOf(heading);
  if (start < 0) {
    writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', start + heading.length);
  // One blank line between sections, whatever the section ends with.
  const rest = next < 0 ? '' : `\n${text.slice(next + 1)}`;
  writeFileSync(file, `${text.slice(0, start)}${section.trimEnd()}\n${rest}`);
}

await main();
