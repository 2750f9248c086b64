import semver from 'semver';
import { maxCreditsPerRun, type Pricing } from './pricing.ts';
import { bayesianRating } from './ranking.ts';
import type { AgentRecord, AgentSnapshot, Creator, TestReport, VersionRecord } from './types.ts';
import { currentAndPending } from './versions.ts';

/** An agent's page, as `Catalog.get` answers it once it has decided the viewer may see the agent. */
export interface AgentView {
  agent: AgentRecord;
  creator: Creator | null;
  current: VersionRecord | null;
  /** A published price rise waiting out its notice, shown on the agent's page meanwhile. */
  pending: { version: string; effectiveAt: Date; pricing: Pricing; maxCredits: number } | null;
  versions: {
    version: string;
    status: VersionRecord['status'];
    publishedAt: Date | null;
    effectiveAt: Date | null;
    tests: TestReport['status'] | null;
  }[];
  rating: number;
  successRate: number | null;
}

/** The page of `snapshot`; `privileged` (its creator, an operator) also sees unpublished versions. */
export function agentView(
  snapshot: AgentSnapshot,
  creator: Creator | null,
  privileged: boolean,
  now: Date,
): AgentView {
  const { agent } = snapshot;
  const { current, pending } = currentAndPending(snapshot.versions, now);
  const shown = snapshot.versions
    .filter((v) => privileged || v.status === 'published')
    .sort((a, b) => semver.rcompare(a.version, b.version));
  return {
    agent,
    creator,
    current,
    pending: pending && {
      version: pending.version,
      effectiveAt: pending.effectiveAt!,
      pricing: pending.manifest.pricing,
      maxCredits: maxCreditsPerRun(pending.manifest.pricing),
    },
    versions: shown.map((v) => ({
      version: v.version,
      status: v.status,
      publishedAt: v.publishedAt,
      effectiveAt: v.effectiveAt,
      tests: v.testReport?.status ?? null,
    })),
    rating: bayesianRating(agent.stats.ratingSum, agent.stats.ratingCount),
    successRate: agent.stats.runs > 0 ? agent.stats.succeeded / agent.stats.runs : null,
  };
}
