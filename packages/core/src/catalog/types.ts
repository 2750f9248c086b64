import type { Issue } from './input-validator.ts';
import type { ListingStatus } from './listing.ts';
import type { Category, Manifest } from './manifest-schema.ts';
import type { Pricing } from './pricing.ts';

export interface Creator {
  /** The creator's owner id, the same one their ledger accounts carry. */
  id: string;
  handle: string;
  displayName: string;
}

export interface Actor {
  id: string;
  role: 'user' | 'operator';
}

export type VersionStatus = 'draft' | 'published';

export interface TestCaseResult {
  name: string;
  passed: boolean;
  failures: string[];
  durationMs: number;
}

/**
 * The outcome of running a version's test cases. `skipped` says why the runtime could not run them
 * here (e.g. no model provider); `none` means the manifest declares no tests.
 */
export interface TestReport {
  status: 'passed' | 'failed' | 'skipped' | 'none';
  reason?: string;
  cases: TestCaseResult[];
  at: string;
}

export interface VersionRecord {
  id: string;
  agentId: string;
  version: string;
  status: VersionStatus;
  manifest: Manifest;
  /** The code runtime's bundle, stored with the version it belongs to. */
  bundle: string | null;
  fingerprint: string;
  createdAt: Date;
  publishedAt: Date | null;
  /** When a published version becomes the one unpinned runs use: later than publishedAt for a price rise. */
  effectiveAt: Date | null;
  testReport: TestReport | null;
}

/** What the catalog lists and searches, copied from the version in effect. */
export interface ListingFields {
  name: string;
  summary: string;
  description: string;
  category: Category;
  tags: string[];
  needsModel: boolean;
  pricingModel: Pricing['model'];
  maxCredits: number;
}

export interface AgentStats {
  runs: number;
  succeeded: number;
  /** Over the last MEDIAN_WINDOW finished runs. */
  medianDurationMs: number | null;
  medianCredits: number | null;
  ratingSum: number;
  ratingCount: number;
  lastTestStatus: TestReport['status'] | null;
  lastTestAt: Date | null;
}

export interface AgentRecord {
  id: string;
  slug: string;
  creatorId: string;
  status: ListingStatus;
  suspendedFrom: ListingStatus | null;
  currentVersionId: string | null;
  pendingVersionId: string | null;
  pendingEffectiveAt: Date | null;
  listing: ListingFields;
  stats: AgentStats;
  rankScore: number;
  createdAt: Date;
  firstPublishedAt: Date | null;
  lastPublishedAt: Date | null;
}

/** An agent with every version, as a decision about it needs to see it. */
export interface AgentSnapshot {
  agent: AgentRecord;
  versions: VersionRecord[];
}

/** A finished run as the catalog learns of it: for stats and for who may review. */
export interface RunOutcome {
  runId: string;
  agentId: string;
  versionId: string;
  buyerId: string;
  status: 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
  durationMs: number;
  creditsPaid: number;
  finishedAt: Date;
}

export interface Review {
  id: string;
  agentId: string;
  runId: string;
  version: string;
  authorId: string;
  rating: number;
  body: string;
  reply: { body: string; at: Date } | null;
  createdAt: Date;
}

export type CatalogError =
  | { type: 'invalid_manifest'; issues: Issue[] }
  | { type: 'invalid_search'; issues: Issue[] }
  | { type: 'invalid_cursor' }
  | { type: 'slug_taken'; slug: string }
  | { type: 'handle_taken'; handle: string }
  | { type: 'agent_not_found'; slug: string }
  | { type: 'version_not_found'; slug: string; version: string }
  | { type: 'version_immutable'; slug: string; version: string }
  | { type: 'version_not_newer'; slug: string; version: string; latest: string }
  | { type: 'forbidden'; message: string }
  | { type: 'invalid_transition'; from: ListingStatus; action: string; message: string }
  | { type: 'clone_refused'; slug: string; original: string }
  | { type: 'tests_failed'; slug: string; version: string; report: TestReport }
  | { type: 'draft_changed'; slug: string; version: string }
  | { type: 'version_not_effective'; slug: string; version: string; effectiveAt: Date }
  | { type: 'not_runnable'; slug: string; status: ListingStatus }
  | { type: 'review_not_allowed'; runId: string; reason: string }
  | { type: 'already_reviewed'; runId: string }
  | { type: 'review_not_found'; reviewId: string }
  | { type: 'already_replied'; reviewId: string };

export type CatalogErrorType = CatalogError['type'];
