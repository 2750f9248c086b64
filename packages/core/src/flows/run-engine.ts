import { createHash } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.ts';
import type { InputSchema } from '../catalog/input-schema.ts';
import { type Issue, validateInput } from '../catalog/input-validator.ts';
import type { Actor, CatalogError } from '../catalog/types.ts';
import type { ApplyContext } from '../ledger/apply.ts';
import type { AgentExecutor } from '../runs/executor.ts';
import type { ConcurrencyLimits, FinishRequest, NewRun, RunStore, SubmitOutcome } from '../runs/port.ts';
import type { Run, RunEvent } from '../runs/types.ts';
import { Batcher } from '../shared/batcher.ts';
import { toCanonicalJson } from '../shared/canonical-json.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { err, ok, type Result } from '../shared/result.ts';

export interface RunEngineOptions {
  clock?: Clock;
  limits: ConcurrencyLimits;
  /** How long a run may live from submission to its end; its hold lives an hour longer. */
  maxRunMs: number;
  commissionBps: number;
  payoutMinimum: bigint;
}

export interface SubmitRequest {
  buyer: Actor;
  /** `slug` or `slug@version`. */
  agent: string;
  input: unknown;
  /** The most the buyer accepts to pay; a quote above it is refused before anything is held. */
  maxCredits?: number | undefined;
  idempotencyKey?: string | undefined;
}

export type SubmitError =
  | { type: 'catalog'; error: CatalogError }
  | { type: 'input_invalid'; issues: Issue[] }
  | { type: 'agent_unavailable'; slug: string; reason: string }
  | { type: 'quote_exceeds_cap'; quote: number; cap: number }
  | { type: 'insufficient_credits'; quote: number; available: bigint }
  | { type: 'wallet_not_found' }
  | { type: 'idempotency_conflict'; runId: string };

export type RunAccessError = { type: 'run_not_found'; runId: string };
export type AnswerError =
  | RunAccessError
  | { type: 'no_question'; status: Run['status'] }
  | { type: 'wrong_question'; questionId: string }
  | { type: 'answer_invalid'; issues: Issue[] };

/**
 * The buyer's side of runs: quote, submit, look, cancel, answer. Submission checks everything that
 * can be checked before money moves (the agent, the input against its schema, the quote against the
 * buyer's cap), then creates the run, its hold and its job in one transaction (group-committed).
 */
export class RunEngine {
  readonly #store: RunStore;
  readonly #catalog: Catalog;
  readonly #executor: AgentExecutor | null;
  readonly #clock: Clock;
  readonly #options: RunEngineOptions;
  readonly #submits: Batcher<NewRun, SubmitOutcome>;

