import { type InputSchema, inputSchemaSchema } from '../catalog/input-schema.ts';
import type { Manifest } from '../catalog/manifest-schema.ts';
import {
  artifactRefusal,
  artifactTooLarge,
  chargeRefusal,
  chargeRefused,
  holdsUnstorableText,
} from '../runs/agent-rules.ts';
import { type AgentContext, AgentFailure, type InputFile } from '../runs/executor.ts';
import { fileFields, type StoredFile } from '../runs/files.ts';
import type { RunStore } from '../runs/port.ts';
import type { BlobStorage } from '../runs/storage.ts';
import type { Run, RunEventData } from '../runs/types.ts';
import type { Batcher } from '../shared/batcher.ts';
import type { Clock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';

/**
 * What an agent's code gets while one attempt of a run executes (`AgentContext`), built on the run
 * store: progress and logs (group-committed, in order), artifacts, per-event charges, questions. What
 * the platform fails at inside an attempt is the platform's fault (`platform_transient`), not the
 * agent's.
 */

export type StopReason = { kind: 'timeout' } | { kind: 'ended' } | { kind: 'shutdown' };

export interface Execution {
  run: Run;
  controller: AbortController;
  /** Events appended by this attempt, in order; awaited before the attempt ends. */
  pending: Promise<unknown>;
  events: number;
  ask: { questionId: string; resolve: (answer: Record<string, unknown>) => void } | null;
  timer: ReturnType<typeof setTimeout> | null;
  remainingMs: number;
  timerStartedAt: number;
}

/** What building a context needs from the worker that runs the attempt. */
export interface AttemptDeps {
  store: RunStore;
  storage: BlobStorage;
  clock: Clock;
  appends: Batcher<{ runId: string; attempt: number; events: RunEventData[] }, boolean>;
  maxEventsPerRun: number;
  maxArtifactBytes: number;
  questionTimeoutMs: number;
  logger?: Logger | undefined;
  abort(exec: Execution, reason: StopReason): void;
  pauseTimer(exec: Execution): void;
  resumeTimer(exec: Execution): void;
}

const LOG_LEVELS: readonly string[] = ['info', 'warn', 'error'];

/** Text an agent gives (a log line, a question) as Postgres can store it: no NUL, no lone surrogate. */
export function storable(text: unknown, max: number): string {
  return String(text)
    .slice(0, max)
    .replaceAll('\0', '\ufffd')
    .replace(/\p{Cs}/gu, '\ufffd');
}

/**
 * The platform's own operations inside an attempt (storage, the database): if one fails, that is the
 * platform's fault and transient, not the agent's (retried for retry-safe agents, never held against
 * the creator).
 */
export async function platform<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof AgentFailure) throw error;
    throw new AgentFailure('platform_transient', `The platform failed while ${what}.`);
  }
}

/** What an attempt is given besides its input: the uploaded files (by field) and the secrets' values. */
export interface AttemptInputs {
  files: Record<string, InputFile[]>;
  secrets: Record<string, string>;
}

/**
 * The run's files by input field, in the order the input names them, each opened from storage on
 * demand. A file that vanished from storage is the platform's fault (transient).
 */
export function inputFilesOf(
  manifest: Manifest,
  input: Record<string, unknown>,
  stored: readonly StoredFile[],
  storage: BlobStorage,
): Record<string, InputFile[]> {
  const byId = new Map(stored.map((f) => [f.id, f]));
  const out: Record<string, InputFile[]> = {};
  for (const field of fileFields(manifest.input)) {
    const ids = input[field.name];
    if (!Array.isArray(ids)) continue;
    out[field.name] = ids.flatMap((id) => {
      const f = byId.get(id as string);
      if (!f) return [];
      return [
        {
          id: f.id,
          name: f.name,
          mediaType: f.mediaType,
          size: f.size,
          open: () =>
            platform('reading an input file', async () => {
              const stream = await storage.get(f.storageKey);
              if (!stream) throw new Error(`input file ${f.id} is missing from storage`);
              return stream;
            }),
        },
      ];
    });
  }
  return out;
}

