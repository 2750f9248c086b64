import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import {
  type AgentContext,
  AgentFailure,
  artifactRefusal,
  artifactTooLarge,
  chargeRefusal,
  chargeRefused,
  decideCharge,
  type FailureCode,
  failureOutcome,
  type InputFile,
  type InputSchema,
  inputSchemaSchema,
  type Manifest,
  type ModelCall,
  modelBudgetLeft,
  settle,
  validateInput,
} from '@jeton/core';

/** A file given to a local run, for one of the input's file fields: its bytes, or a path to read. */
export type LocalFile = { field: string; name: string; mediaType: string } & (
  | { bytes: Uint8Array | string }
  | { path: string }
);

export interface LocalArtifact {
  name: string;
  mediaType: string;
  bytes: Uint8Array;
  size: number;
  sha256: string;
  text(): string;
}

export interface LocalRunOptions {
  input?: Record<string, unknown>;
  files?: LocalFile[];
  secrets?: Record<string, string>;
  /** Answers the agent's questions, in order; a question with no answer fails the run as unanswered. */
  answer?: (question: string, schema: InputSchema) => Record<string, unknown> | undefined;
  /** Overrides the manifest's timeout (tests of slow paths). */
  timeoutMs?: number;
  /** Aborts the run as a buyer's cancellation. */
  signal?: AbortSignal;
  /** Keeps artifacts' size and SHA-256 only, not their bytes (benchmarks of large outputs). */
  discardArtifactBytes?: boolean;
  /** The largest artifact, as the platform's JETON_ARTIFACT_MAX_MB (default 100 MiB). */
  maxArtifactBytes?: number;
}

export interface LocalRunResult {
  status: 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
  failure: { code: FailureCode; message: string } | null;
  artifacts: Map<string, LocalArtifact>;
  progress: { percent: number | null; message: string }[];
  logs: { level: string; message: string }[];
  charges: { event: string; quantity: number }[];
  modelCalls: ModelCall[];
  /** What the buyer would pay under the manifest's pricing. */
  credits: number;
}

const encoder = new TextEncoder();

/**
 * Runs one agent version on this machine, with the rules the platform applies (input validated
 * against the manifest, artifacts checked, charges refused past the maximum, the timeout and the
 * signal enforced, the price settled), keeping everything in memory. `execute` is a runtime's own
 * entry (a built-in in a worker thread, a bundle in the sandbox, a prompt), so `jeton agent test` and
 * the tests of each agent run the code the platform runs.
 */
