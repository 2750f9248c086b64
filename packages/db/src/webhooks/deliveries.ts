import { err, isId, ok, type Result } from '@jeton/core';
import { and, asc, desc, eq, inArray, lt, ne, sql } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { WEBHOOKS_CHANNEL } from './event-types.ts';
import { webhookAttempts, webhookDeliveries } from './schema.ts';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface DeliveryAttempt {
  number: number;
  at: Date;
  statusCode: number | null;
  response: string | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventType: string;
  payload: Record<string, unknown>;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastResponse: string | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  /** Its attempts, oldest first (the last `ATTEMPTS_SHOWN`). */
  log: DeliveryAttempt[];
}

/** A claimed delivery: what one attempt needs. The endpoint's URL and secret are read at claim time. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  /** This attempt's number (1 for the first). */
  attempt: number;
  /** Null: as many as the dispatcher's schedule allows. */
  maxAttempts: number | null;
  eventType: string;
  payload: Record<string, unknown>;
  url: string;
  secret: string;
}

export interface AttemptOutcome {
  statusCode: number | null;
  /** The first KiB of the answer's body. */
  response: string | null;
  error: string | null;
  durationMs: number;
}

/** Claim fairness: how many attempts per endpoint the caller may still start, and what it has in flight. */
export interface ClaimFairness {
  /** At most this many attempts in flight to one endpoint, `busy` included (default: no limit). */
  perEndpoint?: number;
  /** The caller's attempts in flight, by endpoint id. */
  busy?: ReadonlyMap<string, number>;
}

const ATTEMPTS_SHOWN = 20;
const TEXT_MAX = 1024;

const columns = {
  id: webhookDeliveries.id,
  endpointId: webhookDeliveries.endpointId,
  eventType: webhookDeliveries.eventType,
  payload: webhookDeliveries.payload,
  status: webhookDeliveries.status,
  attempts: webhookDeliveries.attempts,
  nextAttemptAt: webhookDeliveries.nextAttemptAt,
  lastAttemptAt: webhookDeliveries.lastAttemptAt,
  lastStatusCode: webhookDeliveries.lastStatusCode,
  lastResponse: webhookDeliveries.lastResponse,
  lastError: webhookDeliveries.lastError,
  createdAt: webhookDeliveries.createdAt,
  deliveredAt: webhookDeliveries.deliveredAt,
};

/** Text Postgres can store (no NUL) and no longer than a KiB: answers come from anyone's server. */
const storable = (s: string | null): string | null =>
  s === null ? null : s.replaceAll('\u0000', '').slice(0, TEXT_MAX);

const rowsOf = (r: unknown) => (r as { rows: Record<string, unknown>[] }).rows;

/**
 * Deliveries: the outbox rows and their attempt log. A delivery is `pending` until an attempt gets a
 * 2xx (`succeeded`) or the schedule runs out (`failed`). Claims are leases: `next_attempt_at` moves to
 * when the claim lapses, so a dispatcher that dies mid-attempt only delays the next one.
 */
export class WebhookDeliveries {
  constructor(private readonly db: Database) {}

