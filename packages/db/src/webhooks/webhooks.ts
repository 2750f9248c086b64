import { err, isId, ok, type Result } from '@jeton/core';
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
 * Deliveries waiting (`pending`) for one endpoint, at most. Beyond it a test send is refused and an
 * event is dropped for that endpoint (`emit` warns and counts it), so an endpoint that never answers
 * cannot grow the outbox without bound: its backlog ends within the retry schedule (~18 h).
 */
export const MAX_PENDING_PER_ENDPOINT = 1000;

/** Ended deliveries (and their attempts) are kept this long after their last attempt. */
export const RETENTION_DAYS = 30;

/** Attempts kept per delivery (the log shows these): older ones of a much-resent delivery go. */
const ATTEMPTS_KEPT = 20;

/** Rows deleted per statement by the retention sweep, so that no statement holds locks for long. */
const SWEEP_BATCH = 5000;

/** An event not queued for an endpoint whose backlog is full. */
export interface DroppedDelivery {
  userId: string;
  endpointId: string;
  type: string;
  /** The cap it reached. */
  maxPending: number;
}

export interface WebhooksOptions {
  /** Pending deliveries per endpoint, at most (default `MAX_PENDING_PER_ENDPOINT`). */
  maxPendingPerEndpoint?: number;
  /** Told of every dropped event; by default a process warning (`JetonWebhookDropped`). */
  onDropped?: (dropped: DroppedDelivery) => void;
}

export interface RetentionSweep {
  /** Ended deliveries deleted (with their attempts). */
  deliveries: number;
  /** Attempts deleted beyond the last ones kept per delivery. */
  attempts: number;
}

/**
 * One statement that writes `type`'s deliveries for every enabled endpoint of `userId` subscribed to it
 * whose backlog is not full (and, if there are any, wakes the dispatchers on commit). Meant for
 * `run([...])` inside a flow's own `runTransaction`, so that the event is recorded with the fact it
 * reports, or not at all. An endpoint with `maxPending` deliveries pending gets none (silently here;
 * `Webhooks.emit` reports it).
 */
export function emitStatement(
  userId: string,
  type: string,
  data: Record<string, unknown>,
  now: Date = new Date(),
  maxPending: number = MAX_PENDING_PER_ENDPOINT,
): string {
  assertEventType(type);
  return insertSql(
    `e.user_id = ${literal(userId)} and e.enabled and ${literal(type)} = any (e.event_types)`,
    { type, payload: eventPayload(type, data, now), now },
    maxPending,
  );
}

const NOTIFY = `pg_notify(${literal(WEBHOOKS_CHANNEL)}, '')`;

/**
 * Deliveries for the endpoints `where` selects (as `e`, share-locked so that a concurrent disable waits
 * or is seen), skipping disabled ones and those with `maxPending` deliveries pending; a notification
 * if any was written. One row per endpoint selected: `endpoint_id`, `enabled`, `full`, and the
 * delivery written (`delivery_id`, or null).
 */
function insertSql(
  where: string,
  e: { type: string; payload: unknown; now: Date },
  maxPending: number,
): string {
  const at = `${literal(e.now.toISOString())}::timestamptz`;
  const cap = Math.max(0, Math.trunc(maxPending));
  return `with targets as (
            select e.id, e.user_id, e.enabled,
                   (select count(*) from (select 1 from webhook_deliveries p
                                           where p.endpoint_id = e.id and p.status = 'pending'
                                           limit ${cap}) q) >= ${cap} as full
              from webhook_endpoints e where ${where}
               for share of e),
          ins as (
            insert into webhook_deliveries (id, endpoint_id, user_id, event_type, payload, status, next_attempt_at, created_at)
            select jeton_new_id('msg', ${at}), t.id, t.user_id, ${literal(e.type)}, ${jsonLiteral(e.payload)}::jsonb,
                   'pending', ${at}, ${at}
              from targets t where t.enabled and not t.full
            returning id, endpoint_id)
          select t.id as endpoint_id, t.enabled, t.full, ins.id as delivery_id,
                 (select count(*) from (select ${NOTIFY} from (select 1 from ins limit 1) any_row) n) as notified
            from targets t left join ins on ins.endpoint_id = t.id`;
}

interface TargetRow {
  endpoint_id: string;
  enabled: boolean;
  full: boolean;
  delivery_id: string | null;
}
const targetRows = (r: unknown) => (r as { rows: TargetRow[] }).rows;

function assertEventType(type: string): void {
  // An unknown type would reach no endpoint, silently: a bug in the caller, said loudly.
  if (!isWebhookEventType(type))
    throw new TypeError(`"${type}" is not a webhook event type (see event-types.ts)`);
}

