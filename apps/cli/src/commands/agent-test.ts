import { resolve } from 'node:path';
import { builtinAgentModules } from '@jeton/agents';
import type { Check } from '@jeton/core';
import {
  BuiltinPool,
  type EvalCase,
  evalFiles,
  judge,
  type LocalFile,
  ModelRegistry,
  parseModelConfig,
  RuntimeExecutor,
  readEvalCases,
  runLocally,
} from '@jeton/runtime';
import { readAgentFolder } from './agent-validate.ts';

interface Case {
  name: string;
  input: Record<string, unknown>;
  files: LocalFile[];
  checks: readonly Check[];
}

/**
 * `jeton agent test [dir]`: runs the agent's test cases (the manifest's `tests` and `evals.json`) on
 * this machine with the runtime the platform uses, and judges each by its checks. Exit code 0 when
 * every case passes, 1 when one fails, 2 when the agent cannot be tested (an invalid folder, a
 * runtime this machine cannot run: the reason is printed).
 */
export async function agentTest(dir: string, out: (line: string) => void = console.log): Promise<number> {
  const folder = readAgentFolder(resolve(dir), out);
  if (!folder) return 2;
  const { manifest, bundle } = folder;
  let evals: EvalCase[];
  try {
    evals = readEvalCases(resolve(dir));
  } catch (error) {
    out(`✗ ${(error as Error).message}`);
    return 2;
  }
  const cases: Case[] = [
    ...manifest.tests.map((t) => ({ name: t.name, input: t.input, files: [], checks: t.checks })),
    ...evals.map((c) => ({
      name: c.name,
      input: c.input,
      files: evalFiles(resolve(dir), c),
      checks: c.checks,
    })),
  ];
  if (cases.length === 0) {
    out('No test cases: add `tests` to the manifest or an evals.json beside it.');
    return 1;
  }
  const builtins = new BuiltinPool({ modules: builtinAgentModules });
  const models = parseModelConfig(process.env);
  if (!models.ok) {
    out(`Invalid model providers (JETON_MODEL_PROVIDERS):\n  ${models.errors.join('\n  ')}`);
    return 2;
  }
  const runtime = new RuntimeExecutor({ builtins, models: new ModelRegistry(models.config) });
  try {
    const why = runtime.unavailable(manifest, bundle);
    if (why !== null) {
      out(`Cannot run ${manifest.slug} here: ${why}`);
      return 2;
    }
    let failed = 0;
    for (const c of cases) {
      const started = performance.now();
      const result = await runLocally(manifest, (ctx) => runtime.executeAttempt(manifest, bundle, ctx), {
        input: c.input,
        files: c.files,
      });
      const failures = judge(result, c.checks);
      const ms = Math.round(performance.now() - started);
      if (failures.length === 0) out(`✓ ${c.name} (${ms} ms, ${result.credits} credits)`);
      else {
        failed++;
        out(`✗ ${c.name} (${ms} ms)`);
        for (const f of failures) out(`    ${f}`);
      }
    }
    out(`${cases.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  } finally {
    await builtins.close();
  }
}