export async function runLocally(
  manifest: Manifest,
  execute: (ctx: AgentContext) => Promise<void>,
  options: LocalRunOptions = {},
): Promise<LocalRunResult> {
  const result: LocalRunResult = {
    status: 'succeeded',
    failure: null,
    artifacts: new Map(),
    progress: [],
    logs: [],
    charges: [],
    modelCalls: [],
    credits: 0,
  };
  const input: Record<string, unknown> = { ...(options.input ?? {}) };
  const files: Record<string, InputFile[]> = {};
  let n = 0;
  for (const f of options.files ?? []) {
    const id = `file_local${++n}`;
    const list = files[f.field] ?? [];
    files[f.field] = list;
    if ('path' in f) {
      const path = f.path;
      list.push({
        id,
        name: f.name,
        mediaType: f.mediaType,
        size: statSync(path).size,
        open: async () => Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
      });
    } else {
      const bytes = typeof f.bytes === 'string' ? encoder.encode(f.bytes) : f.bytes;
      list.push({
        id,
        name: f.name,
        mediaType: f.mediaType,
        size: bytes.byteLength,
        // A stream made by hand rather than Blob#stream(): see the note on artifacts below.
        open: async () =>
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(bytes);
              controller.close();
            },
          }),
      });
    }
    input[f.field] = [...((input[f.field] as string[] | undefined) ?? []), id];
  }
  const issues = validateInput(manifest.input, input);
  if (issues.length > 0) {
    const message = issues.map((i) => `${i.path} ${i.message}`).join('; ');
    return { ...result, status: 'failed', failure: { code: 'input_invalid', message } };
  }

  const controller = new AbortController();
  const events: Record<string, number> = {};
  let modelCost = 0n;
  const timeoutMs = options.timeoutMs ?? manifest.limits.timeoutSeconds * 1000;
  const timer = setTimeout(() => controller.abort('timeout'), timeoutMs);
  const onCancel = () => controller.abort('cancel');
  options.signal?.addEventListener('abort', onCancel, { once: true });
  const live = () => {
    if (controller.signal.aborted) throw new AgentFailure('agent_error', 'The run has stopped.');
  };
  const ctx: AgentContext = {
    runId: 'run_local',
    input,
    signal: controller.signal,
    files,
    secrets: Object.fromEntries(
      manifest.secrets.flatMap((s) => {
        const v = options.secrets?.[s.name];
        return v === undefined ? [] : [[s.name, v]];
      }),
    ),
    progress: (percent, message) => result.progress.push({ percent, message: String(message) }),
    log: (level, message) => result.logs.push({ level, message: String(message) }),
    artifact: async (name, data, mediaType) => {
      live();
      const refused = artifactRefusal(name, mediaType);
      if (refused !== null) throw new AgentFailure('agent_error', refused);
      const maxBytes = options.maxArtifactBytes ?? 100 * 2 ** 20;
      const parts: Uint8Array[] = [];
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of data instanceof Uint8Array ? [data] : data) {
        hash.update(chunk);
        size += chunk.byteLength;
        if (size > maxBytes) throw new AgentFailure('agent_error', artifactTooLarge(name, maxBytes));
        if (!options.discardArtifactBytes) parts.push(chunk);
      }
      // Joined by hand: Blob.arrayBuffer() from inside a sandbox callback can abort Node 20 (an
      // async-id assertion when async hooks are on), and a copy into one buffer is all that is needed.
      const bytes = new Uint8Array(options.discardArtifactBytes ? 0 : size);
      let at = 0;
      for (const part of parts) {
        bytes.set(part, at);
        at += part.byteLength;
      }
      const sha256 = hash.digest('hex');
      result.artifacts.set(name, {
        name,
        mediaType,
        bytes,
        size,
        sha256,
        text: () => new TextDecoder().decode(bytes),
      });
    },
    charge: async (event, quantity = 1) => {
      live();
      const refused = chargeRefusal(quantity);
      if (refused !== null) throw new AgentFailure('agent_error', refused);
      const refusal = chargeRefused(event, decideCharge(manifest.pricing, events, event, quantity));
      if (refusal !== null) throw new AgentFailure('agent_error', refusal);
      events[event] = (events[event] ?? 0) + quantity;
      result.charges.push({ event, quantity });
    },
    ask: async (text, schema) => {
      live();
      const parsed = inputSchemaSchema.parse(schema);
      const answer = options.answer?.(text, parsed);
      if (answer === undefined) throw new AgentFailure('question_unanswered', `No answer to "${text}".`);
      const wrong = validateInput(parsed, answer);
      if (wrong.length > 0)
        throw new Error(`The test's answer is not valid: ${wrong[0]!.path} ${wrong[0]!.message}`);
      return answer;
    },
    meter: async (call) => {
      result.modelCalls.push(call);
      modelCost += call.costMicroCredits;
      return { remainingMicroCredits: modelBudgetLeft(manifest.pricing, modelCost) };
    },
  };

  try {
    const stopped = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }),
    );
    await Promise.race([execute(ctx), stopped]);
  } catch (error) {
    const reason = controller.signal.reason;
    const failure: { code: FailureCode; message: string } =
      reason === 'timeout'
        ? { code: 'agent_timeout', message: `The agent ran past its timeout of ${timeoutMs} ms.` }
        : reason === 'cancel'
          ? { code: 'cancelled_by_buyer', message: 'Cancelled.' }
          : error instanceof AgentFailure
            ? { code: error.code, message: error.message }
            : { code: 'agent_error', message: error instanceof Error ? error.message : String(error) };
    result.failure = failure;
    result.status = failureOutcome(failure.code).status;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCancel);
    if (!controller.signal.aborted) controller.abort('ended');
  }
  const usage = {
    events: Object.entries(events).map(([name, quantity]) => ({ name, quantity })),
    modelCostMicroCredits: modelCost,
  };
  result.credits = settle(manifest.pricing, result.status, usage).capture;
  return result;
}