const warnDropped = (d: DroppedDelivery): void =>
  process.emitWarning(
    `webhook event ${d.type} dropped for endpoint ${d.endpointId} of ${d.userId}: ${d.maxPending} deliveries already pending`,
    'JetonWebhookDropped',
  );

/**
 * Outgoing webhooks for the rest of the platform: endpoints, deliveries, and `emit` for events that
 * are not run events (payouts, top-ups). Run events need no call: the run store's events reach the
 * outbox through the `run_events_webhooks` trigger.
 */
export class Webhooks {
  readonly endpoints: WebhookEndpoints;
  readonly deliveries: WebhookDeliveries;
  readonly maxPendingPerEndpoint: number;
  readonly #onDropped: (dropped: DroppedDelivery) => void;
  #dropped = 0;

  constructor(
    private readonly db: Database,
    options: WebhooksOptions = {},
  ) {
    this.endpoints = new WebhookEndpoints(db);
    this.deliveries = new WebhookDeliveries(db);
    this.maxPendingPerEndpoint = options.maxPendingPerEndpoint ?? MAX_PENDING_PER_ENDPOINT;
    this.#onDropped = options.onDropped ?? warnDropped;
  }

  /** Events `emit` dropped since this process started (an endpoint's backlog was full). */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Queues `type` for `userId`'s subscribed endpoints (none: nothing is written). Throws for an unknown
   * type. An endpoint whose backlog is full gets nothing: the event is dropped for it, counted and reported.
   */
  async emit(userId: string, type: string, data: Record<string, unknown>): Promise<void> {
    const res = await this.db.execute(
      sql.raw(emitStatement(userId, type, data, new Date(), this.maxPendingPerEndpoint)),
    );
    for (const row of targetRows(res)) {
      if (!row.full) continue;
      this.#dropped++;
      this.#onDropped({ userId, endpointId: row.endpoint_id, type, maxPending: this.maxPendingPerEndpoint });
    }
  }

  /**
   * Queues a `webhook.test` event for this endpoint alone; its message id. Refused for an endpoint that
   * is not the user's, is disabled (it would not be sent), or has a full backlog.
   */
  async sendTest(
    userId: string,
    endpointId: string,
    now: Date = new Date(),
  ): Promise<
    Result<
      string,
      { type: 'not_found' } | { type: 'endpoint_disabled' } | { type: 'backlog_full'; maxPending: number }
    >
  > {
    if (!isId('whe', endpointId)) return err({ type: 'not_found' });
    const res = await this.db.execute(
      sql.raw(
        insertSql(
          `e.id = ${literal(endpointId)} and e.user_id = ${literal(userId)}`,
          { type: TEST_EVENT, payload: eventPayload(TEST_EVENT, { endpoint: { id: endpointId } }, now), now },
          this.maxPendingPerEndpoint,
        ),
      ),
    );
    const [row] = targetRows(res);
    if (!row) return err({ type: 'not_found' });
    if (!row.enabled) return err({ type: 'endpoint_disabled' });
    if (row.full || row.delivery_id === null)
      return err({ type: 'backlog_full', maxPending: this.maxPendingPerEndpoint });
    return ok(String(row.delivery_id));
  }

  /**
   * Retention: deletes the deliveries that ended (succeeded or failed) before `before`, with their
   * attempts, and every delivery's attempts beyond its last `ATTEMPTS_KEPT` (20). Pending deliveries are
   * never touched. In batches; meant for an hourly sweep with `RETENTION_DAYS` (30 days) ago.
   */
  async deleteOlderThan(before: Date): Promise<RetentionSweep> {
    let deliveries = 0;
    for (;;) {
      // The outer conditions are checked again on the row deleted: a delivery resent meanwhile stays.
      const res = await this.db.execute(sql`
        with gone as (
          delete from webhook_deliveries d
           where d.id in (select id from webhook_deliveries
                           where status <> 'pending' and coalesce(last_attempt_at, created_at) < ${before}
                           limit ${SWEEP_BATCH})
             and d.status <> 'pending' and coalesce(d.last_attempt_at, d.created_at) < ${before}
          returning 1)
        select count(*)::int as n from gone`);
      const n = Number((res as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0);
      deliveries += n;
      if (n < SWEEP_BATCH) break;
    }
    const res = await this.db.execute(sql`
      with old as (
        select delivery_id, number from (
          select a.delivery_id, a.number,
                 row_number() over (partition by a.delivery_id order by a.number desc) as rank
            from webhook_attempts a
           where a.delivery_id in (select id from webhook_deliveries where attempts > ${ATTEMPTS_KEPT})) r
         where rank > ${ATTEMPTS_KEPT}),
      gone as (
        delete from webhook_attempts a using old
         where a.delivery_id = old.delivery_id and a.number = old.number
        returning 1)
      select count(*)::int as n from gone`);
    const attempts = Number((res as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0);
    return { deliveries, attempts };
  }
}
