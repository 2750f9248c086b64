import type { AgentRecord, Creator, Review, VersionRecord } from '@jeton/core';
import { getTableColumns } from 'drizzle-orm';
import { catalogAgents, type catalogCreators, type catalogReviews, type catalogVersions } from './schema.ts';

export const agentColumns = getTableColumns(catalogAgents);

export type AgentRow = typeof catalogAgents.$inferSelect;

export function toAgent(row: AgentRow): AgentRecord {
  return {
    id: row.id,
    slug: row.slug,
    creatorId: row.creatorId,
    status: row.status,
    suspendedFrom: row.suspendedFrom,
    currentVersionId: row.currentVersionId,
    pendingVersionId: row.pendingVersionId,
    pendingEffectiveAt: row.pendingEffectiveAt,
    listing: {
      name: row.name,
      summary: row.summary,
      description: row.description,
      category: row.category as AgentRecord['listing']['category'],
      tags: row.tags,
      needsModel: row.needsModel,
      pricingModel: row.pricingModel as AgentRecord['listing']['pricingModel'],
      maxCredits: row.maxCredits,
    },
    stats: {
      runs: row.runs,
      succeeded: row.succeeded,
      medianDurationMs: row.medianDurationMs,
      medianCredits: row.medianCredits,
      ratingSum: row.ratingSum,
      ratingCount: row.ratingCount,
      lastTestStatus: row.lastTestStatus,
      lastTestAt: row.lastTestAt,
    },
    rankScore: row.rankScore,
    createdAt: row.createdAt,
    firstPublishedAt: row.firstPublishedAt,
    lastPublishedAt: row.lastPublishedAt,
  };
}

export function toVersion(row: typeof catalogVersions.$inferSelect): VersionRecord {
  return { ...row, testReport: row.testReport ?? null };
}

export function toCreator(row: typeof catalogCreators.$inferSelect): Creator {
  return { id: row.id, handle: row.handle, displayName: row.displayName };
}

export function toReview(row: typeof catalogReviews.$inferSelect): Review {
  return {
    id: row.id,
    agentId: row.agentId,
    runId: row.runId,
    version: row.version,
    authorId: row.authorId,
    rating: row.rating,
    body: row.body,
    reply: row.replyBody !== null && row.replyAt !== null ? { body: row.replyBody, at: row.replyAt } : null,
    createdAt: row.createdAt,
  };
}