  /** An endpoint's deliveries, newest first, with their attempts. The caller has checked the endpoint is the user's. */
  async list(
    userId: string,
    endpointId: string,
    options: { cursor: string | null; limit: number },
  ): Promise<{ items: WebhookDelivery[]; nextCursor: string | null } | null> {
    if (options.cursor !== null && !isId('msg', options.cursor)) return null;
    const rows = await this.db
      .select(columns)
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.endpointId, endpointId),
          eq(webhookDeliveries.userId, userId),
          options.cursor ? lt(webhookDeliveries.id, options.cursor) : undefined,
        ),
      )
      .orderBy(desc(webhookDeliveries.id))
      .limit(options.limit + 1);
    const page = rows.slice(0, options.limit);
    const items = await this.#withLog(page);
    return { items, nextCursor: rows.length > options.limit ? page.at(-1)!.id : null };
  }

  async get(userId: string, endpointId: string, id: string): Promise<WebhookDelivery | null> {
    if (!isId('msg', id)) return null;
    const rows = await this.db
      .select(columns)
      .from(webhookDeliveries)
      .where(
        and(
          eq(webhookDeliveries.id, id),
          eq(webhookDeliveries.endpointId, endpointId),
          eq(webhookDeliveries.userId, userId),
        ),
      );
    return (await this.#withLog(rows))[0] ?? null;
  }

  /**
   * Sends an ended delivery again, now, once (the same message id and body; signed with the endpoint's
   * current secret). A delivery still pending is already on its way: `pending`, with its next attempt.
   * A disabled endpoint's deliveries are not resent (`endpoint_disabled`): enable it first. The
   * endpoint's row is share-locked, so a concurrent disable either waits for this resend (and then
   * fails the delivery with the others) or is seen by it.
   */
  async resend(
    userId: string,
    endpointId: string,
    id: string,
    now: Date = new Date(),
  ): Promise<
    Result<
      WebhookDelivery,
      { type: 'not_found' } | { type: 'pending'; nextAttemptAt: Date } | { type: 'endpoint_disabled' }
    >
  > {
    if (!isId('msg', id)) return err({ type: 'not_found' });
    const mine = and(
      eq(webhookDeliveries.id, id),
      eq(webhookDeliveries.endpointId, endpointId),
      eq(webhookDeliveries.userId, userId),
    );
    const outcome = await this.db.transaction(async (tx) => {
      const endpoint = rowsOf(
        await tx.execute(sql`
          select enabled from webhook_endpoints where id = ${endpointId} and user_id = ${userId} for share`),
      )[0];
      if (!endpoint) return 'not_found' as const;
      if (endpoint.enabled !== true) return 'endpoint_disabled' as const;
      const rows = await tx
        .update(webhookDeliveries)
        .set({
          status: 'pending',
          nextAttemptAt: now,
          maxAttempts: sql`${webhookDeliveries.attempts} + 1`,
        })
        .where(and(mine, ne(webhookDeliveries.status, 'pending')))
        .returning({ id: webhookDeliveries.id });
      if (rows.length > 0) await tx.execute(sql`select pg_notify(${WEBHOOKS_CHANNEL}, '')`);
      return rows.length > 0 ? ('resent' as const) : ('unchanged' as const);
    });
    if (outcome === 'not_found') return err({ type: 'not_found' });
    const [row] = await this.#withLog(await this.db.select(columns).from(webhookDeliveries).where(mine));
    if (!row) return err({ type: 'not_found' });
    if (outcome === 'endpoint_disabled') return err({ type: 'endpoint_disabled' });
    // Still pending when it was asked (it may have ended since: its next attempt was then now).
    if (outcome === 'unchanged') return err({ type: 'pending', nextAttemptAt: row.nextAttemptAt ?? now });
    return ok(row);
  }

  /**
   * Claims up to `limit` due deliveries of enabled endpoints for one attempt each, skipping rows another
   * dispatcher is claiming this instant (`SKIP LOCKED`); the claim holds for `leaseMs`.
   *
   * Fair across endpoints: due deliveries are ranked within their endpoint (oldest first, after the
   * caller's `busy` attempts) and taken rank by rank, so every endpoint's oldest due delivery comes
   * before any endpoint's second, and one endpoint's backlog cannot fill a claim while others wait.
   * Ranks beyond `perEndpoint` are not taken at all.
   */
  async claim(
    limit: number,
    leaseMs: number,
    now: Date = new Date(),
    fairness: ClaimFairness = {},
  ): Promise<ClaimedDelivery[]> {
    const n = Math.max(0, Math.trunc(limit));
    if (n === 0) return [];
    const until = new Date(now.getTime() + leaseMs);
    const perEndpoint = Math.max(0, Math.trunc(fairness.perEndpoint ?? Number.MAX_SAFE_INTEGER));
    const busy = JSON.stringify(Object.fromEntries(fairness.busy ?? []));
    // The ranking reads every due row without locking (window functions and FOR UPDATE do not mix);
    // the lock then takes the first `limit` candidates no one else holds, re-checked as still due. The
    // candidates are a few times `limit`, so that dispatchers claiming at once do not all go for the
    // same rows.
    const res = await this.db.execute(sql`
      with ranked as (
        select d.id, d.next_attempt_at,
               row_number() over (partition by d.endpoint_id order by d.next_attempt_at, d.id)
                 + coalesce((${busy}::jsonb ->> d.endpoint_id)::bigint, 0) as slot
          from webhook_deliveries d
          join webhook_endpoints e on e.id = d.endpoint_id and e.enabled
         where d.status = 'pending' and d.next_attempt_at <= ${now}),
      candidates as (
        select id, slot, next_attempt_at from ranked
         where slot <= ${perEndpoint}::bigint
         order by slot, next_attempt_at, id
         limit ${n * 4}),
      due as (
        select d.id from webhook_deliveries d
          join candidates c on c.id = d.id
         where d.status = 'pending' and d.next_attempt_at <= ${now}
         order by c.slot, c.next_attempt_at, c.id
         limit ${n}
         for update of d skip locked)
      update webhook_deliveries d
         set attempts = d.attempts + 1, next_attempt_at = ${until}, last_attempt_at = ${now}
        from due, webhook_endpoints e
       where d.id = due.id and e.id = d.endpoint_id and e.enabled
      returning d.id, d.endpoint_id, d.attempts, d.max_attempts, d.event_type, d.payload, e.url, e.secret`);
    return rowsOf(res).map((r) => ({
      id: String(r.id),
      endpointId: String(r.endpoint_id),
      attempt: Number(r.attempts),
      maxAttempts: r.max_attempts === null ? null : Number(r.max_attempts),
      eventType: String(r.event_type),
      payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
      url: String(r.url),
      secret: String(r.secret),
    }));
  }

  /**
   * Records an attempt and what comes next: `succeeded`, `failed`, or `pending` until `nextAttemptAt`.
   * Only the claim that is still the delivery's latest may move it (a lapsed one finds `attempts`
   * moved on); its attempt is logged either way, since it did reach the endpoint.
   */
  async record(
    claim: { id: string; attempt: number },
    outcome: AttemptOutcome,
    next: { status: DeliveryStatus; nextAttemptAt: Date | null },
    now: Date = new Date(),
  ): Promise<boolean> {
    const response = storable(outcome.response);
    const error = storable(outcome.error);
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`
        insert into webhook_attempts (delivery_id, number, at, status_code, response, error, duration_ms)
        select id, ${claim.attempt}, ${now}, ${outcome.statusCode}, ${response}, ${error}, ${Math.round(outcome.durationMs)}
          from webhook_deliveries where id = ${claim.id}
        on conflict do nothing`);
      const rows = await tx
        .update(webhookDeliveries)
        .set({
          status: next.status,
          nextAttemptAt: next.status === 'pending' ? next.nextAttemptAt : null,
          lastStatusCode: outcome.statusCode,
          lastResponse: response,
          lastError: error,
          ...(next.status === 'succeeded' ? { deliveredAt: now } : {}),
        })
        .where(
          and(
            eq(webhookDeliveries.id, claim.id),
            eq(webhookDeliveries.attempts, claim.attempt),
            eq(webhookDeliveries.status, 'pending'),
          ),
        )
        .returning({ id: webhookDeliveries.id });
      return rows.length > 0;
    });
  }

  async #withLog(
    rows: (Omit<WebhookDelivery, 'log' | 'payload'> & { payload: unknown })[],
  ): Promise<WebhookDelivery[]> {
    if (rows.length === 0) return [];
    const attempts = await this.db
      .select()
      .from(webhookAttempts)
      .where(
        inArray(
          webhookAttempts.deliveryId,
          rows.map((r) => r.id),
        ),
      )
      .orderBy(asc(webhookAttempts.deliveryId), asc(webhookAttempts.number));
    const byDelivery = new Map<string, DeliveryAttempt[]>();
    for (const a of attempts) {
      const list = byDelivery.get(a.deliveryId) ?? [];
      list.push({
        number: a.number,
        at: a.at,
        statusCode: a.statusCode,
        response: a.response,
        error: a.error,
        durationMs: a.durationMs,
      });
      byDelivery.set(a.deliveryId, list);
    }
    return rows.map((r) => ({
      ...r,
      payload: r.payload as Record<string, unknown>,
      log: (byDelivery.get(r.id) ?? []).slice(-ATTEMPTS_SHOWN),
    }));
  }
}
