import { measureAgents, measureSandboxOverhead, measureThreadOverhead } from '../agent-runtime.ts';
import { describeMachine } from '../machine.ts';
import { replaceSection } from '../report.ts';

const BUILT_INS = ['code-audit', '3d-character', 'brand-kit', 'data-cleaner'];

/**
 * `BENCH_ONLY=agents`: the runtime's per-run overhead and the built-in agents on realistic inputs.
 * It uses no database, so only BENCH_BUILTINS (not BENCH_ENGINES) makes its run partial.
 */
export async function agentsBench(): Promise<void> {
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
