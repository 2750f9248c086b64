import type { Catalog } from '../catalog/catalog.ts';
import type { Manifest } from '../catalog/manifest-schema.ts';
import type { RunOutcome } from '../catalog/types.ts';
import type { ApplyContext } from '../ledger/apply.ts';
import { type AgentExecutor, AgentFailure } from '../runs/executor.ts';
import {
  DEFAULT_RETRY,
  type FailureCode,
  failureOutcome,
  type RetryPolicy,
  retryDecision,
} from '../runs/failures.ts';
import { inputFileIds } from '../runs/files.ts';
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
import type { Logger } from '../shared/logger.ts';
import {
  type AttemptDeps,
  type AttemptInputs,
  agentContext,
  type Execution,
  inputFilesOf,
  platform,
  type StopReason,
  storable,
} from './agent-context.ts';
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
  /** The values of an agent's declared secrets (none by default). */
  secrets?: (manifest: Manifest, run: Run) => Promise<Record<string, string>>;
}

const ABORTED = Symbol('aborted');

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
  readonly #o: RunWorkerOptions;
  readonly #clock: Clock;
  readonly #active = new Map<string, Execution>();
  readonly #versions = new Map<string, { manifest: Manifest; bundle: string | null }>();
  readonly #finishes: Batcher<FinishRequest, FinishOutcome>;
  readonly #appends: Batcher<{ runId: string; attempt: number; events: RunEventData[] }, boolean>;
  readonly #outcomes: Batcher<RunOutcome, void>;
  readonly #attemptDeps: AttemptDeps;
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
    this.#attemptDeps = {
      store,
      storage,
      clock: this.#clock,
      appends: this.#appends,
      maxEventsPerRun: options.maxEventsPerRun ?? 10_000,
      maxArtifactBytes: options.maxArtifactBytes,
      questionTimeoutMs: options.questionTimeoutMs,
      logger: options.logger,
      abort: (exec, reason) => this.#abort(exec, reason),
      pauseTimer: (exec) => this.#pauseTimer(exec),
      resumeTimer: (exec) => this.#resumeTimer(exec),
    };
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
    // Listening before the first await: an abort that comes while the version is read (a cancel, the
    // heartbeat, a shutdown) must not be missed.
    const stopped = new Promise<typeof ABORTED>((resolve) =>
      exec.controller.signal.addEventListener('abort', () => resolve(ABORTED), { once: true }),
    );
    try {
      const version = await this.#version(run);
      const inputs = await this.#inputs(run, version.manifest);
      if (exec.controller.signal.aborted) throw new AgentFailure('agent_error', 'The run has stopped.');
      this.#resumeTimer(exec);
      const ctx = agentContext(exec, this.#attemptDeps, inputs);
      const result = await Promise.race([
        this.#executor.execute(run, version.manifest, version.bundle, ctx),
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
    if (error instanceof AgentFailure) return this.#end(error.code, storable(error.message, 2000), exec);
    const message = storable(error instanceof Error ? error.message : String(error), 2000);
    return this.#end('agent_error', message || 'The agent failed.', exec);
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

  async #inputs(run: Run, manifest: Manifest): Promise<AttemptInputs> {
    const ids = inputFileIds(manifest.input, run.input);
    const stored =
      ids.length === 0
        ? []
        : await platform('reading the input files', () => this.#store.filesOf(run.buyerId, ids));
    const secrets =
      manifest.secrets.length === 0 || !this.#o.secrets
        ? {}
        : await platform('reading the agent’s secrets', () => this.#o.secrets!(manifest, run));
    // Only what the manifest declares, whatever the source gives.
    const declared = Object.fromEntries(
      manifest.secrets.flatMap((s) =>
        typeof secrets[s.name] === 'string' ? [[s.name, secrets[s.name]!]] : [],
      ),
    );
    return { files: inputFilesOf(manifest, run.input, stored, this.#attemptDeps.storage), secrets: declared };
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
