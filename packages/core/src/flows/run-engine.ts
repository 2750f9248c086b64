import { createHash } from 'node:crypto';
import type { Catalog, ResolvedVersion } from '../catalog/catalog.ts';
import type { InputSchema } from '../catalog/input-schema.ts';
import { type Issue, validateInput } from '../catalog/input-validator.ts';
import type { Actor, CatalogError } from '../catalog/types.ts';
import type { ApplyContext } from '../ledger/apply.ts';
import type { AgentExecutor } from '../runs/executor.ts';
import { accepts, checkInputFiles, fileFields, inputFileIds, type StoredFile } from '../runs/files.ts';
import type { ConcurrencyLimits, FinishRequest, NewRun, RunStore, SubmitOutcome } from '../runs/port.ts';
import type { BlobStorage } from '../runs/storage.ts';
import type { Run } from '../runs/types.ts';
import { Batcher } from '../shared/batcher.ts';
import { toCanonicalJson } from '../shared/canonical-json.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import { isId, newId } from '../shared/ids.ts';
import { err, ok, type Result } from '../shared/result.ts';

export interface RunEngineOptions {
  clock?: Clock;
  limits: ConcurrencyLimits;
  /** How long a run may live from submission to its end; its hold lives an hour longer. */
  maxRunMs: number;
  commissionBps: number;
  payoutMinimum: bigint;
  /**
   * How long a resolved agent version is reused for other submissions (default 2 s): a busy agent's
   * listing is read from the database once per interval, not once per run. A price change or a
   * suspension therefore reaches new submissions within it. A creator's own submissions always read
   * afresh (they may be running a draft they just saved).
   */
  resolveCacheMs?: number;
  /**
   * Submission transactions in flight at once (default 2). On an engine with one connection (PGlite)
   * use 1: a second would only wait, and submissions that wait together commit together.
   */
  batchesInFlight?: number;
  /** How long a submission batch waits for company (see `BatcherOptions.lingerMs`). */
  batchLingerMs?: number;
  /** Where uploaded input files are kept. */
  storage: BlobStorage;
  /** The largest upload, whatever the field (a field's own limit may be lower). */
  maxUploadBytes: number;
}

