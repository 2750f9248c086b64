import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Check, checkSchema, failedChecks } from '@jeton/core';
import { type AgentDefinition, type LocalRunResult, type ModelAccess, testAgent } from '@jeton/runtime/sdk';
import { z } from 'zod';

/**
 * An agent's eval cases (`evals.json` beside its manifest): real inputs, with files from the agent's
 * folder, and the checks their results must pass (the manifest's check kinds). They run in the tests
 * and, later, on every publish and nightly.
 */
const evalCaseSchema = z.strictObject({
  name: z.string().min(1).max(120),
  input: z.record(z.string(), z.json()).default({}),
  files: z.array(z.strictObject({ field: z.string(), path: z.string(), mediaType: z.string() })).default([]),
  checks: z.array(checkSchema).min(1),
});
export type EvalCase = z.output<typeof evalCaseSchema>;

export function readEvalCases(agentDir: string): EvalCase[] {
  return z
    .array(evalCaseSchema)
    .min(1)
    .parse(JSON.parse(readFileSync(join(agentDir, 'evals.json'), 'utf8')));
}

export interface EvalOutcome {
  name: string;
  failures: string[];
  result: LocalRunResult;
}

/** Runs one case under the platform's rules and judges it; `failures` is empty when every check holds. */
export async function runEvalCase(
  agent: AgentDefinition<never>,
  agentDir: string,
  c: EvalCase,
  models?: ModelAccess,
): Promise<EvalOutcome> {
  const files = c.files.map((f) => ({
    field: f.field,
    name: f.path.split('/').at(-1)!,
    mediaType: f.mediaType,
    bytes: new Uint8Array(readFileSync(join(agentDir, f.path))),
  }));
  const result = await testAgent(agent, { input: c.input, files, ...(models ? { models } : {}) });
  const failures = failedChecks(
    {
      status: result.status === 'cancelled' ? 'failed' : result.status,
      ...(result.failure ? { error: result.failure.message } : {}),
      artifacts: [...result.artifacts.values()],
      creditsCharged: result.credits,
    },
    c.checks as Check[],
  );
  return { name: c.name, failures, result };
}
