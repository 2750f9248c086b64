import type { Catalog } from '../catalog/catalog.ts';
import { type InputSchema, inputSchemaSchema } from '../catalog/input-schema.ts';
import { artifactName, type Manifest } from '../catalog/manifest-schema.ts';
import type { RunOutcome } from '../catalog/types.ts';
import type { ApplyContext } from '../ledger/apply.ts';
import { type AgentContext, type AgentExecutor, AgentFailure } from '../runs/executor.ts';
import {
  DEFAULT_RETRY,
  type FailureCode,
  failureOutcome,
  type RetryPolicy,
  retryDecision,
} from '../runs/failures.ts';
import { fileFields } from '../runs/files.ts';
import type {
  ConcurrencyLimits,
  FinishDecision,
  FinishOutcome,
  FinishRequest,
  RunStore,
} from '../runs/port.ts';
import { isFinal } from '../runs/statuses.ts';
import type { BlobStorage } from '../runs/storage.ts';
import type { Run, RunEventData } from '../runs/types.ts';
import { Batcher } from '../shared/batcher.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import type { Logger } from '../shared/logger.ts';
import { runOutcomeOf } from './run-outcome.ts';

export interface RunWorkerOptions {
  workerId: string;
  /** Runs this worker executes at once. */
  capacity: number;
  limits: ConcurrencyLimits;
  retry?: RetryPolicy;
  heartbeatMs: number;
  /** How long an agent may wait for the buyer's answer, unless it asks for less. */
  questionTimeoutMs: number;
  maxArtifactBytes: number;
  /** Log lines and progress messages kept per run; past it they are dropped (with one warning). */
  maxEventsPerRun?: number;
  clock?: Clock;
  ledgerContext: () => ApplyContext;
  logger?: Logger;
  /** Finishing transactions in flight at once (default 2; 1 on a one-connection engine). */
  batchesInFlight?: number;
  /** How long a batch of finishes waits for company (see `BatcherOptions.lingerMs`). */
  batchLingerMs?: number;
}

type StopReason = { kind: 'timeout' } | { kind: 'ended' } | { kind: 'shutdown' };

interface Execution {
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

const ABORTED = Symbol('aborted');
const LOG_LEVELS: readonly string[] = ['info', 'warn', 'error'];
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}(;[ -~]{0,200})?$/i;

/** Text an agent gives (a log line, a question) as Postgres can store it: no NUL, no lone surrogate. */
function storable(text: unknown, max: number): string {
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
async function platform<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof AgentFailure) throw error;
    throw new AgentFailure('platform_transient', `The platform failed while ${what}.`);
  }
}

/**
 * Executes runs: takes jobs (within its capacity), starts their runs, runs each attempt through the
 * executor with a context (progress, logs, artifacts, charges, questions, an AbortSignal), enforces the
 * manifest's timeout, and ends the attempt: succeeded (settled), failed (retried only for transient
 * platform trouble of retry-safe agents, otherwise refunded), or timed out. A heartbeat keeps its
 * attempts alive and stops any the platform ended elsewhere (a cancellation, the sweep).
 */
export class RunWorker {
  readonly #store: RunStore;
  readonly #catalog: Catalog;
  readonly #executor: AgentExecutor;
  readonly #storage: BlobStorage;
  readonly #o: RunWorkerOptions;
  readonly #clock: Clock;
  readonly #active = new Map<string, Execution>();
  readonly #versions = new Map<string, { manifest: Manifest; bundle: string | null }>();
  readonly #finishes: Batcher<FinishRequest, FinishOutcome>;
  readonly #appends: Batcher<{ runId: string; attempt: number; events: RunEventData[] }, boolean>;
  readonly #outcomes: Batcher<RunOutcome, void>;
  #free: number;
  #waiting: (() => void)[] = [];
  #heartbeat: ReturnType<typeof setInterval> | null = null;
  #stopping = false;

