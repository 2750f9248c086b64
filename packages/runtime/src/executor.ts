import { type AgentContext, type AgentExecutor, AgentFailure, type Manifest, type Run } from '@jeton/core';
import type { BuiltinPool } from './builtin/pool.ts';
import { modelAccess } from './models/access.ts';
import type { ModelRegistry } from './models/registry.ts';
import { promptUnavailable, runPromptAgent } from './prompt/run-prompt.ts';
import { type CodeRunOptions, codeUnavailable, runCodeAgent } from './sandbox/run-code-agent.ts';
import { type ModelAccess, NO_MODELS } from './sdk/context.ts';

export interface RuntimeOptions {
  builtins: BuiltinPool;
  /** The platform's model providers (an empty registry when none is configured). */
  models: ModelRegistry;
  /** Options for the code sandbox (tests inject their network). */
  code?: CodeRunOptions;
}

/**
 * Runs any agent version by its runtime kind: built-in agents in worker threads, prompt agents with
 * the platform's model providers, creators' code in the isolated-vm sandbox. `unavailable` gives the
 * reason a version cannot run here (shown to buyers, and the reason its tests are skipped).
 */
export class RuntimeExecutor implements AgentExecutor {
  readonly #o: RuntimeOptions;
  /** The default model, as built-in agents that use a model when available get it. */
  readonly #builtinModel: ModelAccess;

  constructor(options: RuntimeOptions) {
    this.#o = options;
    this.#builtinModel = options.models.configured
      ? modelAccess(options.models, { modelId: 'default' })
      : NO_MODELS;
  }

  /** Why `manifest` cannot run here, or null; `bundle` undefined skips the check of the code itself. */
  unavailable(manifest: Manifest, bundle: string | null | undefined): string | null {
    const r = manifest.runtime;
    switch (r.kind) {
      case 'builtin':
        return this.#o.builtins.has(r.entry)
          ? null
          : `The built-in agent "${r.entry}" is not part of this version of Jeton.`;
      case 'prompt':
        return promptUnavailable(manifest, this.#o.models);
      case 'code':
        return bundle === undefined ? null : codeUnavailable(manifest, bundle);
    }
  }

  execute(_run: Run, manifest: Manifest, bundle: string | null, ctx: AgentContext): Promise<void> {
    return this.executeAttempt(manifest, bundle, ctx);
  }

  /** One attempt, from what any caller has: the platform's worker, `jeton agent test`, a publish test. */
  async executeAttempt(manifest: Manifest, bundle: string | null, ctx: AgentContext): Promise<void> {
    const why = this.unavailable(manifest, bundle);
    // The API checked before taking the buyer's credits; a worker that cannot run it (configured
    // differently) is the platform's trouble, retried elsewhere for retry-safe agents, never the agent's.
    if (why !== null) throw new AgentFailure('platform_transient', why);
    const r = manifest.runtime;
    switch (r.kind) {
      case 'builtin':
        return this.#o.builtins.run(
          r.entry,
          manifest,
          ctx,
          r.usesModelWhenAvailable ? this.#builtinModel : NO_MODELS,
        );
      case 'prompt':
        return runPromptAgent(manifest, ctx, this.#o.models);
      case 'code':
        // Creators' code gets the platform's default model, metered, within the run's price.
        return runCodeAgent(manifest, bundle!, ctx, this.#builtinModel, this.#o.code);
    }
  }
}