export function agentContext(exec: Execution, d: AttemptDeps, inputs: AttemptInputs): AgentContext {
  const { run } = exec;
  const max = d.maxEventsPerRun;
  const append = (data: RunEventData) => {
    exec.events++;
    if (exec.events > max + 1) return;
    const event: RunEventData =
      exec.events === max + 1
        ? { type: 'log', level: 'warn', message: `More than ${max} events: the rest are not kept.` }
        : data;
    // A log line lost to a database hiccup is logged here, never allowed to crash the process.
    exec.pending = exec.pending
      .then(() => d.appends.submit({ runId: run.id, attempt: run.attempt, events: [event] }))
      .catch((err: unknown) => d.logger?.warn({ err, runId: run.id }, 'run event not kept'));
  };
  const ensureLive = () => {
    if (exec.controller.signal.aborted) throw new AgentFailure('agent_error', 'The run has stopped.');
  };
  return {
    runId: run.id,
    input: run.input,
    signal: exec.controller.signal,
    files: inputs.files,
    secrets: inputs.secrets,
    meter: async (call) => {
      await exec.pending;
      const m = await platform('recording a model call', () =>
        d.store.meter(run.id, run.attempt, call, d.clock.now()),
      );
      if (m.type === 'stale') {
        // Spent at the provider but billed to no run: logged, so the operator can reconcile the bills.
        d.logger?.warn(
          { runId: run.id, call: { ...call, costMicroCredits: String(call.costMicroCredits) } },
          'model call after its attempt ended',
        );
        throw new AgentFailure('agent_error', 'The run has stopped.');
      }
      return { remainingMicroCredits: m.remainingMicroCredits };
    },
    progress: (percent, message) => {
      const p =
        percent === null || !Number.isFinite(percent)
          ? null
          : Math.min(100, Math.max(0, Math.round(percent)));
      append({ type: 'progress', percent: p, message: storable(message, 500) });
    },
    log: (level, message) =>
      append({
        type: 'log',
        level: LOG_LEVELS.includes(level) ? level : 'info',
        message: storable(message, 4000),
      }),
    artifact: async (name, bytes, mediaType) => {
      ensureLive();
      const refused = artifactRefusal(name, mediaType);
      if (refused !== null) throw new AgentFailure('agent_error', refused);
      const id = newId('art');
      const key = `artifacts/${run.id}/${id}`;
      const put = await platform('storing an artifact', () =>
        d.storage.put(key, bytes, { maxBytes: d.maxArtifactBytes }),
      );
      if (!put.ok) throw new AgentFailure('agent_error', artifactTooLarge(name, put.maxBytes));
      await exec.pending;
      const added = await platform('recording an artifact', () =>
        d.store.addArtifact(
          {
            id,
            runId: run.id,
            ownerId: run.buyerId,
            name,
            mediaType,
            size: put.size,
            sha256: put.sha256,
            storageKey: key,
            createdAt: d.clock.now(),
          },
          run.attempt,
        ),
      );
      // A replaced artifact of the same name leaves no blob behind.
      const orphan = added.ok ? added.replacedKey : key;
      if (orphan) await d.storage.delete(orphan).catch(() => {});
      if (!added.ok) throw new AgentFailure('agent_error', 'The run has stopped.');
    },
    charge: async (event, quantity = 1) => {
      ensureLive();
      const refused = chargeRefusal(quantity);
      if (refused !== null) throw new AgentFailure('agent_error', refused);
      await exec.pending;
      const c = await platform('recording a charge', () =>
        d.store.charge(run.id, run.attempt, String(event), quantity, d.clock.now()),
      );
      const refusal = chargeRefused(String(event), c);
      if (refusal !== null) throw new AgentFailure('agent_error', refusal);
    },
    ask: async (text, schema, options) => {
      ensureLive();
      if (exec.ask)
        throw new AgentFailure('agent_error', 'One question at a time: the last one is not answered yet.');
      const parsed = inputSchemaSchema.safeParse(schema);
      if (!parsed.success || holdsUnstorableText(parsed.data))
        throw new AgentFailure('agent_error', 'The question’s answer schema is not valid.');
      if (fileFields(parsed.data as InputSchema).length > 0) {
        throw new AgentFailure('agent_error', 'A question cannot ask for files.');
      }
      const seconds = options?.timeoutSeconds;
      if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) {
        throw new AgentFailure('agent_error', 'A question’s timeout is a positive number of seconds.');
      }
      await exec.pending;
      const now = d.clock.now();
      const timeoutMs = Math.min(d.questionTimeoutMs, (seconds ?? Number.POSITIVE_INFINITY) * 1000);
      exec.events++;
      const question = {
        // Unique across the run's attempts: an answer to an earlier attempt's question never counts.
        id: `q${run.attempt}-${exec.events}`,
        text: storable(text, 2000),
        schema: parsed.data as InputSchema,
        askedAt: now,
        deadline: new Date(now.getTime() + timeoutMs),
      };
      d.pauseTimer(exec);
      const asked = await platform('asking the buyer', () =>
        d.store.ask(run.id, run.attempt, question),
      ).catch((e: unknown) => {
        d.resumeTimer(exec);
        throw e;
      });
      if (!asked.ok) {
        d.abort(exec, { kind: 'ended' });
        throw new AgentFailure('agent_error', 'The run has stopped.');
      }
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        const stop = () => reject(new AgentFailure('agent_error', 'The run has stopped.'));
        if (exec.controller.signal.aborted) return stop();
        exec.ask = { questionId: question.id, resolve };
        exec.controller.signal.addEventListener('abort', stop, { once: true });
      });
    },
  };
}
