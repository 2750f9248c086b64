import { randomBytes } from 'node:crypto';
import { err, isId, newId, ok, type Result } from '@jeton/core';
import { and, count, desc, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { webhookDeliveries, webhookEndpoints } from './schema.ts';

export interface WebhookEndpoint {
  id: string;
  userId: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  createdAt: Date;
  disabledAt: Date | null;
}

/** An endpoint with its signing secret: only what creation and rotation return. */
export type EndpointWithSecret = WebhookEndpoint & { secret: string };

export interface EndpointChanges {
  url?: string;
  eventTypes?: string[];
  description?: string;
  enabled?: boolean;
}

/** A user's endpoints at most: a list to fan out to, not a broadcast mechanism. */
export const MAX_ENDPOINTS_PER_USER = 20;

/** `whsec_` and 32 random bytes in base64, the Standard Webhooks secret format. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

const columns = {
  id: webhookEndpoints.id,
  userId: webhookEndpoints.userId,
  url: webhookEndpoints.url,
  description: webhookEndpoints.description,
  eventTypes: webhookEndpoints.eventTypes,
  enabled: webhookEndpoints.enabled,
  createdAt: webhookEndpoints.createdAt,
  disabledAt: webhookEndpoints.disabledAt,
};

/**
 * A user's webhook endpoints. Every method takes the user: another user's endpoint is the same as none.
 * URLs are checked by the caller (the API refuses what the dispatcher would); here they are stored.
 */
export class WebhookEndpoints {
  constructor(private readonly db: Database) {}

  /**
   * Creates an endpoint, unless the user has `MAX_ENDPOINTS_PER_USER` already. The count and the insert
   * share a transaction holding the user's advisory lock, so concurrent creations cannot pass the cap.
   */
  async create(
    userId: string,
    input: { url: string; eventTypes: string[]; description?: string },
    now: Date = new Date(),
  ): Promise<Result<EndpointWithSecret, { type: 'limit_reached'; max: number }>> {
    const row = {
      id: newId('whe', now.getTime()),
      userId,
      url: input.url,
      description: input.description ?? '',
      secret: newSecret(),
      eventTypes: [...new Set(input.eventTypes)],
      enabled: true,
      createdAt: now,
      disabledAt: null,
    };
    const created = await this.db.transaction(async (tx) => {
      await tx.execute(
        sql`select pg_advisory_xact_lock(hashtextextended(${`webhook-endpoints:${userId}`}, 0))`,
      );
      const [n] = await tx
        .select({ n: count() })
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.userId, userId));
      if ((n?.n ?? 0) >= MAX_ENDPOINTS_PER_USER) return false;
      await tx.insert(webhookEndpoints).values(row);
      return true;
    });
    return created ? ok(row) : err({ type: 'limit_reached', max: MAX_ENDPOINTS_PER_USER });
  }

  /** Newest first; the cursor is the last id of the previous page. Null for a cursor that is not one. */
  async list(
    userId: string,
    options: { cursor: string | null; limit: number },
  ): Promise<{ items: WebhookEndpoint[]; nextCursor: string | null } | null> {
    if (options.cursor !== null && !isId('whe', options.cursor)) return null;
    const rows = await this.db
      .select(columns)
      .from(webhookEndpoints)
      .where(
        and(
          eq(webhookEndpoints.userId, userId),
          options.cursor ? lt(webhookEndpoints.id, options.cursor) : undefined,
        ),
      )
      .orderBy(desc(webhookEndpoints.id))
      .limit(options.limit + 1);
    const items = rows.slice(0, options.limit);
    return { items, nextCursor: rows.length > options.limit ? items.at(-1)!.id : null };
  }

  async get(userId: string, id: string): Promise<WebhookEndpoint | null> {
    if (!isId('whe', id)) return null;
    const [row] = await this.db
      .select(columns)
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.userId, userId)));
    return row ?? null;
  }

  /**
   * Changes an endpoint. Disabling it ends its pending deliveries as failed ("endpoint disabled"):
   * they can be resent once it is enabled again, and the dispatcher never scans them meanwhile.
   */
  async update(
    userId: string,
    id: string,
    changes: EndpointChanges,
    now: Date = new Date(),
  ): Promise<WebhookEndpoint | null> {
    if (!isId('whe', id)) return null;
    // Nothing to change: the endpoint as it is (an update must set something).
    if (Object.values(changes).every((v) => v === undefined)) return this.get(userId, id);
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(webhookEndpoints)
        .set({
          ...(changes.url !== undefined ? { url: changes.url } : {}),
          ...(changes.description !== undefined ? { description: changes.description } : {}),
          ...(changes.eventTypes !== undefined ? { eventTypes: [...new Set(changes.eventTypes)] } : {}),
          ...(changes.enabled !== undefined
            ? {
                enabled: changes.enabled,
                // Kept when it was already disabled: the first time is the one that counts.
                disabledAt: changes.enabled ? null : sql`coalesce(${webhookEndpoints.disabledAt}, ${now})`,
              }
            : {}),
        })
        .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.userId, userId)))
        .returning(columns);
      if (row && !row.enabled) {
        await tx
          .update(webhookDeliveries)
          .set({ status: 'failed', nextAttemptAt: null, lastError: 'endpoint disabled' })
          .where(and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.status, 'pending')));
      }
      return row ?? null;
    });
  }

  /** Deletes the endpoint with its deliveries and their log (cascading keys). */
  async remove(userId: string, id: string): Promise<boolean> {
    if (!isId('whe', id)) return false;
    const rows = await this.db
      .delete(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.userId, userId)))
      .returning({ id: webhookEndpoints.id });
    return rows.length > 0;
  }

  /** A new secret, used from the next attempt on (a pending retry is signed with it too). */
  async rotateSecret(userId: string, id: string): Promise<EndpointWithSecret | null> {
    if (!isId('whe', id)) return null;
    const [row] = await this.db
      .update(webhookEndpoints)
      .set({ secret: newSecret() })
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.userId, userId)))
      .returning({ ...columns, secret: webhookEndpoints.secret });
    return row ?? null;
  }
}
