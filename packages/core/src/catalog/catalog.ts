import semver from 'semver';
import { type Clock, systemClock } from '../shared/clock.ts';
import { newId } from '../shared/ids.ts';
import { err, ok, type Result } from '../shared/result.ts';
import { type AgentView, agentView } from './agent-view.ts';
import { type CreatorAgentView, creatorAgentView, reservedRuntimeIssue } from './creator-studio.ts';
import { decideDraft, decidePromotion, decidePublish, type PublishOutcome } from './decisions.ts';
import type { Issue } from './input-validator.ts';
import { isListed, type ListingAction, nextListingStatus } from './listing.ts';
import { parseManifest } from './manifest.ts';
import { type Manifest, SLUG } from './manifest-schema.ts';
import type { AgentChange, CatalogStore, TestRunner } from './port.ts';
import { maxCreditsPerRun, type Pricing } from './pricing.ts';
import { bayesianRating, rankScore } from './ranking.ts';
import { nextCursor, readSearch } from './search.ts';
import { noTestRunner, runTestCases } from './test-cases.ts';
import type {
  Actor,
  AgentRecord,
  AgentSnapshot,
  CatalogError,
  Creator,
  Review,
  RunOutcome,
  TestReport,
  VersionRecord,
} from './types.ts';
import { currentAndPending, parseAgentRef } from './versions.ts';

export const DEFAULT_PRICE_NOTICE_DAYS = 14;
/** What a row id (`agt_…`, `rev_…`) can look like: enough to refuse garbage before it reaches SQL. */
const ROW_ID = /^[A-Za-z0-9_]{1,64}$/;
const RERANK_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface CatalogOptions {
  clock?: Clock;
  tests?: TestRunner;
  /** How long a price rise on a published agent waits before it applies. */
  priceNoticeDays?: number;
  /** Creators whose agents may use the built-in runtime (Jeton's own trusted code). */
  platformCreators?: readonly string[];
}

/** The creator the built-in agents are published under. */
export const PLATFORM_CREATOR_ID = 'jeton-labs';

/** The version a run will use, with everything the run engine needs to quote and start it. */
export interface ResolvedVersion {
  agentId: string;
  slug: string;
  creatorId: string;
  versionId: string;
  version: string;
  manifest: Manifest;
  bundle: string | null;
  pricing: Pricing;
  maxCredits: number;
}

/**
 * The catalog: agents, their versions and listings, search, stats and reviews. The rules live here;
 * the store only reads, locks and writes, and every decision is taken on a snapshot read inside the
 * transaction that writes it.
 */
export class Catalog {
  readonly #store: CatalogStore;
  readonly #clock: Clock;
  readonly #tests: TestRunner;
  readonly #noticeMs: number;
  readonly #platformCreators: ReadonlySet<string>;
  #rerankedAt = Number.NEGATIVE_INFINITY;

  constructor(store: CatalogStore, options: CatalogOptions = {}) {
    this.#store = store;
    this.#clock = options.clock ?? systemClock;
    this.#tests = options.tests ?? noTestRunner;
    this.#noticeMs = (options.priceNoticeDays ?? DEFAULT_PRICE_NOTICE_DAYS) * DAY_MS;
    this.#platformCreators = new Set(options.platformCreators ?? [PLATFORM_CREATOR_ID]);
  }

  readonly #rank = (agent: AgentRecord) =>
    rankScore(
      {
        runs: agent.stats.runs,
        succeeded: agent.stats.succeeded,
        ratingSum: agent.stats.ratingSum,
        ratingCount: agent.stats.ratingCount,
        lastPublishedAt: agent.lastPublishedAt,
        lastTestFailed: agent.stats.lastTestStatus === 'failed',
      },
      this.#clock.now(),
    );

  registerCreator(creator: Creator): Promise<void> {
    return this.#store.upsertCreator(creator);
  }