  constructor(store: RunStore, catalog: Catalog, executor: AgentExecutor | null, options: RunEngineOptions) {
    this.#store = store;
    this.#catalog = catalog;
    this.#executor = executor;
    this.#clock = options.clock ?? systemClock;
    this.#options = options;
    this.#submits = new Batcher((items) => this.#store.submit(items, this.ledgerContext()), {
      maxBatch: 200,
    });
  }

  ledgerContext(): ApplyContext {
    return {
      now: this.#clock.now(),
      commissionBps: this.#options.commissionBps,
      payoutMinimum: this.#options.payoutMinimum,
    };
  }

  async quote(
    actor: Actor,
    agent: string,
  ): Promise<Result<{ slug: string; version: string; quote: number; pricing: Run['pricing'] }, SubmitError>> {
    const resolved = await this.#catalog.resolve(actor, agent);
    if (!resolved.ok) return err({ type: 'catalog', error: resolved.error });
    const v = resolved.value;
    return ok({ slug: v.slug, version: v.version, quote: v.maxCredits, pricing: v.pricing });
  }

  async submit(req: SubmitRequest): Promise<Result<{ run: Run; replayed: boolean }, SubmitError>> {
    const resolved = await this.#catalog.resolve(req.buyer, req.agent);
    if (!resolved.ok) return err({ type: 'catalog', error: resolved.error });
    const v = resolved.value;
    const issues = validateInput(v.manifest.input, req.input);
    if (issues.length > 0) return err({ type: 'input_invalid', issues });
    const why = this.#executor?.unavailable(v.manifest, v.bundle) ?? null;
    if (why !== null) return err({ type: 'agent_unavailable', slug: v.slug, reason: why });
    if (req.maxCredits !== undefined && v.maxCredits > req.maxCredits) {
      return err({ type: 'quote_exceeds_cap', quote: v.maxCredits, cap: req.maxCredits });
    }
    const now = this.#clock.now();
    const input = req.input as Record<string, unknown>;
    const outcome = await this.#submits.submit({
      id: newId('run', now.getTime()),
      buyerId: req.buyer.id,
      agentId: v.agentId,
      versionId: v.versionId,
      slug: v.slug,
      version: v.version,
      creatorId: v.creatorId,
      input,
      pricing: v.pricing,
      maxCredits: v.maxCredits,
      idempotencyKey: req.idempotencyKey ?? null,
      requestHash: createHash('sha256')
        .update(toCanonicalJson({ agent: req.agent, input, maxCredits: req.maxCredits ?? null }))
        .digest('base64url'),
      timeoutSeconds: v.manifest.limits.timeoutSeconds,
      retrySafe: v.manifest.limits.retrySafe,
      expiresAt: new Date(now.getTime() + this.#options.maxRunMs),
      createdAt: now,
    });
    switch (outcome.type) {
      case 'created':
        return ok({ run: outcome.run, replayed: false });
      case 'replayed':
        return ok({ run: outcome.run, replayed: true });
      case 'idempotency_conflict':
        return err(outcome);
      case 'insufficient_credits':
        return err({ type: 'insufficient_credits', quote: v.maxCredits, available: outcome.available });
      case 'wallet_not_found':
        return err(outcome);
    }
  }

  /** A run as its buyer (or an operator) sees it; anyone else is told it does not exist. */
  async get(viewer: Actor, runId: string): Promise<Result<Run, RunAccessError>> {
    const run = await this.#store.get(runId);
    if (!run || (run.buyerId !== viewer.id && viewer.role !== 'operator')) {
      return err({ type: 'run_not_found', runId });
    }
    return ok(run);
  }

  list(viewer: Actor, options: { cursor: string | null; limit: number; status?: Run['status'] }) {
    return this.#store.list(viewer.id, options);
  }

  async events(
    viewer: Actor,
    runId: string,
    afterSeq: number,
    limit = 500,
  ): Promise<Result<RunEvent[], RunAccessError>> {
    const run = await this.get(viewer, runId);
    if (!run.ok) return run;
    return ok(await this.#store.events(runId, afterSeq, limit));
  }

  /** The buyer cancels: a run that has not ended stops, and is settled at once. */
  async cancel(
    buyer: Actor,
    runId: string,
  ): Promise<Result<{ run: Run; alreadyEnded: boolean }, RunAccessError>> {
    const outcome = await this.#store.cancel(runId, buyer.id, this.ledgerContext());
    if (outcome.type === 'not_found') return err({ type: 'run_not_found', runId });
    return ok({ run: outcome.run, alreadyEnded: outcome.type === 'already_ended' });
  }

  async answer(
    buyer: Actor,
    runId: string,
    questionId: string,
    answer: unknown,
  ): Promise<Result<Run, AnswerError>> {
    const run = await this.#store.get(runId);
    if (!run || run.buyerId !== buyer.id) return err({ type: 'run_not_found', runId });
    if (run.status !== 'awaiting_input' || !run.question)
      return err({ type: 'no_question', status: run.status });
    if (run.question.id !== questionId) return err({ type: 'wrong_question', questionId: run.question.id });
    const issues = validateInput(run.question.schema as InputSchema, answer);
    if (issues.length > 0) return err({ type: 'answer_invalid', issues });
    const outcome = await this.#store.answer(
      runId,
      buyer.id,
      questionId,
      answer as Record<string, unknown>,
      this.#clock.now(),
    );
    switch (outcome.type) {
      case 'answered':
        return ok(outcome.run);
      case 'not_found':
        return err({ type: 'run_not_found', runId });
      default:
        return err(outcome);
    }
  }

  /** Ends attempts (used by workers and the sweep). */
  finish(requests: FinishRequest[]) {
    return this.#store.finish(requests, this.ledgerContext());
  }
}
