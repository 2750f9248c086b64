import { parse } from '../api/args.ts';
import { UsageError } from '../api/report.ts';

// Writing an agent, offline: scaffold it, check its folder, run its cases with the platform's runtime
// (imported when one of them runs: the other commands start faster without).

export const initUsage = `Usage: jeton agent init <dir> [--slug s]

Scaffolds a new code agent in <dir> (which must be empty or absent): its manifest with a test case,
agent.js, and an eval case. The slug defaults to the folder's name.
Exit codes: 0 created, 2 the folder is not empty or the slug is not valid.`;

export const validateUsage = `Usage: jeton agent validate [dir]

Checks an agent's folder (default .): the manifest, the code bundle it names, its examples' and test
inputs, its eval cases. Every problem is printed with where it is.
Exit codes: 0 valid, 1 not.`;

export const testUsage = `Usage: jeton agent test [dir]

Runs the agent's test and eval cases (default folder .) on this machine, in the sandbox and with the
runtime the platform uses.
Exit codes: 0 every case passed, 1 a case failed.`;

function oneDir(positionals: string[], required: boolean): string {
  if (positionals.length > 1) throw new UsageError(`Unexpected argument: ${positionals[1]}`);
  if (required && !positionals[0]) throw new UsageError('Which folder? jeton agent init <dir>');
  return positionals[0] ?? '.';
}

export async function init(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { slug: { type: 'string' } });
  const { agentInit } = await import('./agent-init.ts');
  return agentInit(oneDir(positionals, true), { slug: values.slug });
}

export async function validate(argv: string[]): Promise<number> {
  const { agentValidate } = await import('./agent-validate.ts');
  return agentValidate(oneDir(parse(argv, {}).positionals, false));
}

export async function test(argv: string[]): Promise<number> {
  const { agentTest } = await import('./agent-test.ts');
  return agentTest(oneDir(parse(argv, {}).positionals, false));
}
