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
  /** The run's uploaded input files, by input field. */
  readonly files: Readonly<Record<string, readonly InputFile[]>>;
  /** The values of the secrets the manifest declares, by name (absent when not set). */
  readonly secrets: Readonly<Record<string, string>>;
  /** Stores an artifact; a stream is stored as it arrives, never held whole. */
  artifact(name: string, bytes: Uint8Array | AsyncIterable<Uint8Array>, mediaType: string): Promise<void>;
  /**
   * Records a model call the runtime made for the agent (its tokens and exact cost), for the buyer's
   * view and per-token pricing. Resolves with what the run may still spend on models, in millionths of
   * a credit (null: no limit but the price's own), so the runtime refuses calls past the maximum.
   */
  meter(call: ModelCall): Promise<{ remainingMicroCredits: bigint | null }>;
  /** Charges a per-event price; refused (throws `AgentFailure` agent_error) past the run's maximum. */
  charge(event: string, quantity?: number): Promise<void>;
  /** Asks the buyer; resolves with the answer (validated against `schema`). */
  ask(
    text: string,
    schema: InputSchemaInput,
    options?: { timeoutSeconds?: number },
  ): Promise<Record<string, unknown>>;
}

/** An uploaded file given to a run, opened on demand. */
export interface InputFile {
  readonly id: string;
  readonly name: string;
  readonly mediaType: string;
  readonly size: number;
  open(): Promise<ReadableStream<Uint8Array>>;
}

/** One metered model call. */
export interface ModelCall {
  /** `provider/model`. */
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** What the call cost, in millionths of a credit, from the provider's configured prices. */
  costMicroCredits: bigint;
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
