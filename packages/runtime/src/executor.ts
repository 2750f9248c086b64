import type { AgentContext, AgentExecutor, Manifest, Run } from '@jeton/core';
import type { BuiltinPool } from './builtin/pool.ts';
import { type ModelAccess, NO_MODELS } from './sdk/context.ts';

export interface RuntimeOptions {
  builtins: BuiltinPool;
  /** The platform's default model for built-in agents that use one when available. */
  defaultModel?: ModelAccess;
}

/**
 * Runs any agent version by its runtime kind: built-in agents in worker threads, prompt agents with
 * the platform's model providers, creators' code in the sandbox. `unavailable` gives the reason a
 * version cannot run here (shown to buyers, and the reason its tests are skipped).
 */
export class RuntimeExecutor implements AgentExecutor {
  readonly #o: RuntimeOptions;

  constructor(options: RuntimeOptions) {
    this.#o = options;
  }

  /** Why `manifest` cannot run here, or null; `bundle` undefined skips the check of the code itself. */
  unavailable(manifest: Manifest, _bundle: string | null | undefined): string | null {
    const r = manifest.runtime;
    switch (r.kind) {
      case 'builtin':
        return this.#o.builtins.has(r.entry)
          ? null
          : `The built-in agent "${r.entry}" is not part of this version of Jeton.`;
      case 'prompt':
      case 'code':
        return `The ${r.kind} runtime is not available on this platform yet.`;
    }
  }

  execute(_run: Run, manifest: Manifest, bundle: string | null, ctx: AgentContext): Promise<void> {
    return this.executeAttempt(manifest, bundle, ctx);
  }

  /** One attempt, from what any caller has: the platform's worker, `jeton agent test`, a publish test. */
  async executeAttempt(manifest: Manifest, bundle: string | null, ctx: AgentContext): Promise<void> {
    const why = this.unavailable(manifest, bundle);
    if (why !== null) throw new Error(why);
    const r = manifest.runtime;
    if (r.kind === 'builtin') {
      const models = r.usesModelWhenAvailable ? (this.#o.defaultModel ?? NO_MODELS) : NO_MODELS;
      return this.#o.builtins.run(r.entry, manifest, ctx, models);
    }
  }
}
