import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Check, checkSchema, failedChecks } from '@jeton/core';
import { z } from 'zod';
import type { LocalFile, LocalRunResult } from './run-locally.ts';

/**
 * An agent's eval cases (`evals.json` beside its manifest): real inputs, with files from the agent's
 * folder, and the checks their results must pass (the manifest's check kinds). `jeton agent test` and
 * the agents' own tests run them; unlike the manifest's `tests`, they can give files.
 */
const evalCaseSchema = z.strictObject({
  name: z.string().min(1).max(120),
  input: z.record(z.string(), z.json()).default({}),
  files: z.array(z.strictObject({ field: z.string(), path: z.string(), mediaType: z.string() })).default([]),
  checks: z.array(checkSchema).min(1),
});
export type EvalCase = Omit<z.output<typeof evalCaseSchema>, 'input'> & { input: Record<string, unknown> };

export const EVALS_FILE = 'evals.json';

/** The eval cases in `dir`, none when it has no `evals.json`; throws with the path of a bad case. */
export function readEvalCases(dir: string): EvalCase[] {
  const file = join(dir, EVALS_FILE);
  if (!existsSync(file)) return [];
  const parsed = z.array(evalCaseSchema).safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(
      `${file}: $${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')} ${i.message}`,
    );
  }
  return parsed.data;
}

/** A case's files, read from the agent's folder. */
export function evalFiles(dir: string, c: EvalCase): LocalFile[] {
  return c.files.map((f) => ({
    field: f.field,
    name: f.path.split('/').at(-1)!,
    mediaType: f.mediaType,
    path: join(dir, f.path),
  }));
}

/** Every check of `checks` that `result` fails, as sentences; empty when all hold. */
export function judge(result: LocalRunResult, checks: readonly Check[]): string[] {
  return failedChecks(
    {
      status: result.status === 'cancelled' ? 'failed' : result.status,
      ...(result.failure ? { error: result.failure.message } : {}),
      artifacts: [...result.artifacts.values()],
      creditsCharged: result.credits,
    },
    checks,
  );
}
