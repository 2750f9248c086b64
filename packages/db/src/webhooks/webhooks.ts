import { isId } from '@jeton/core';
import { sql } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { jsonLiteral, literal } from '../ledger/sql-runner.ts';
import { WebhookDeliveries } from './deliveries.ts';
import { WebhookEndpoints } from './endpoints.ts';
import { isWebhookEventType, TEST_EVENT, WEBHOOKS_CHANNEL } from './event-types.ts';

/** The body every delivery carries (run events build the same shape in SQL: see the migration). */
export const eventPayload = (type: string, data: Record<string, unknown>, now: Date) => ({
  type,
  timestamp: now.toISOString(),
  data,
});

/**
 * One statement that writes `type`'s deliveries for every enabled endpoint of `userId` subscribed to it
 * (and, if there are any, wakes the dispatchers on commit). Meant for `run([...])` inside a flow's own
 * `runTransaction`, so that the event is recorded with the fact it reports, or not at all.
 */
export function emitStatement(
  userId: string,
  type: string,
  data: Record<string, unknown>,
  now: Date = new Date(),
): string {
  assertEventType(type);
  return insertSql(
    `e.user_id = ${literal(userId)} and e.enabled and ${literal(type)} = any (e.event_types)`,
    {
      type,
      payload: eventPayload(type, data, now),
      now,
    },
  );
}

const NOTIFY = `pg_notify(${literal(WEBHOOKS_CHANNEL)}, '')`;

/** Deliveries for the endpoints `where` selects (as `e`); `then` reads `ins` (by default: notify if any). */
function insertSql(
  where: string,
  e: { type: string; payload: unknown; now: Date },
  then = `select ${NOTIFY} from (select 1 from ins limit 1) any_row`,
): string {
  const at = `${literal(e.now.toISOString())}::timestamptz`;
  return `with ins as (
            insert into webhook_deliveries (id, endpoint_id, user_id, event_type, payload, status, next_attempt_at, created_at)
            select jeton_new_id('msg', ${at}), e.id, e.user_id, ${literal(e.type)}, ${jsonLiteral(e.payload)}::jsonb,
                   'pending', ${at}, ${at}
              from webhook_endpoints e where ${where}
            returning id)
          ${then}`;
}

function assertEventType(type: string): void {
  // An unknown type would reach no endpoint, silently: a bug in the caller, said loudly.
  if (!isWebhookEventType(type))
    throw new TypeError(`"${type}" is not a webhook event type (see event-types.ts)`);
}

/**
 * Outgoing webhooks for the rest of the platform: endpoints, deliveries, and `emit` for events that
 * are not run events (payouts, top-ups). Run events need no call: the run store's events reach the
 * outbox through the `run_events_webhooks` trigger.
 */
export class Webhooks {
  readonly endpoints: WebhookEndpoints;
  readonly deliveries: WebhookDeliveries;

  constructor(private readonly db: Database) {
    this.endpoints = new WebhookEndpoints(db);
    this.deliveries = new WebhookDeliveries(db);
  }

  /** Queues `type` for `userId`'s subscribed endpoints (none: nothing is written). Throws for an unknown type. */
  async emit(userId: string, type: string, data: Record<string, unknown>): Promise<void> {
    await this.db.execute(sql.raw(emitStatement(userId, type, data)));
  }

  /** Queues a `webhook.test` event for this endpoint alone; its message id, or null if it is not the user's. */
  async sendTest(userId: string, endpointId: string, now: Date = new Date()): Promise<string | null> {
    if (!isId('whe', endpointId)) return null;
    const res = await this.db.execute(
      sql.raw(
        insertSql(
          `e.id = ${literal(endpointId)} and e.user_id = ${literal(userId)}`,
          { type: TEST_EVENT, payload: eventPayload(TEST_EVENT, { endpoint: { id: endpointId } }, now), now },
          `select ins.id, ${NOTIFY} from ins`,
        ),
      ),
    );
    const row = (res as unknown as { rows: { id: string }[] }).rows[0];
    return row?.id ?? null;
  }
}