  constructor(
    store: RunStore,
    catalog: Catalog,
    executor: AgentExecutor,
    storage: BlobStorage,
    options: RunWorkerOptions,
  ) {
    this.#store = store;
    this.#catalog = catalog;
    this.#executor = executor;
    this.#storage = storage;
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#free = options.capacity;
    this.#finishes = new Batcher((reqs) => this.#store.finish(reqs, this.#o.ledgerContext()), {
      maxBatch: 200,
      maxInFlight: options.batchesInFlight ?? 2,
      lingerMs: options.batchLingerMs ?? 0,
    });
    // One batch at a time, so that a run's events keep the order in which the agent sent them.
    this.#appends = new Batcher((items) => this.#store.append(items, this.#clock.now()), {
      maxBatch: 500,
      maxInFlight: 1,
    });
    this.#outcomes = new Batcher<RunOutcome, void>(
      async (outcomes) => {
        await this.#catalog.recordRunOutcomes(outcomes);
        return outcomes.map((): void => undefined);
      },
      // Stats need not be instant: outcomes gather for a moment, so that a busy agent's listing row is
      // written a few times a second, not once per finished run.
      { maxBatch: 1000, maxInFlight: 1, lingerMs: 100 },
    );
  }

  get active(): number {
    return this.#active.size;
  }

  /** Starts the heartbeat. Jobs arrive through `onJobs` (the queue calls it). */
  start(): void {
    this.#heartbeat = setInterval(
      () => void this.beat().catch((e) => this.#o.logger?.error({ err: e }, 'heartbeat failed')),
      this.#o.heartbeatMs,
    );
    this.#heartbeat.unref();
  }

  /**
   * Starts the runs of these jobs, as capacity allows (it waits for free slots: that is the queue's
   * back-pressure). Resolves once every run was started or found not to need starting.
   */
  async onJobs(runIds: readonly string[]): Promise<void> {
    let rest = [...runIds];
    while (rest.length > 0) {
      if (this.#stopping) throw new Error('the worker is stopping');
      const n = await this.#acquire(rest.length);
      const take = rest.slice(0, n);
      rest = rest.slice(n);
      const outcomes = await this.#store
        .start(
          take.map((runId) => ({ runId, workerId: this.#o.workerId })),
          this.#o.limits,
          this.#clock.now(),
        )
        .catch((e: unknown) => {
          this.#release(n);
          throw e;
        });
      let used = 0;
      for (const o of outcomes) {
        if (o.type !== 'started') continue;
        used++;
        void this.#execute(o.run);
      }
      this.#release(n - used);
    }
  }

  /** Keeps this worker's attempts alive; stops those the platform ended elsewhere. */
  async beat(): Promise<void> {
    // Only the attempts that were running when the heartbeat was sent are judged by its answer: one
    // started meanwhile has not been heartbeaten yet, and must not be taken for ended.
    const mine = [...this.#active.values()];
    const alive = await this.#store.heartbeat(
      this.#o.workerId,
      mine.map((e) => ({ runId: e.run.id, attempt: e.run.attempt })),
      this.#clock.now(),
    );
    const byRun = new Map(alive.map((a) => [a.runId, a]));
    for (const exec of mine) {
      const a = byRun.get(exec.run.id);
      if (!a || a.attempt !== exec.run.attempt || isFinal(a.status)) this.#abort(exec, { kind: 'ended' });
      else if (exec.ask && a.status === 'running') this.#collectAnswerQuietly(exec);
    }
  }

  /** Something happened to these runs elsewhere (a cancellation, an answer): look at once. */
  async onControl(runIds: readonly string[]): Promise<void> {
    await Promise.all(
      runIds.map(async (runId) => {
        const exec = this.#active.get(runId);
        if (!exec) return;
        const run = await this.#store.get(runId);
        if (!run || run.attempt !== exec.run.attempt || isFinal(run.status) || run.status === 'queued') {
          this.#abort(exec, { kind: 'ended' });
        } else if (exec.ask && run.status === 'running') {
          this.#collectAnswerQuietly(exec);
        }
      }),
    );
  }

  /**
   * Stops taking work, gives running attempts `graceMs` to end, then gives up the rest as lost (they are
   * retried if their agents allow it, else failed and refunded).
   */
  /** Takes no more jobs: a queue handler waiting for a slot gives its jobs back at once. */
  drain(): void {
    this.#stopping = true;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  async stop(graceMs: number): Promise<void> {
    this.drain();
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    const deadline = Date.now() + graceMs;
    while (this.#active.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const left = [...this.#active.values()];
    for (const exec of left) this.#abort(exec, { kind: 'shutdown' });
    while (this.#active.size > 0) await new Promise((r) => setTimeout(r, 10));
  }

  async #execute(run: Run): Promise<void> {
    const exec: Execution = {
      run,
      controller: new AbortController(),
      pending: Promise.resolve(),
      events: 0,
      ask: null,
      timer: null,
      remainingMs: Math.max(0, (run.deadlineAt?.getTime() ?? Date.now()) - this.#clock.now().getTime()),
      timerStartedAt: 0,
    };
    this.#active.set(run.id, exec);
    let decision: FinishDecision | null;
    try {
      const version = await this.#version(run);
      this.#resumeTimer(exec);
      const stopped = new Promise<typeof ABORTED>((resolve) =>
        exec.controller.signal.addEventListener('abort', () => resolve(ABORTED), { once: true }),
      );
      const result = await Promise.race([
        this.#executor.execute(run, version.manifest, version.bundle, this.#context(exec)),
        stopped,
      ]);
      decision = result === ABORTED ? this.#stopDecision(exec) : { type: 'succeeded' };
    } catch (error) {
      decision = exec.controller.signal.aborted
        ? this.#stopDecision(exec)
        : this.#failureDecision(exec, error);
    } finally {
      if (exec.timer) clearTimeout(exec.timer);
    }
    try {
      await exec.pending.catch(() => {});
      if (decision === null) return;
      const outcome = await this.#finishes.submit({ runId: run.id, attempt: run.attempt, decision });
      if (outcome.type === 'finished' && isFinal(outcome.run.status)) this.#record(outcome.run);
    } catch (error) {
      // The sweep ends an attempt whose worker could not (its heartbeat stops with it).
      this.#o.logger?.error({ err: error, runId: run.id }, 'could not end an attempt');
    } finally {
      this.#active.delete(run.id);
      this.#release(1);
    }
  }

  #stopDecision(exec: Execution): FinishDecision | null {
    const reason = exec.controller.signal.reason as StopReason;
    if (reason.kind === 'timeout') {
      const s = exec.run.timeoutSeconds;
      return this.#end(
        'agent_timeout',
        `The agent ran past its timeout of ${s} second${s === 1 ? '' : 's'}.`,
        exec,
      );
    }
    if (reason.kind === 'shutdown')
      return this.#end('worker_lost', 'The worker stopped during the run.', exec);
    return null; // ended elsewhere: whoever ended it settled it
  }

  #failureDecision(exec: Execution, error: unknown): FinishDecision {
    if (error instanceof AgentFailure) return this.#end(error.code, error.message, exec);
    const message = error instanceof Error ? error.message : String(error);
    return this.#end('agent_error', message.slice(0, 2000) || 'The agent failed.', exec);
  }

  #end(code: FailureCode, message: string, exec: Execution): FinishDecision {
    const d = retryDecision(code, exec.run.attempt, exec.run.retrySafe, this.#o.retry ?? DEFAULT_RETRY);
    const failure = { code, fault: failureOutcome(code).fault, message };
    if (d.type === 'retry') return { type: 'retry', delayMs: d.delayMs, failure };
    return { type: 'end', status: d.outcome.status, failure };
  }

  #abort(exec: Execution, reason: StopReason): void {
    if (!exec.controller.signal.aborted) exec.controller.abort(reason);
  }

  #resumeTimer(exec: Execution): void {
    exec.timerStartedAt = Date.now();
    exec.timer = setTimeout(() => this.#abort(exec, { kind: 'timeout' }), exec.remainingMs);
  }

  #pauseTimer(exec: Execution): void {
    if (exec.timer) clearTimeout(exec.timer);
    exec.timer = null;
    exec.remainingMs = Math.max(0, exec.remainingMs - (Date.now() - exec.timerStartedAt));
  }

  /** Looks for the answer; a failure to look is retried by the next heartbeat. */
  #collectAnswerQuietly(exec: Execution): void {
    this.#collectAnswer(exec).catch((err: unknown) =>
      this.#o.logger?.warn({ err, runId: exec.run.id }, 'could not read an answer yet'),
    );
  }

  async #collectAnswer(exec: Execution): Promise<void> {
    const ask = exec.ask;
    if (!ask) return;
    const answer = await this.#store.answerOf(exec.run.id, ask.questionId);
    if (answer && exec.ask === ask) {
      exec.ask = null;
      this.#resumeTimer(exec);
      ask.resolve(answer);
    }
  }

  async #version(run: Run): Promise<{ manifest: Manifest; bundle: string | null }> {
    const cached = this.#versions.get(run.versionId);
    if (cached) return cached;
    const v = await platform('reading the agent version', () =>
      this.#catalog.versionOf(run.slug, run.versionId),
    );
    if (!v)
      throw new AgentFailure('agent_error', `Version ${run.version} of "${run.slug}" no longer exists.`);
    // Published versions never change; a creator's draft may, so it is read again each time.
    if (v.published) this.#versions.set(run.versionId, v);
    return v;
  }

  #context(exec: Execution): AgentContext {
    const { run } = exec;
    const max = this.#o.maxEventsPerRun ?? 10_000;
    const append = (data: RunEventData) => {
      exec.events++;
      if (exec.events > max + 1) return;
      const event: RunEventData =
        exec.events === max + 1
          ? { type: 'log', level: 'warn', message: `More than ${max} events: the rest are not kept.` }
          : data;
      // A log line lost to a database hiccup is logged here, never allowed to crash the process.
      exec.pending = exec.pending
        .then(() => this.#appends.submit({ runId: run.id, attempt: run.attempt, events: [event] }))
        .catch((err: unknown) => this.#o.logger?.warn({ err, runId: run.id }, 'run event not kept'));
    };
    const ensureLive = () => {
      if (exec.controller.signal.aborted) throw new AgentFailure('agent_error', 'The run has stopped.');
    };
    return {
      runId: run.id,
      input: run.input,
      signal: exec.controller.signal,
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
        if (!artifactName.safeParse(name).success) {
          throw new AgentFailure(
            'agent_error',
            `"${name}" is not a valid artifact name (letters, digits, ".", "_", "-").`,
          );
        }
        if (typeof mediaType !== 'string' || !MEDIA_TYPE.test(mediaType)) {
          throw new AgentFailure(
            'agent_error',
            `"${String(mediaType)}" is not a media type such as text/plain.`,
          );
        }
        const id = newId('art');
        const key = `artifacts/${run.id}/${id}`;
        const put = await platform('storing an artifact', () =>
          this.#storage.put(key, bytes, { maxBytes: this.#o.maxArtifactBytes }),
        );
        if (!put.ok)
          throw new AgentFailure('agent_error', `Artifact "${name}" is larger than ${put.maxBytes} bytes.`);
        await exec.pending;
        const added = await platform('recording an artifact', () =>
          this.#store.addArtifact(
            {
              id,
              runId: run.id,
              ownerId: run.buyerId,
              name,
              mediaType,
              size: put.size,
              sha256: put.sha256,
              storageKey: key,
              createdAt: this.#clock.now(),
            },
            run.attempt,
          ),
        );
        // A replaced artifact of the same name leaves no blob behind.
        const orphan = added.ok ? added.replacedKey : key;
        if (orphan) await this.#storage.delete(orphan).catch(() => {});
        if (!added.ok) throw new AgentFailure('agent_error', 'The run has stopped.');
      },
      charge: async (event, quantity = 1) => {
        ensureLive();
        if (!Number.isInteger(quantity) || quantity < 1 || quantity > 1_000_000) {
          throw new AgentFailure(
            'agent_error',
            `Charge quantities are whole numbers from 1 (got ${quantity}).`,
          );
        }
        await exec.pending;
        const c = await platform('recording a charge', () =>
          this.#store.charge(run.id, run.attempt, String(event), quantity, this.#clock.now()),
        );
        if (c.type === 'charged') return;
        if (c.type === 'over_maximum') {
          throw new AgentFailure(
            'agent_error',
            `Charging "${event}" would bring the run to ${c.total} credits, above its maximum of ${c.max}.`,
          );
        }
        if (c.type === 'unknown_event')
          throw new AgentFailure('agent_error', `The price has no event "${event}".`);
        throw new AgentFailure('agent_error', 'The run has stopped.');
      },
      ask: async (text, schema, options) => {
        ensureLive();
        if (exec.ask)
          throw new AgentFailure('agent_error', 'One question at a time: the last one is not answered yet.');
        const parsed = inputSchemaSchema.safeParse(schema);
        if (!parsed.success)
          throw new AgentFailure('agent_error', 'The question’s answer schema is not valid.');
        if (fileFields(parsed.data as InputSchema).length > 0) {
          throw new AgentFailure('agent_error', 'A question cannot ask for files.');
        }
        const seconds = options?.timeoutSeconds;
        if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0)) {
          throw new AgentFailure('agent_error', 'A question’s timeout is a positive number of seconds.');
        }
        await exec.pending;
        const now = this.#clock.now();
        const timeoutMs = Math.min(this.#o.questionTimeoutMs, (seconds ?? Number.POSITIVE_INFINITY) * 1000);
        exec.events++;
        const question = {
          // Unique across the run's attempts: an answer to an earlier attempt's question never counts.
          id: `q${run.attempt}-${exec.events}`,
          text: storable(text, 2000),
          schema: parsed.data as InputSchema,
          askedAt: now,
          deadline: new Date(now.getTime() + timeoutMs),
        };
        this.#pauseTimer(exec);
        const asked = await platform('asking the buyer', () =>
          this.#store.ask(run.id, run.attempt, question),
        ).catch((e: unknown) => {
          this.#resumeTimer(exec);
          throw e;
        });
        if (!asked.ok) {
          this.#abort(exec, { kind: 'ended' });
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

  #record(run: Run): void {
    void this.#outcomes
      .submit(runOutcomeOf(run, this.#clock.now()))
      .catch((e: unknown) => this.#o.logger?.warn({ err: e, runId: run.id }, 'run outcome not recorded'));
  }

  async #acquire(want: number): Promise<number> {
    while (this.#free === 0 && !this.#stopping) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    if (this.#stopping) throw new Error('the worker is stopping');
    const n = Math.min(this.#free, want);
    this.#free -= n;
    return n;
  }

  #release(n: number): void {
    if (n <= 0) return;
    this.#free += n;
    for (const wake of this.#waiting.splice(0)) wake();
  }
}