/** Nobody in particular: resolving as them gives what every buyer may run. */
const PUBLIC_VIEWER: Actor = { id: '', role: 'user' };

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
export type UploadError =
  | { type: 'catalog'; error: CatalogError }
  | { type: 'not_a_file_field'; field: string }
  | { type: 'file_type_refused'; accept: string[]; mediaType: string; name: string }
  | { type: 'file_too_large'; maxBytes: number };
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
  readonly #storage: BlobStorage;
  readonly #options: RunEngineOptions;
  readonly #submits: Batcher<NewRun, SubmitOutcome>;
  readonly #resolved = new Map<
    string,
    { at: number; value: Promise<Result<ResolvedVersion, CatalogError>> }
  >();

  constructor(store: RunStore, catalog: Catalog, executor: AgentExecutor | null, options: RunEngineOptions) {
    this.#store = store;
    this.#catalog = catalog;
    this.#executor = executor;
    this.#clock = options.clock ?? systemClock;
    this.#options = options;
    this.#storage = options.storage;
    this.#submits = new Batcher((items) => this.#store.submit(items, this.ledgerContext()), {
      maxBatch: 200,
      maxInFlight: options.batchesInFlight ?? 2,
      lingerMs: options.batchLingerMs ?? 0,
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
    // The same shared, briefly cached read of the version as submissions use.
    const resolved = await this.#resolve(actor, agent);
    if (!resolved.ok) return err({ type: 'catalog', error: resolved.error });
    const v = resolved.value;
    return ok({ slug: v.slug, version: v.version, quote: v.maxCredits, pricing: v.pricing });
  }

  /**
   * The version a submission runs. The public view of an agent (what any buyer may run) is shared by
   * every submission for `resolveCacheMs`, and concurrent submissions share one read; the agent's
   * creator, and anyone the public view refuses, get a read of their own.
   */
  async #resolve(actor: Actor, ref: string): Promise<Result<ResolvedVersion, CatalogError>> {
    const ttl = this.#options.resolveCacheMs ?? 2000;
    const now = Date.now();
    let hit = this.#resolved.get(ref);
    if (!hit || now - hit.at >= ttl) {
      hit = { at: now, value: this.#catalog.resolve(PUBLIC_VIEWER, ref) };
      if (this.#resolved.size >= 1000) this.#resolved.clear();
      this.#resolved.set(ref, hit);
      hit.value.catch(() => this.#resolved.delete(ref));
    }
    const shared = await hit.value;
    if (shared.ok && shared.value.creatorId !== actor.id) return shared;
    return this.#catalog.resolve(actor, ref);
  }

  async submit(req: SubmitRequest): Promise<Result<{ run: Run; replayed: boolean }, SubmitError>> {
    const resolved = await this.#resolve(req.buyer, req.agent);
    if (!resolved.ok) return err({ type: 'catalog', error: resolved.error });
    const v = resolved.value;
    const issues = validateInput(v.manifest.input, req.input);
    if (issues.length > 0) return err({ type: 'input_invalid', issues });
    const fileIds = inputFileIds(v.manifest.input, req.input as Record<string, unknown>);
    if (fileIds.length > 0) {
      const files = await this.#store.filesOf(req.buyer.id, fileIds);
      const found = new Map(files.map((f) => [f.id, f]));
      const fileIssues = checkInputFiles(v.manifest.input, req.input as Record<string, unknown>, found);
      if (fileIssues.length > 0) return err({ type: 'input_invalid', issues: fileIssues });
    }
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
      // Only a submission with a key can be replayed, so only then is its fingerprint worth computing.
      requestHash: req.idempotencyKey
        ? createHash('sha256')
            .update(toCanonicalJson({ agent: req.agent, input, maxCredits: req.maxCredits ?? null }))
            .digest('base64url')
        : '',
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

  /**
   * Stores a file a buyer uploads as a run's input. Given the agent and field it is meant for, their
   * limits (size, accepted types) apply now, before the bytes are kept; the submission checks them
   * again either way.
   */
  async upload(
    owner: Actor,
    file: {
      name: string;
      mediaType: string;
      body: AsyncIterable<Uint8Array>;
      agent?: string;
      field?: string;
    },
  ): Promise<Result<StoredFile, UploadError>> {
    let maxBytes = this.#options.maxUploadBytes;
    let accept: string[] | null = null;
    if (file.agent !== undefined || file.field !== undefined) {
      const r = await this.#resolve(owner, file.agent ?? '');
      if (!r.ok) return err({ type: 'catalog', error: r.error });
      const field = fileFields(r.value.manifest.input).find((f) => f.name === file.field);
      if (!field) return err({ type: 'not_a_file_field', field: file.field ?? '' });
      maxBytes = Math.min(maxBytes, field.maxBytes);
      accept = field.accept;
    }
    if (accept && !accepts(accept, file)) {
      return err({ type: 'file_type_refused', accept, mediaType: file.mediaType, name: file.name });
    }
    const now = this.#clock.now();
    const id = newId('fil', now.getTime());
    const storageKey = `files/${owner.id}/${id}`;
    const put = await this.#storage.put(storageKey, file.body, { maxBytes });
    if (!put.ok) return err({ type: 'file_too_large', maxBytes: put.maxBytes });
    const stored: StoredFile = {
      id,
      ownerId: owner.id,
      name: file.name,
      mediaType: file.mediaType,
      size: put.size,
      sha256: put.sha256,
      storageKey,
      createdAt: now,
    };
    await this.#store.addFile(stored);
    return ok(stored);
  }

  /** A run as its buyer (or an operator) sees it; anyone else is told it does not exist. */
  async get(viewer: Actor, runId: string): Promise<Result<Run, RunAccessError>> {
    if (!isId('run', runId)) return err({ type: 'run_not_found', runId });
    const run = await this.#store.get(runId);
    if (!run || (run.buyerId !== viewer.id && viewer.role !== 'operator')) {
      return err({ type: 'run_not_found', runId });
    }
    return ok(run);
  }

  list(viewer: Actor, options: { cursor: string | null; limit: number; status?: Run['status'] }) {
    return this.#store.list(viewer.id, options);
  }

  /** The buyer cancels: a run that has not ended stops, and is settled at once. */
  async cancel(
    buyer: Actor,
    runId: string,
  ): Promise<Result<{ run: Run; alreadyEnded: boolean }, RunAccessError>> {
    if (!isId('run', runId)) return err({ type: 'run_not_found', runId });
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
    if (!isId('run', runId)) return err({ type: 'run_not_found', runId });
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
