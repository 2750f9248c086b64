import { type AgentContext, AgentFailure, type InputSchema, type Manifest } from '@jeton/core';
import type { AgentCtx, AgentFile, AgentModel, ArtifactData, ModelRequest, ModelResult } from './types.ts';

/** A model call as the runtime's providers answer it, before metering. */
export interface ModelAnswer extends ModelResult {
  costMicroCredits: bigint;
}

/** How the SDK reaches the platform's models (`models/` implements it; tests may give their own). */
export interface ModelAccess {
  /** Why no model can answer (no provider configured), or null. */
  readonly unavailable: string | null;
  generate(request: ModelRequest, signal: AbortSignal): Promise<ModelAnswer>;
}

export const NO_MODELS: ModelAccess = {
  unavailable: 'No model provider is configured on this platform.',
  generate: () => Promise.reject(new AgentFailure('provider_fatal', 'No model provider is configured.')),
};

const encoder = new TextEncoder();

/** The manifest's defaults filled into the input (a value given, even `null`, is kept). */
export function withDefaults(schema: InputSchema, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...input };
  for (const [name, field] of Object.entries(schema.properties)) {
    const fallback = (field as { default?: unknown }).default;
    if (!(name in out) && fallback !== undefined) out[name] = structuredClone(fallback);
  }
  return out;
}

async function* chunks(data: Exclude<ArtifactData, Uint8Array | string>): AsyncIterable<Uint8Array> {
  if (data instanceof ReadableStream) {
    const reader = data.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield toBytes(value);
      }
    } finally {
      reader.releaseLock();
    }
  }
  for await (const chunk of data as AsyncIterable<unknown>) yield toBytes(chunk);
}

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return encoder.encode(chunk);
  throw new AgentFailure('agent_error', 'Artifact streams must yield bytes (Uint8Array) or strings.');
}

function agentFile(file: AgentContext['files'][string][number]): AgentFile {
  // Read by hand rather than Response#arrayBuffer(), which can abort Node 20 when called from a
  // sandbox callback with async hooks on (see run-locally.ts).
  const bytes = async () => {
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of await file.open()) {
      parts.push(chunk);
      size += chunk.byteLength;
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      all.set(part, at);
      at += part.byteLength;
    }
    return all;
  };
  return {
    id: file.id,
    name: file.name,
    mediaType: file.mediaType,
    size: file.size,
    bytes,
    text: async () => new TextDecoder().decode(await bytes()),
    stream: () => {
      let source: ReadableStreamDefaultReader<Uint8Array> | null = null;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          source ??= (await file.open()).getReader();
          const { done, value } = await source.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: (reason) => source?.cancel(reason),
      });
    },
  };
}

/**
 * The SDK's context (`AgentCtx`) over the platform's (`AgentContext`): the one adapter every runtime
 * uses, in a worker thread, in the sandbox's bridge and in `jeton agent test`, so an agent meets the
 * same rules everywhere.
 */
export function sdkContext(core: AgentContext, manifest: Manifest, models: ModelAccess): AgentCtx {
  const files: Record<string, AgentFile[]> = {};
  for (const [field, list] of Object.entries(core.files)) files[field] = list.map(agentFile);
  let exhausted = false;
  // One call at a time: each is metered before the next starts, so that calls started together cannot
  // all pass the budget check before any of them is counted.
  let turn: Promise<unknown> = Promise.resolve();
  const call = async (request: ModelRequest): Promise<ModelResult> => {
    if (core.signal.aborted) throw new AgentFailure('agent_error', 'The run has stopped.');
    if (exhausted) {
      throw new AgentFailure(
        'agent_error',
        'The run has spent its maximum on models; no more calls are made.',
      );
    }
    const answer = await models.generate(request, core.signal);
    const { remainingMicroCredits } = await core.meter({
      model: answer.model,
      inputTokens: answer.usage.inputTokens,
      outputTokens: answer.usage.outputTokens,
      costMicroCredits: answer.costMicroCredits,
    });
    if (remainingMicroCredits !== null && remainingMicroCredits <= 0n) exhausted = true;
    const { costMicroCredits: _, ...result } = answer;
    return result;
  };
  const model = Object.assign(
    (request: ModelRequest): Promise<ModelResult> => {
      if (models.unavailable !== null) {
        return Promise.reject(new AgentFailure('provider_fatal', models.unavailable));
      }
      const mine = turn.then(() => call(request));
      turn = mine.catch(() => {});
      return mine;
    },
    { available: models.unavailable === null },
  ) satisfies AgentModel;
  return {
    runId: core.runId,
    input: withDefaults(manifest.input, core.input),
    signal: core.signal,
    files,
    secrets: core.secrets,
    model,
    progress: (percent, message) => core.progress(percent, message),
    log: (message, level = 'info') => core.log(level, message),
    artifact: (name, data, mediaType) =>
      core.artifact(
        name,
        typeof data === 'string' ? encoder.encode(data) : data instanceof Uint8Array ? data : chunks(data),
        mediaType,
      ),
    charge: (event, quantity) => core.charge(event, quantity),
    ask: (question, schema, options) => core.ask(question, schema, options) as Promise<never>,
  };
}
