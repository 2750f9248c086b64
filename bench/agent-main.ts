/**
 * Runs one built-in agent on a prepared benchmark case in this (fresh) process, through the worker
 * thread pool as the platform does, and prints one JSON line: the time of a cold run (thread start
 * and code loading included) and of a warm one, and the process's memory before and at its peak.
 * Input files are read from disk and artifacts are hashed, not kept, so the peak is the agent's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinAgentDir, builtinAgentModules } from '@jeton/agents';
import { parseManifestText } from '@jeton/core';
import { BuiltinPool, NO_MODELS, runLocally } from '@jeton/runtime';

const [entry, casePath] = process.argv.slice(2) as [string, string];
const c = JSON.parse(readFileSync(casePath, 'utf8')) as {
  input: Record<string, unknown>;
  files: { field: string; name: string; mediaType: string; path: string }[];
};
const parsed = parseManifestText(readFileSync(join(builtinAgentDir(entry), 'jeton.agent.json'), 'utf8'));
if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
const manifest = parsed.value;
const pool = new BuiltinPool({ modules: builtinAgentModules });
const baselineRss = process.memoryUsage().rss;

async function once() {
  const started = performance.now();
  const r = await runLocally(manifest, (ctx) => pool.run(entry, manifest, ctx, NO_MODELS), {
    input: c.input,
    files: c.files,
    discardArtifactBytes: true,
    timeoutMs: 600_000,
  });
  if (r.status !== 'succeeded') throw new Error(`${entry} ${r.status}: ${r.failure?.message}`);
  return {
    ms: performance.now() - started,
    artifacts: [...r.artifacts.values()].map((a) => [a.name, a.size]),
  };
}

const cold = await once();
const warm = await once();
await pool.close();
console.log(
  JSON.stringify({
    entry,
    coldMs: cold.ms,
    warmMs: warm.ms,
    artifacts: warm.artifacts,
    baselineRssMb: baselineRss / 2 ** 20,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
