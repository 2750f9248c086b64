import type { Result } from '../shared/result.ts';
import type { TestRunOutput } from './checks.ts';
import type { Manifest } from './manifest-schema.ts';
import type { CursorKey, SearchSort } from './search.ts';
import type {
  AgentRecord,
  AgentSnapshot,
  CatalogError,
  Creator,
  ListingFields,
  Review,
  RunOutcome,
  TestReport,
  VersionRecord,
  VersionStatus,
} from './types.ts';

/** What a decision about one agent asks the store to write, all in one transaction. */
export interface AgentChange {
  /** Creates the agent (the snapshot was null). */
  create?: { id: string; slug: string; creatorId: string; createdAt: Date; listing: ListingFields };
  agent?: {
    status?: AgentRecord['status'];
    suspendedFrom?: AgentRecord['suspendedFrom'];
    currentVersionId?: string | null;
    pendingVersionId?: string | null;
    pendingEffectiveAt?: Date | null;
    listing?: ListingFields;
    firstPublishedAt?: Date;
    lastPublishedAt?: Date;
    lastTest?: { status: TestReport['status']; at: Date };
  };
  /** Inserts the version, or replaces the draft with the same id (a published one never changes). */
  version?: VersionRecord;
}

export type Decision<T> = Result<{ change: AgentChange; value: T }, CatalogError>;

/** Another creator's published agent with the same runtime fingerprint. */
export interface CloneMatch {
  slug: string;
  creatorId: string;
}

export interface StoreSearch {
  tokens: string[];
  category?: string | undefined;
  maxPrice?: number | undefined;
  minRating?: number | undefined;
  needsModel?: boolean | undefined;
  sort: SearchSort;
  limit: number;
  after?: { key: CursorKey; id: string } | undefined;
}

export interface SearchHit {
  agent: AgentRecord;
  creator: Creator;
  /** The value the page is ordered by, for the next cursor. */
  sortKey: CursorKey;
}

/** One version of a creator's agent as the studio lists it: no bundle; the manifest of drafts only. */
export interface CreatorVersion {
  id: string;
  version: string;
  status: VersionStatus;
  createdAt: Date;
  publishedAt: Date | null;
  effectiveAt: Date | null;
  testReport: TestReport | null;
  /** A draft's manifest (what the studio runs and publishes); null for a published version. */
  manifest: Manifest | null;
}

/** What a creator's agents earned, from the catalog's record of finished runs (not the ledger). */
export interface AgentRevenue {
  /** Runs by others that were charged something (creators' runs of their own agents are not recorded). */
  paidRuns: number;
  /** What buyers paid for the agent's runs, in credits. */
  grossCredits: number;
  /** The creator's part: each run's charge less the commission, rounded as the ledger rounds it. */
  creatorCredits: number;
}

export interface CreatorAgentRow {
  agent: AgentRecord;
  /** Oldest first. */
  versions: CreatorVersion[];
  revenue: AgentRevenue;
}

export interface CatalogStore {
  upsertCreator(creator: Creator): Promise<void>;
  getCreator(id: string): Promise<Creator | null>;
  /** Creates or renames a user's creator profile; false when another creator has the handle. */
  claimCreator(creator: Creator): Promise<boolean>;
  load(slug: string): Promise<AgentSnapshot | null>;
  /**
   * Locks the agent (or its slug, when it does not exist yet), reads it, asks `decide`, and writes the
   * change in the same transaction, so that no rule is checked on a state that has since moved. With
   * `clone`, it also looks for another creator's published version with that fingerprint, serialised
   * per fingerprint so that two simultaneous copies cannot both pass.
   */
  change<T>(
    slug: string,
    options: { clone?: { fingerprint: string; creatorId: string } },
    decide: (snapshot: AgentSnapshot | null, clone: CloneMatch | null) => Decision<T>,
    rank: (agent: AgentRecord) => number,
  ): Promise<Result<T, CatalogError>>;
  /** Slugs whose pending version's notice period has ended. */
  duePendingVersions(now: Date): Promise<string[]>;
  /** Idempotent per run id: a second report of the same run changes nothing. */
  /** Records finished runs (a batch: one write per agent, not per run); returns how many counted. */
  recordRunOutcomes(
    outcomes: readonly RunOutcome[],
    rank: (agent: AgentRecord) => number,
  ): Promise<{ recorded: number }>;
  addReview(
    review: { id: string; runId: string; authorId: string; rating: number; body: string; createdAt: Date },
    rank: (agent: AgentRecord) => number,
  ): Promise<Result<Review, CatalogError>>;
  reply(reviewId: string, creatorId: string, body: string, at: Date): Promise<Result<Review, CatalogError>>;
  /** Newest first; null when `before` is not a review of this agent. */
  listReviews(agentId: string, limit: number, before?: string): Promise<Review[] | null>;
  search(query: StoreSearch): Promise<SearchHit[]>;
  /**
   * Every agent of a creator, drafts and unlisted ones included, newest first, with its versions and
   * its revenue at `commissionBps` (the platform's share of each run, rounded down as the ledger does).
   */
  creatorAgents(creatorId: string, commissionBps: number): Promise<CreatorAgentRow[]>;
  /** Recomputes every listed agent's score (recency decays with time). Returns how many changed. */
  refreshRanks(rank: (agent: AgentRecord) => number): Promise<number>;
}

/**
 * Runs an agent's test cases with the same runtime the platform uses. The runtime issue provides the
 * real one; until a runtime can run a manifest here, `unavailable` says why and the tests are skipped.
 */
export interface TestRunner {
  unavailable(manifest: Manifest): string | null;
  run(request: {
    manifest: Manifest;
    bundle: string | null;
    input: Record<string, unknown>;
    signal: AbortSignal;
  }): Promise<TestRunOutput>;
}
