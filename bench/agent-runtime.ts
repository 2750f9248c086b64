import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifest } from '@jeton/core';
import { BuiltinPool, NO_MODELS, runCodeAgent, runLocally } from '@jeton/runtime';
import noop from './noop-agent.ts';

const ROOT = new URL('..', import.meta.url).pathname;

export interface AgentBench {
  entry: string;
  inputBytes: number;
  coldMs: number;
  warmMs: number;
  artifacts: [string, number][];
  baselineRssMb: number;
  peakRssMb: number;
}

/**
 * Each built-in agent on its realistic case (`agents/<entry>/bench-case.ts`), each in a fresh process
 * (`agent-main.ts`) so that its peak memory is its own: the case is generated here and written to
 * disk first.
 */
export async function measureAgents(entries: string[]): Promise<AgentBench[]> {
  const out: AgentBench[] = [];
  for (const entry of entries) {
    const dir = mkdtempSync(join(tmpdir(), `jeton-bench-${entry}-`));
    try {
      const { benchCase } = (await import(join(ROOT, 'agents', entry, 'bench-case.ts'))) as {
        benchCase(): Promise<{
          input: Record<string, unknown>;
          files: { field: string; name: string; mediaType: string; bytes: Uint8Array }[];
        }>;
      };
      let c: Awaited<ReturnType<typeof benchCase>> | null = await benchCase();
      let inputBytes = 0;
      const files = c.files.map((f, i) => {
        mkdirSync(join(dir, String(i)));
        const path = join(dir, String(i), f.name);
        writeFileSync(path, f.bytes);
        inputBytes += f.bytes.byteLength;
        return { field: f.field, name: f.name, mediaType: f.mediaType, path };
      });
      writeFileSync(join(dir, 'case.json'), JSON.stringify({ input: c.input, files }));
      c = null;
      const line = execFileSync(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'bench/agent-main.ts'), entry, join(dir, 'case.json')],
        { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 },
      );
      const r = JSON.parse(line.trim().split('\n').at(-1)!) as Omit<AgentBench, 'inputBytes'>;
      out.push({ ...r, inputBytes });
      console.log(
        `${entry}: ${(inputBytes / 2 ** 20).toFixed(1)} MB in, cold ${r.coldMs.toFixed(0)} ms, warm ${r.warmMs.toFixed(0)} ms, RSS ${r.baselineRssMb.toFixed(0)} → peak ${r.peakRssMb.toFixed(0)} MB`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

export interface OverheadBench {
  threadStartMs: number;
  perRunP50Ms: number;
  perRunMeanMs: number;
  runs: number;
}

/** A no-op built-in agent: the first run (a new thread) and then runs in a reused thread. */
export async function measureThreadOverhead(runs = 300): Promise<OverheadBench> {
  const pool = new BuiltinPool({
    modules: { 'bench-noop': new URL('./noop-agent.ts', import.meta.url).href },
  });
  const once = async () => {
    const started = performance.now();
    const r = await runLocally(noop.manifest, (ctx) => pool.run('bench-noop', noop.manifest, ctx, NO_MODELS));
    if (r.status !== 'succeeded') throw new Error(r.failure?.message);
    return performance.now() - started;
  };
  try {
    const threadStartMs = await once();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await once());
    times.sort((a, b) => a - b);
    return {
      threadStartMs,
      perRunP50Ms: times[Math.floor(times.length / 2)]!,
      perRunMeanMs: times.reduce((s, t) => s + t, 0) / times.length,
      runs,
    };
  } finally {
    await pool.close();
  }
}

const TRIVIAL_BUNDLE =
  'export default { async run(ctx, input) { await ctx.artifact("out.txt", "hi " + input.text, "text/plain"); } };';

/** A trivial code agent: a fresh isolate each run (create, load the bundle, one artifact, dispose). */
export async function measureSandboxOverhead(
  runs = 300,
): Promise<{ p50Ms: number; meanMs: number; p99Ms: number; runs: number }> {
  const parsed = parseManifest({
    ...noop.manifest,
    slug: 'bench-code',
    input: { type: 'object', properties: { text: { type: 'string', title: 'Text' } } },
    runtime: { kind: 'code', entry: 'agent.js' },
    limits: { timeoutSeconds: 10, memoryMb: 32 },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  const manifest = parsed.value;
  const once = async () => {
    const started = performance.now();
    const r = await runLocally(manifest, (ctx) => runCodeAgent(manifest, TRIVIAL_BUNDLE, ctx, NO_MODELS), {
      input: { text: 'there' },
    });
    if (r.status !== 'succeeded') throw new Error(r.failure?.message);
    return performance.now() - started;
  };
  for (let i = 0; i < 20; i++) await once(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  return {
    p50Ms: times[Math.floor(times.length / 2)]!,
    p99Ms: times[Math.floor(times.length * 0.99)]!,
    meanMs: times.reduce((s, t) => s + t, 0) / times.length,
    runs,
  };
}
