import semver from 'semver';
import type { Issue } from './input-validator.ts';
import type { Manifest } from './manifest-schema.ts';
import type { AgentRevenue, CreatorAgentRow } from './port.ts';
import { bayesianRating } from './ranking.ts';
import type { AgentRecord, TestReport, VersionRecord } from './types.ts';
import { currentAndPending } from './versions.ts';

/**
 * What the creator studio needs from the catalog beyond the buyer's views: a creator's own agents
 * with their drafts and revenue, and the manifest rule that depends on who the creator is. Pure
 * functions, so `Catalog` keeps the I/O and this file only shapes and checks.
 */

/** One of a creator's agents as their studio shows it: listing, versions, stats and revenue. */
export interface CreatorAgentView {
  agent: AgentRecord;
  current: { version: string; effectiveAt: Date } | null;
  pending: { version: string; effectiveAt: Date } | null;
  /** The highest draft version, with an input to try it with (its first example, test or defaults). */
  latestDraft: {
    version: string;
    createdAt: Date;
    tests: TestReport | null;
    exampleInput: Record<string, unknown>;
  } | null;
  /** Newest first. */
  versions: {
    version: string;
    status: VersionRecord['status'];
    createdAt: Date;
    publishedAt: Date | null;
    effectiveAt: Date | null;
    tests: TestReport['status'] | null;
  }[];
  rating: number;
  successRate: number | null;
  revenue: AgentRevenue;
}

export function creatorAgentView({ agent, versions, revenue }: CreatorAgentRow, now: Date): CreatorAgentView {
  const { current, pending } = currentAndPending(versions, now);
  const draft =
    versions.filter((v) => v.status === 'draft').sort((a, b) => semver.rcompare(a.version, b.version))[0] ??
    null;
  return {
    agent,
    current: current && { version: current.version, effectiveAt: current.effectiveAt! },
    pending: pending && { version: pending.version, effectiveAt: pending.effectiveAt! },
    latestDraft:
      draft?.manifest != null
        ? {
            version: draft.version,
            createdAt: draft.createdAt,
            tests: draft.testReport,
            exampleInput: exampleInput(draft.manifest),
          }
        : null,
    versions: [...versions]
      .sort((a, b) => semver.rcompare(a.version, b.version))
      .map((v) => ({
        version: v.version,
        status: v.status,
        createdAt: v.createdAt,
        publishedAt: v.publishedAt,
        effectiveAt: v.effectiveAt,
        tests: v.testReport?.status ?? null,
      })),
    rating: bayesianRating(agent.stats.ratingSum, agent.stats.ratingCount),
    successRate: agent.stats.runs > 0 ? agent.stats.succeeded / agent.stats.runs : null,
    revenue,
  };
}

/**
 * The built-in runtime runs code shipped with Jeton, so only the platform's own creators may name it;
 * one rule shared by saving a draft and by its dry run, so the two cannot disagree.
 */
export function reservedRuntimeIssue(
  creatorId: string,
  manifest: Manifest,
  platformCreators: ReadonlySet<string>,
): Issue | null {
  return manifest.runtime.kind === 'builtin' && !platformCreators.has(creatorId)
    ? {
        path: '$.runtime.kind',
        message: 'the built-in runtime runs code shipped with Jeton; use prompt or code',
      }
    : null;
}

/**
 * An input to try a draft with: its first example, else its first test case's input, else the
 * fields' defaults (and first choices, for required selects without one).
 */
function exampleInput(manifest: Manifest): Record<string, unknown> {
  const given = manifest.examples[0]?.input ?? manifest.tests[0]?.input;
  if (given) return given as Record<string, unknown>;
  const input: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(manifest.input.properties)) {
    if ('default' in field && field.default !== undefined) input[name] = field.default;
    else if (field.type === 'string' && field.enum && manifest.input.required.includes(name)) {
      input[name] = field.enum[0];
    }
  }
  return input;
}
