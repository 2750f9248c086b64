import type { InputSchemaInput, Manifest } from '@jeton/core';

/** What an agent may give as an artifact's content. Streams are stored without being held whole. */
export type ArtifactData = Uint8Array | string | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** A file the buyer uploaded for one of the input's file fields. */
export interface AgentFile {
  readonly id: string;
  readonly name: string;
  readonly mediaType: string;
  readonly size: number;
  /** The whole file in memory: fine for small files; use `stream()` for large ones. */
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  /** The file, read in chunks as they are consumed. */
  stream(): ReadableStream<Uint8Array>;
}

/** One request to the platform's model (metered and recorded on the run). */
export interface ModelRequest {
  system?: string;
  prompt: string;
  /** Asks for structured output: a JSON Schema the answer must satisfy (validated). */
  schema?: Record<string, unknown>;
  maxOutputTokens?: number;
  temperature?: number;
  /** Called with each piece of text as it streams in. */
  onText?: (delta: string) => void;
}

export interface ModelResult {
  text: string;
  /** The parsed, validated object when `schema` was given. */
  object?: unknown;
  /** `provider/model` that answered. */
  model: string;
  usage: { inputTokens: number; outputTokens: number };
}

/** `ctx.model(request)`; `ctx.model.available` says whether a provider is configured. */
export interface AgentModel {
  (request: ModelRequest): Promise<ModelResult>;
  readonly available: boolean;
}

export type LogLevel = 'info' | 'warn' | 'error';

/** What an agent's `run` gets. Every method may throw an `AgentFailure` that ends the run. */
export interface AgentCtx<I = Record<string, unknown>> {
  readonly runId: string;
  readonly input: I;
  /** Aborted on timeout and on cancellation: stop work and return (or throw) promptly. */
  readonly signal: AbortSignal;
  /** The uploaded files, by input field name. */
  readonly files: Readonly<Record<string, readonly AgentFile[]>>;
  /** The values of the secrets the manifest declares (only those), by name. */
  readonly secrets: Readonly<Record<string, string>>;
  /** The platform's metered model; throws `provider_*`/`agent_error` failures when it cannot answer. */
  readonly model: AgentModel;
  progress(percent: number | null, message: string): void;
  log(message: string, level?: LogLevel): void;
  artifact(name: string, data: ArtifactData, mediaType: string): Promise<void>;
  /** Charges a per-event price; refused past the run's maximum. */
  charge(event: string, quantity?: number): Promise<void>;
  /** Asks the buyer and waits (the run shows `awaiting_input`); the answer is validated. */
  ask<A extends Record<string, unknown> = Record<string, unknown>>(
    question: string,
    answerSchema: InputSchemaInput,
    options?: { timeoutSeconds?: number },
  ): Promise<A>;
}

export interface AgentDefinition<I = Record<string, unknown>> {
  readonly manifest: Manifest;
  run(ctx: AgentCtx<I>, input: I): Promise<void>;
}
