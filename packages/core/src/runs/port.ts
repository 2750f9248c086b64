import type { ApplyContext } from '../ledger/apply.ts';
import type { ModelCall } from './executor.ts';
import type { FailureCode } from './failures.ts';
import type { StoredFile } from './files.ts';
import type { RunStatus } from './statuses.ts';
import type { Artifact, Question, Run, RunEvent, RunEventData, RunFailure } from './types.ts';

/** A run about to be created: what the engine decided before any money moved. */
export type NewRun = Pick<
  Run,
  | 'id'
  | 'buyerId'
  | 'agentId'
  | 'versionId'
  | 'slug'
  | 'version'
  | 'creatorId'
  | 'input'
  | 'pricing'
  | 'maxCredits'
  | 'idempotencyKey'
  | 'timeoutSeconds'
  | 'retrySafe'
  | 'expiresAt'
  | 'createdAt'
> & {
  /** SHA-256 of what was asked (agent, input, cap), when a key makes the submission replayable. */
  requestHash: string;
};

export type MeterOutcome = { type: 'metered'; remainingMicroCredits: bigint | null } | { type: 'stale' };

export type SubmitOutcome =
  | { type: 'created'; run: Run }
  | { type: 'replayed'; run: Run }
  | { type: 'idempotency_conflict'; runId: string }
  | { type: 'insufficient_credits'; available: bigint; required: bigint }
  | { type: 'wallet_not_found' };

export interface ConcurrencyLimits {
  perBuyer: number;
  perAgent: number;
}

export type StartOutcome =
  | { type: 'started'; run: Run }
  | { type: 'blocked'; on: 'buyer' | 'agent' }
  | { type: 'skipped'; status: RunStatus | null };

/** How the engine decided an attempt ends. */
export type FinishDecision =
  | { type: 'succeeded' }
  | { type: 'end'; status: 'failed' | 'timed_out' | 'cancelled'; failure: RunFailure }
  | { type: 'retry'; delayMs: number; failure: RunFailure };

export interface FinishRequest {
  runId: string;
  /** The attempt that ends: a finish for any other attempt is stale and changes nothing. */
  attempt: number;
  decision: FinishDecision;
}

export type FinishOutcome = { type: 'finished'; run: Run } | { type: 'stale'; run: Run | null };

/** Open attempts whose heartbeat stopped, or runs past a deadline: what the sweep must end. */
export interface SweepCandidates {
  lostAttempts: { runId: string; attempt: number; retrySafe: boolean }[];
  pastDeadline: { runId: string; attempt: number }[];
  unanswered: { runId: string; attempt: number }[];
  /** Queued runs about to outlive their hold. */
  expiring: { runId: string; attempt: number }[];
}

export type ChargeOutcome =
  | { type: 'charged'; credits: number; total: number }
  | { type: 'over_maximum'; total: number; max: number }
  | { type: 'unknown_event' }
  | { type: 'stale' };

export type AnswerOutcome =
  | { type: 'answered'; run: Run }
  | { type: 'no_question'; status: RunStatus }
  | { type: 'wrong_question'; questionId: string };

/**
 * What the run engine needs from storage. Every status change is a compare-and-set under the run's row
 * lock, in the transaction that also moves its money and appends its events; the Drizzle store
 * implements it on PGlite and Postgres alike.
 */
export interface RunStore {
  /** Creates runs, places their holds and enqueues their jobs in ONE transaction per batch. */
  submit(runs: NewRun[], ctx: ApplyContext): Promise<SubmitOutcome[]>;
  /** Starts queued runs (a new attempt each) within the concurrency limits. */
  start(
    requests: { runId: string; workerId: string }[],
    limits: ConcurrencyLimits,
    now: Date,
  ): Promise<StartOutcome[]>;
  /**
   * Ends attempts: a final status settles the hold in the same transaction; a retry requeues.
   * `tellWorkers` (the sweep) also tells the workers executing them to stop; a worker ending its own
   * attempts has no one to tell.
   */
  finish(
    requests: FinishRequest[],
    ctx: ApplyContext,
    options?: { tellWorkers?: boolean },
  ): Promise<FinishOutcome[]>;
  /** The buyer cancels: any run that has not ended, settled at once (what was delivered is paid). */
  cancel(
    runId: string,
    buyerId: string,
    ctx: ApplyContext,
  ): Promise<{ type: 'cancelled'; run: Run } | { type: 'already_ended'; run: Run } | { type: 'not_found' }>;
  /** The running attempt asks the buyer a question; the run waits in awaiting_input. */
  ask(runId: string, attempt: number, question: Question): Promise<{ ok: boolean }>;
  answer(
    runId: string,
    buyerId: string,
    questionId: string,
    answer: Record<string, unknown>,
    now: Date,
  ): Promise<AnswerOutcome | { type: 'not_found' }>;
  /** The answer the buyer gave to a question, once there is one. */
  answerOf(runId: string, questionId: string): Promise<Record<string, unknown> | null>;
  /**
   * Records a metered model call on the run (its usage and a `model` event) and says what the run may
   * still spend on models (null: not limited by per-token pricing); stale when the attempt has ended.
   */
  meter(runId: string, attempt: number, call: ModelCall, now: Date): Promise<MeterOutcome>;
  /** Records per-event charges; refused past the run's maximum or for an event the price lacks. */
  charge(runId: string, attempt: number, event: string, quantity: number, now: Date): Promise<ChargeOutcome>;
  /** Appends progress and log events of a running attempt (group-committed by the caller). */
  append(items: { runId: string; attempt: number; events: RunEventData[] }[], now: Date): Promise<boolean[]>;
  /**
   * Records an artifact of the live attempt; one of the same name is replaced (its blob's key comes back
   * in `replacedKey`, for the caller to delete).
   */
  addArtifact(
    artifact: Artifact,
    attempt: number,
  ): Promise<{ ok: true; replacedKey: string | null } | { ok: false }>;
  /**
   * Keeps alive the attempts this worker is executing right now (only those: an attempt it gave up on
   * must go silent, so that the sweep ends it) and answers the ones still open, with their runs'
   * statuses; an attempt missing from the answer was ended elsewhere.
   */
  heartbeat(
    workerId: string,
    attempts: readonly { runId: string; attempt: number }[],
    now: Date,
  ): Promise<{ runId: string; attempt: number; status: RunStatus }[]>;
  sweepCandidates(now: Date, leaseMs: number, limit: number): Promise<SweepCandidates>;
  /** Queued runs waiting for a slot that another process may now give them: re-offers them. */
  unblock(limit: number, limits?: ConcurrencyLimits): Promise<number>;

  addFile(file: StoredFile): Promise<void>;
  /** The files among `ids` that belong to `ownerId`. */
  filesOf(ownerId: string, ids: readonly string[]): Promise<StoredFile[]>;

  get(runId: string): Promise<Run | null>;
  list(
    buyerId: string,
    options: { cursor: string | null; limit: number; status?: RunStatus },
  ): Promise<{ items: Run[]; nextCursor: string | null } | null>;
  events(runId: string, afterSeq: number, limit: number): Promise<RunEvent[]>;
  artifacts(runId: string): Promise<Artifact[]>;
  artifact(runId: string, artifactId: string): Promise<Artifact | null>;
  deleteArtifact(runId: string, artifactId: string): Promise<Artifact | null>;
}

export type { FailureCode };
