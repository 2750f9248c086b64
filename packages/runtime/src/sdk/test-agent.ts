import { type LocalRunOptions, type LocalRunResult, runLocally } from '../local/run-locally.ts';
import { type ModelAccess, NO_MODELS, sdkContext } from './context.ts';
import type { AgentDefinition } from './types.ts';

/**
 * Runs an SDK agent in this process under the platform's rules (see `runLocally`): what an agent's own
 * tests use. `models` stands in for the platform's providers (none by default, as on a fresh install).
 */
export function testAgent<I>(
  agent: AgentDefinition<I>,
  options: LocalRunOptions & { models?: ModelAccess } = {},
): Promise<LocalRunResult> {
  return runLocally(
    agent.manifest,
    async (core) => {
      const ctx = sdkContext(core, agent.manifest, options.models ?? NO_MODELS);
      await agent.run(ctx as never, ctx.input as I);
    },
    options,
  );
}
