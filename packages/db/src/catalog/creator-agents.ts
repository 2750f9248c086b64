import type { CreatorAgentRow } from '@jeton/core';
import { asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { agentColumns, toAgent } from './rows.ts';
import { catalogAgents, catalogVersions } from './schema.ts';

/**
 * A creator's own agents for their studio, drafts included, newest first: three queries in all (the
 * agents, their versions, their revenue), whatever the number of agents.
 */
export async function loadCreatorAgents(
  db: Database,
  creatorId: string,
  commissionBps: number,
): Promise<CreatorAgentRow[]> {
  if (!Number.isInteger(commissionBps) || commissionBps < 0 || commissionBps > 10_000) {
    throw new Error(`bad commission rate ${commissionBps}`);
  }
  const agents = await db
    .select(agentColumns)
    .from(catalogAgents)
    .where(eq(catalogAgents.creatorId, creatorId))
    .orderBy(desc(catalogAgents.createdAt), desc(catalogAgents.id));
  if (agents.length === 0) return [];
  const ids = agents.map((a) => a.id);
  // Versions without their bundles, and without the manifests of published versions (large, and
  // the studio needs only the drafts').
  const versions = await db
    .select({
      id: catalogVersions.id,
      agentId: catalogVersions.agentId,
      version: catalogVersions.version,
      status: catalogVersions.status,
      createdAt: catalogVersions.createdAt,
      publishedAt: catalogVersions.publishedAt,
      effectiveAt: catalogVersions.effectiveAt,
      testReport: catalogVersions.testReport,
      manifest: sql<
        (typeof catalogVersions.$inferSelect)['manifest'] | null
      >`case when ${catalogVersions.status} = 'draft' then ${catalogVersions.manifest} end`.mapWith(
        catalogVersions.manifest,
      ),
    })
    .from(catalogVersions)
    .where(inArray(catalogVersions.agentId, ids))
    .orderBy(asc(catalogVersions.createdAt), asc(catalogVersions.id));
  // Each run's platform fee is rounded down on its own, as the ledger's capture does; sums as text
  // (bigint) so that no engine hands back a float.
  const revenue = (await db.execute(sql`
    select agent_id, count(*)::int as paid_runs, sum(credits_paid)::text as gross,
           sum(credits_paid - (credits_paid * ${commissionBps}::bigint) / 10000)::text as creator
      from catalog_run_outcomes
     where agent_id in (select id from catalog_agents where creator_id = ${creatorId})
       and credits_paid > 0
     group by agent_id`)) as unknown as {
    rows: { agent_id: string; paid_runs: number; gross: string; creator: string }[];
  };
  const earned = new Map(revenue.rows.map((r) => [r.agent_id, r]));
  return agents.map((row) => {
    const r = earned.get(row.id);
    return {
      agent: toAgent(row),
      versions: versions
        .filter((v) => v.agentId === row.id)
        .map(({ agentId: _, testReport, manifest, ...v }) => ({
          ...v,
          testReport: testReport ?? null,
          manifest: manifest ?? null,
        })),
      revenue: {
        paidRuns: r ? Number(r.paid_runs) : 0,
        grossCredits: r ? Number(r.gross) : 0,
        creatorCredits: r ? Number(r.creator) : 0,
      },
    };
  });
}