  /** A user's creator profile, created or renamed; refused when another creator has the handle. */
  async registerCreatorProfile(creator: Creator): Promise<Result<Creator, CatalogError>> {
    return (await this.#store.claimCreator(creator))
      ? ok(creator)
      : err({ type: 'handle_taken', handle: creator.handle });
  }

  creator(id: string): Promise<Creator | null> {
    return this.#store.getCreator(id);
  }

  /**
   * Creates the agent or adds a draft version to it, from a manifest (parsed here: every problem is
   * reported at once). A draft of the same version is replaced; a published version never changes.
   */
  async saveDraft(
    actor: Actor,
    value: unknown,
    options: { bundle?: string } = {},
  ): Promise<Result<{ agent: AgentRecord; version: VersionRecord }, CatalogError>> {
    const parsed = parseManifest(value);
    if (!parsed.ok) return err({ type: 'invalid_manifest', issues: parsed.error });
    const manifest = parsed.value;
    if (manifest.runtime.kind === 'code' && !options.bundle) {
      return err({
        type: 'invalid_manifest',
        issues: [{ path: '$.runtime.entry', message: 'the code bundle was not uploaded' }],
      });
    }
    if (!(await this.#store.getCreator(actor.id))) {
      return err({ type: 'forbidden', message: 'register as a creator before publishing agents' });
    }
    const reserved = reservedRuntimeIssue(actor.id, manifest, this.#platformCreators);
    if (reserved) return err({ type: 'invalid_manifest', issues: [reserved] });
    const now = this.#clock.now();
    const bundle = manifest.runtime.kind === 'code' ? (options.bundle ?? null) : null;
    return this.#store
      .change(
        manifest.slug,
        {},
        (snapshot) => decideDraft(snapshot, { actor, manifest, bundle, now }),
        this.#rank,
      )
      .then(async (r) => {
        if (!r.ok) return r;
        const snapshot = await this.#store.load(manifest.slug);
        return ok({ agent: snapshot!.agent, version: r.value });
      });
  }

  /**
   * A dry run of `saveDraft`'s manifest rules for this actor, writing nothing: the same parse (every
   * problem at once, with its path) and the runtime reserved to the platform. The code bundle is not
   * asked for: it travels with the draft itself.
   */
  validateManifest(actor: Actor, value: unknown): Result<Manifest, Issue[]> {
    const parsed = parseManifest(value);
    if (!parsed.ok) return parsed;
    const reserved = reservedRuntimeIssue(actor.id, parsed.value, this.#platformCreators);
    return reserved ? err([reserved]) : parsed;
  }

  /**
   * The creator's own agents, drafts included, newest first: listing status, the version in effect,
   * the one waiting out a price notice, the latest draft (with an input to try it with), stats, and
   * revenue at `commissionBps` from the runs the catalog recorded.
   */
  async creatorAgents(actor: Actor, commissionBps: number): Promise<CreatorAgentView[]> {
    const now = this.#clock.now();
    const rows = await this.#store.creatorAgents(actor.id, commissionBps);
    return rows.map((row) => creatorAgentView(row, now));
  }

  /**
   * Publishes a draft: runs its test cases (refusing on failure, with the failing cases), checks the
   * clone guard and the version order, and applies the price notice: a rise over the version in effect
   * waits `priceNoticeDays`, a cut or a first version applies at once.
   */
  async publish(actor: Actor, slug: string, version: string): Promise<Result<PublishOutcome, CatalogError>> {
    const before = await this.#load(slug);
    if (!before || (before.agent.creatorId !== actor.id && actor.role !== 'operator')) {
      return err({ type: 'agent_not_found', slug });
    }
    if (before.agent.creatorId !== actor.id)
      return err({ type: 'forbidden', message: 'only the creator can publish' });
    const draft = before.versions.find((v) => v.version === version);
    if (!draft) return err({ type: 'version_not_found', slug, version });
    if (draft.status === 'published') return err({ type: 'version_immutable', slug, version });
    if (draft.manifest.runtime.kind === 'builtin' && !this.#platformCreators.has(actor.id)) {
      return err({
        type: 'forbidden',
        message: 'the built-in runtime is reserved to agents shipped with Jeton',
      });
    }

    const report = await runTestCases(this.#tests, draft.manifest, draft.bundle, () => this.#clock.now());
    if (report.status === 'failed') {
      await this.#store.change(
        slug,
        {},
        (s) => {
          const v = s?.versions.find(
            (x) => x.id === draft.id && x.fingerprint === draft.fingerprint && x.status === 'draft',
          );
          return v
            ? ok({ change: { version: { ...v, testReport: report } }, value: null })
            : err({ type: 'draft_changed', slug, version });
        },
        this.#rank,
      );
      return err({ type: 'tests_failed', slug, version, report });
    }

    const now = this.#clock.now();
    return this.#store.change(
      slug,
      { clone: { fingerprint: draft.fingerprint, creatorId: before.agent.creatorId } },
      (snapshot, clone) =>
        decidePublish(snapshot, clone, { slug, version, draft, report, now, noticeMs: this.#noticeMs }),
      this.#rank,
    );
  }

  /** The creator retires the agent: unlisted, no longer runnable by others, its page kept. */
  deprecate(actor: Actor, slug: string): Promise<Result<AgentRecord['status'], CatalogError>> {
    return this.#transition(actor, slug, 'deprecate');
  }

  /** An operator takes an agent down (any state); `reinstate` puts it back where it was. */
  suspend(actor: Actor, slug: string): Promise<Result<AgentRecord['status'], CatalogError>> {
    return this.#transition(actor, slug, 'suspend');
  }

  reinstate(actor: Actor, slug: string): Promise<Result<AgentRecord['status'], CatalogError>> {
    return this.#transition(actor, slug, 'reinstate');
  }

  /**
   * Re-runs the tests of the version in effect (the nightly check): failing tests put a published
   * agent under maintenance, passing ones bring it back. Skipped tests change nothing.
   */
  async verifyListing(slug: string): Promise<Result<TestReport, CatalogError>> {
    const snapshot = await this.#load(slug);
    if (!snapshot) return err({ type: 'agent_not_found', slug });
    const { current } = currentAndPending(snapshot.versions, this.#clock.now());
    if (!current) return err({ type: 'version_not_found', slug, version: 'current' });
    const report = await runTestCases(this.#tests, current.manifest, current.bundle, () => this.#clock.now());
    const action: ListingAction | null =
      report.status === 'failed' ? 'tests_failed' : report.status === 'passed' ? 'tests_passed' : null;
    return this.#store.change(
      slug,
      {},
      (s) => {
        if (!s) return err({ type: 'agent_not_found', slug });
        // A version published while the tests ran has its own report: this one no longer speaks for
        // the listing.
        if (currentAndPending(s.versions, this.#clock.now()).current?.id !== current.id) {
          return ok({ change: {}, value: report });
        }
        const change: AgentChange = { agent: { lastTest: { status: report.status, at: this.#clock.now() } } };
        if (action && (s.agent.status === 'published' || s.agent.status === 'maintenance')) {
          const next = nextListingStatus(s.agent.status, action, 'system');
          if (next.ok) change.agent!.status = next.value;
        }
        return ok({ change, value: report });
      },
      this.#rank,
    );
  }

  async #transition(
    actor: Actor,
    slug: string,
    action: ListingAction,
  ): Promise<Result<AgentRecord['status'], CatalogError>> {
    if (!SLUG.test(slug)) return err({ type: 'agent_not_found', slug });
    return this.#store.change(
      slug,
      {},
      (s) => {
        if (!s) return err({ type: 'agent_not_found', slug });
        const role =
          actor.role === 'operator' ? 'operator' : s.agent.creatorId === actor.id ? 'creator' : null;
        if (!role)
          return err({
            type: 'forbidden',
            message: 'only the creator or an operator can change this listing',
          });
        const next = nextListingStatus(s.agent.status, action, role, s.agent.suspendedFrom);
        if (!next.ok) return err(next.error);
        const suspendedFrom =
          action === 'suspend' ? s.agent.status : action === 'reinstate' ? null : s.agent.suspendedFrom;
        return ok({ change: { agent: { status: next.value, suspendedFrom } }, value: next.value });
      },
      this.#rank,
    );
  }

  /** A version by id, for a run that was accepted with it (whatever the listing has become since). */
  async versionOf(
    slug: string,
    versionId: string,
  ): Promise<{ manifest: Manifest; bundle: string | null; published: boolean } | null> {
    const v = (await this.#load(slug))?.versions.find((x) => x.id === versionId);
    return v ? { manifest: v.manifest, bundle: v.bundle, published: v.status === 'published' } : null;
  }

  /**
   * The version a run of `ref` (`slug` or `slug@1.2.0`) uses. Others can run published agents only,
   * and only versions in effect; the creator can run any version of their agent, drafts included,
   * unless it is suspended.
   */
  async resolve(actor: Actor, ref: string): Promise<Result<ResolvedVersion, CatalogError>> {
    const { slug, version } = parseAgentRef(ref);
    const snapshot = await this.#load(slug);
    const isCreator = snapshot?.agent.creatorId === actor.id;
    if (
      !snapshot ||
      (!isCreator && (snapshot.agent.status === 'draft' || snapshot.agent.status === 'suspended'))
    ) {
      return err({ type: 'agent_not_found', slug });
    }
    const { agent, versions } = snapshot;
    if (agent.status === 'suspended' || (!isCreator && !isListed(agent.status))) {
      return err({ type: 'not_runnable', slug, status: agent.status });
    }
    const now = this.#clock.now();
    let chosen: VersionRecord | null;
    if (version !== null) {
      chosen = versions.find((v) => v.version === version && (isCreator || v.status === 'published')) ?? null;
      if (!chosen) return err({ type: 'version_not_found', slug, version });
      if (!isCreator && chosen.effectiveAt && chosen.effectiveAt > now) {
        return err({ type: 'version_not_effective', slug, version, effectiveAt: chosen.effectiveAt });
      }
    } else {
      chosen = currentAndPending(versions, now).current;
      if (!chosen && isCreator) {
        chosen = [...versions].sort((a, b) => semver.rcompare(a.version, b.version))[0] ?? null;
      }
      if (!chosen) return err({ type: 'version_not_found', slug, version: 'latest' });
    }
    return ok({
      agentId: agent.id,
      slug,
      creatorId: agent.creatorId,
      versionId: chosen.id,
      version: chosen.version,
      manifest: chosen.manifest,
      bundle: chosen.bundle,
      pricing: chosen.manifest.pricing,
      maxCredits: maxCreditsPerRun(chosen.manifest.pricing),
    });
  }

  /** An agent's page. Drafts and suspended agents are seen by their creator and operators only. */
  async get(viewer: Actor | null, slug: string): Promise<Result<AgentView, CatalogError>> {
    const snapshot = await this.#load(slug);
    if (!snapshot || !this.#visible(viewer, snapshot)) return err({ type: 'agent_not_found', slug });
    const now = this.#clock.now();
    const creator = await this.#store.getCreator(snapshot.agent.creatorId);
    return ok(agentView(snapshot, creator, this.#privileged(viewer, snapshot), now));
  }

  /** Listed agents matching a query, one page at a time. */
  async search(
    params: unknown,
  ): Promise<
    Result<
      { items: (AgentRecord & { creator: Creator; rating: number })[]; nextCursor: string | null },
      CatalogError
    >
  > {
    const request = readSearch(params);
    if (!request.ok) return request;
    const hits = await this.#store.search(request.value.store);
    const page = hits.slice(0, request.value.limit);
    const last = page.at(-1);
    return ok({
      items: page.map((h) => ({
        ...h.agent,
        creator: h.creator,
        rating: bayesianRating(h.agent.stats.ratingSum, h.agent.stats.ratingCount),
      })),
      nextCursor: nextCursor(
        request.value,
        hits.length,
        last && { sortKey: last.sortKey, id: last.agent.id },
      ),
    });
  }

  /** Called as each run finishes: stats, and the right of its buyer to review it. */
  async recordRunOutcome(outcome: RunOutcome): Promise<{ recorded: boolean }> {
    return { recorded: (await this.#store.recordRunOutcomes([outcome], this.#rank)).recorded === 1 };
  }

  /** Finished runs, many at once (the run engine sends them in batches). */
  recordRunOutcomes(outcomes: readonly RunOutcome[]): Promise<{ recorded: number }> {
    return this.#store.recordRunOutcomes(outcomes, this.#rank);
  }

  /** A review of a finished run, by its buyer, once per run. */
  async review(
    actor: Actor,
    runId: string,
    rating: number,
    body: string,
  ): Promise<Result<Review, CatalogError>> {
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
      return err({ type: 'review_not_allowed', runId, reason: 'a rating is a whole number from 1 to 5' });
    }
    if (body.length > 5000)
      return err({ type: 'review_not_allowed', runId, reason: 'a review is at most 5,000 characters' });
    return this.#store.addReview(
      {
        id: newId('rev'),
        runId,
        authorId: actor.id,
        rating,
        body: body.trim(),
        createdAt: this.#clock.now(),
      },
      this.#rank,
    );
  }

  /** The creator's one reply to a review of their agent. */
  reply(actor: Actor, reviewId: string, body: string): Promise<Result<Review, CatalogError>> {
    return this.#store.reply(reviewId, actor.id, body.trim().slice(0, 5000), this.#clock.now());
  }

  async reviews(
    viewer: Actor | null,
    slug: string,
    limit = 20,
    before?: string,
  ): Promise<Result<Review[], CatalogError>> {
    const snapshot = await this.#load(slug);
    if (!snapshot || !this.#visible(viewer, snapshot)) return err({ type: 'agent_not_found', slug });
    if (before !== undefined && !ROW_ID.test(before)) return err({ type: 'invalid_cursor' });
    const reviews = await this.#store.listReviews(
      snapshot.agent.id,
      Math.min(Math.max(limit, 1), 100),
      before,
    );
    return reviews ? ok(reviews) : err({ type: 'invalid_cursor' });
  }

  /**
   * Applies price rises whose notice has ended (run it every minute or so) and, at most once an hour
   * or when `rerank` says so, recomputes every listed agent's score: the recency part decays with
   * time, by half in 90 days, so an hour changes nothing visible.
   */
  async sweep(options: { rerank?: boolean } = {}): Promise<{ promoted: number; reranked: number }> {
    const now = this.#clock.now();
    let promoted = 0;
    for (const slug of await this.#store.duePendingVersions(now)) {
      const r = await this.#store.change(
        slug,
        {},
        (snapshot) => decidePromotion(snapshot, slug, now),
        this.#rank,
      );
      if (r.ok) promoted++;
    }
    let reranked = 0;
    if (options.rerank || now.getTime() - this.#rerankedAt >= RERANK_EVERY_MS) {
      this.#rerankedAt = now.getTime();
      reranked = await this.#store.refreshRanks(this.#rank);
    }
    return { promoted, reranked };
  }

  /** The agent, or null; a string that cannot be a slug (control characters, say) is simply not one. */
  #load(slug: string): Promise<AgentSnapshot | null> {
    return SLUG.test(slug) ? this.#store.load(slug) : Promise.resolve(null);
  }

  #privileged(viewer: Actor | null, snapshot: AgentSnapshot): boolean {
    return viewer !== null && (viewer.role === 'operator' || viewer.id === snapshot.agent.creatorId);
  }

  /** Drafts and suspended agents are seen by their creator and operators only. */
  #visible(viewer: Actor | null, snapshot: AgentSnapshot): boolean {
    return (
      this.#privileged(viewer, snapshot) ||
      (snapshot.agent.status !== 'draft' && snapshot.agent.status !== 'suspended')
    );
  }
}
