import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at } from '../columns.ts';

/**
 * Outgoing webhooks. An endpoint is a user's URL subscribed to event types; a delivery is one event
 * for one endpoint (its id is the Standard Webhooks message id, `webhook-id`), written in the same
 * transaction as the fact it reports (the run events' trigger, or `Webhooks.emit`): the table is the
 * outbox, and the dispatcher drains it. Each HTTP attempt is logged with its answer.
 */

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    /** `whsec_` and base64: needed in clear to sign, so shown only on creation and rotation. */
    secret: text('secret').notNull(),
    eventTypes: text('event_types').array().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: at('created_at').notNull(),
    disabledAt: at('disabled_at'),
  },
  (t) => [
    // The one lookup a run event pays (by its buyer), and the user's list, newest first (ids sort by time).
    index('webhook_endpoints_user').on(t.userId, t.id),
    check('webhook_endpoints_disabled_at', sql`${t.enabled} = (${t.disabledAt} is null)`),
  ],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    /** `msg_...`: the `webhook-id` header; the same on every attempt, so a receiver can dedupe. */
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    eventType: text('event_type').notNull(),
    /** The body sent, byte for byte the same on every attempt: `{ type, data }`. */
    payload: jsonb('payload').notNull(),
    status: text('status').$type<'pending' | 'succeeded' | 'failed'>().notNull(),
    /** Attempts claimed so far (a claim counts before its answer is in). */
    attempts: integer('attempts').notNull().default(0),
    /** Null: as many as the dispatcher's schedule allows. A resend of an ended delivery allows one more. */
    maxAttempts: integer('max_attempts'),
    /** When the next attempt is due; while one is in flight, when its claim lapses. Null once ended. */
    nextAttemptAt: at('next_attempt_at'),
    lastAttemptAt: at('last_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    /** The first KiB of the last answer's body. */
    lastResponse: text('last_response'),
    lastError: text('last_error'),
    createdAt: at('created_at').notNull(),
    deliveredAt: at('delivered_at'),
  },
  (t) => [
    index('webhook_deliveries_due').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    // The backlog cap counts an endpoint's pending deliveries at every insert.
    index('webhook_deliveries_endpoint_pending').on(t.endpointId).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_endpoint').on(t.endpointId, t.id),
    check('webhook_deliveries_status', sql`${t.status} in ('pending','succeeded','failed')`),
    check(
      'webhook_deliveries_due_iff_pending',
      sql`(${t.status} = 'pending') = (${t.nextAttemptAt} is not null)`,
    ),
  ],
);

/** Every attempt's outcome, for the delivery log. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    deliveryId: text('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    at: at('at').notNull(),
    statusCode: integer('status_code'),
    response: text('response'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.number] })],
);

export const webhooksSchema = { webhookEndpoints, webhookDeliveries, webhookAttempts };
