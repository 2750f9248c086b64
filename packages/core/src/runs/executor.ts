import type { InputSchemaInput } from '../catalog/input-schema.ts';
import type { Manifest } from '../catalog/manifest-schema.ts';
import type { FailureCode } from './failures.ts';
import type { Run } from './types.ts';

/** What an agent's code can do while it runs. The runtime (issue 5) builds its SDK on this. */
export interface AgentContext {
  readonly runId: string;
  readonly input: Record<string, unknown>;
  /** Aborted on timeout, on cancellation by the buyer, and when the platform gives up the attempt. */
  readonly signal: AbortSignal;
  progress(percent: number | null, message: string): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  artifact(name: string, bytes: Uint8Array, mediaType: string): Promise<void>;
  /** Charges a per-event price; refused (throws `AgentFailure` agent_error) past the run's maximum. */
  charge(event: string, quantity?: number): Promise<void>;
  /** Asks the buyer; resolves with the answer (validated against `schema`). */
  ask(
    text: string,
    schema: InputSchemaInput,
    options?: { timeoutSeconds?: number },
  ): Promise<Record<string, unknown>>;
}

/** A failure the runtime classified; anything else an agent throws is `agent_error`. */
export class AgentFailure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'AgentFailure';
  }
}

/** Runs one attempt of an agent version. Resolves when the agent is done; throws when it failed. */
export interface AgentExecutor {
  /** Why this executor cannot run the manifest (no such built-in, no model configured), or null. */
  unavailable(manifest: Manifest, bundle: string | null): string | null;
  execute(run: Run, manifest: Manifest, bundle: string | null, ctx: AgentContext): Promise<void>;
}
