import type { Manifest } from '../catalog/manifest-schema.ts';
import type { AgentContext, AgentExecutor } from './executor.ts';
import type { Run } from './types.ts';

export type BuiltinAgent = (ctx: AgentContext, run: Run) => Promise<void>;

/**
 * Runs built-in agents (trusted code shipped with Jeton) by their runtime `entry`. Any other runtime,
 * or an entry it does not know, is unavailable, with the reason shown to buyers.
 */
export class RegistryExecutor implements AgentExecutor {
  constructor(private readonly agents: Readonly<Record<string, BuiltinAgent>>) {}

  unavailable(manifest: Manifest): string | null {
    if (manifest.runtime.kind !== 'builtin')
      return `The ${manifest.runtime.kind} runtime is not available on this platform yet.`;
    return Object.hasOwn(this.agents, manifest.runtime.entry)
      ? null
      : `The built-in agent "${manifest.runtime.entry}" is not part of this version of Jeton.`;
  }

  async execute(run: Run, manifest: Manifest, _bundle: string | null, ctx: AgentContext): Promise<void> {
    const why = this.unavailable(manifest);
    if (why !== null) throw new Error(why);
    await this.agents[(manifest.runtime as { entry: string }).entry]!(ctx, run);
  }
}
