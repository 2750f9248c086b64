import {
  type AgentDefinition,
  type EvalCase,
  evalFiles,
  judge,
  type LocalRunResult,
  type ModelAccess,
  readEvalCases as read,
  testAgent,
} from '@jeton/runtime/sdk';

export type { EvalCase };

/** An agent's eval cases (`evals.json`), at least one. */
export function readEvalCases(agentDir: string): EvalCase[] {
  const cases = read(agentDir);
  if (cases.length === 0) throw new Error(`${agentDir} has no eval cases`);
  return cases;
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
  const result = await testAgent(agent, {
    input: c.input,
    files: evalFiles(agentDir, c),
    ...(models ? { models } : {}),
  });
  return { name: c.name, failures: judge(result, c.checks), result };
}
