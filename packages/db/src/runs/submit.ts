import type { ApplyContext, NewRun, Run, SubmitOutcome } from '@jeton/core';
import { EMPTY_USAGE } from '@jeton/core';
import { prepareInTransaction } from '../ledger/apply-in-transaction.ts';
import { jsonLiteral, type SqlQuery, type SqlRunner } from '../ledger/sql-runner.ts';
import { openAccountsSql } from '../ledger/store.ts';
import type { RunQueue } from './queue.ts';
import { EVENTS_CHANNEL, notifySql, runFromJson, ts } from './rows.ts';

/** Any constant: keeps the run engine's advisory locks apart from the ledger's. */
export const RUN_LOCK_SEED = 7_311_531;

/** A hold outlives its run's deadline by this much, so the sweep always ends the run first. */
export const HOLD_MARGIN_MS = 3600_000;

export const holdIdOf = (runId: string) => `hold_${runId}`;

const keyOf = (r: { buyerId: string; idempotencyKey: string | null }) =>
  `${r.buyerId}\u0000${r.idempotencyKey}`;

/**
 * Creates runs, holds their quotes and enqueues their jobs in one transaction: either a run exists
 * with its hold and its job, or nothing of it does. A run whose hold is refused (not enough credits)
 * is simply not written.
 */
export async function submitRuns(
  run: SqlRunner,
  query: SqlQuery,
  queue: RunQueue,
  items: readonly NewRun[],
  ctx: ApplyContext,
): Promise<SubmitOutcome[]> {
  const outcomes: (SubmitOutcome | null)[] = items.map(() => null);
  const keyed = items.filter((i) => i.idempotencyKey !== null);
  const existing = new Map<string, { run: Run; requestHash: string }>();
  if (keyed.length > 0) {
    const pairs = keyed.map((i) => ({ b: i.buyerId, k: i.idempotencyKey }));
    const [, rows] = await run([
      // Two submissions with one key wait for each other, so the second sees the first's run.
      `select count(*) from (select pg_advisory_xact_lock(k) from (
          select distinct hashtextextended(b || ':' || k, ${RUN_LOCK_SEED}) as k
            from json_to_recordset(${jsonLiteral(pairs)}) as t(b text, k text) order by k) x) y`,
      `select coalesce(json_agg(json_build_object('run', row_to_json(r), 'hash', r.request_hash)), '[]'::json) as runs
         from runs r
        where (r.buyer_id, r.idempotency_key) in
              (select b, k from json_to_recordset(${jsonLiteral(pairs)}) as t(b text, k text))`,
    ]);
    for (const found of (rows?.[0]?.runs ?? []) as { run: Record<string, unknown>; hash: string }[]) {
      const r = runFromJson(found.run);
      existing.set(keyOf(r), { run: r, requestHash: found.hash });
    }
  }

  // Runs to create: not already there, and the first of any key repeated within this batch.
  const fresh: number[] = [];
  const firstOfKey = new Map<string, number>();
  items.forEach((item, i) => {
    if (item.idempotencyKey === null) {
      fresh.push(i);
      return;
    }
    const k = keyOf(item);
    const before = existing.get(k);
    if (before) {
      outcomes[i] =
        before.requestHash === item.requestHash
          ? { type: 'replayed', run: before.run }
          : { type: 'idempotency_conflict', runId: before.run.id };
    } else if (!firstOfKey.has(k)) {
      firstOfKey.set(k, i);
      fresh.push(i);
    }
  });

  const { results, writes } = await prepareInTransaction(
    run,
    fresh.map((i) => {
      const it = items[i]!;
      return [
        {
          type: 'hold',
          id: holdIdOf(it.id),
          runId: it.id,
          userId: it.buyerId,
          max: BigInt(it.maxCredits),
          expiresAt: new Date(it.expiresAt.getTime() + HOLD_MARGIN_MS),
        },
      ];
    }),
    ctx,
  );
  const created: NewRun[] = [];
  fresh.forEach((i, n) => {
    const result = results[n]![0]!;
    if (result.ok) {
      created.push(items[i]!);
      return;
    }
    const e = result.error;
    outcomes[i] =
      e.type === 'insufficient_credits'
        ? { type: 'insufficient_credits', available: e.available, required: e.required }
        : e.type === 'account_not_found'
          ? { type: 'wallet_not_found' }
          : bug(`hold refused: ${e.type}`);
  });

  // The last round trip: the runs, their first events, their jobs, then the holds (whose writes lock
  // the hot escrow account, so they go last, just before the commit).
  const statements: string[] = [];
  if (created.length > 0) {
    const rows = created.map((r) => ({
      id: r.id,
      buyer_id: r.buyerId,
      agent_id: r.agentId,
      version_id: r.versionId,
      slug: r.slug,
      version: r.version,
      creator_id: r.creatorId,
      input: r.input,
      pricing: r.pricing,
      max_credits: r.maxCredits,
      hold_id: holdIdOf(r.id),
      idempotency_key: r.idempotencyKey,
      request_hash: r.requestHash,
      timeout_seconds: r.timeoutSeconds,
      retry_safe: r.retrySafe,
      usage: EMPTY_USAGE,
      expires_at: r.expiresAt.toISOString(),
      created_at: r.createdAt.toISOString(),
    }));
    statements.push(
      `with ins as (
         insert into runs (id, buyer_id, agent_id, version_id, slug, version, creator_id, status, input, pricing,
                           max_credits, hold_id, idempotency_key, request_hash, timeout_seconds, retry_safe, usage,
                           expires_at, created_at, last_seq)
         select id, buyer_id, agent_id, version_id, slug, version, creator_id, 'queued', input, pricing,
                max_credits, hold_id, idempotency_key, request_hash, timeout_seconds, retry_safe, usage,
                expires_at, created_at, 1
           from json_to_recordset(${jsonLiteral(rows)}) as t(
             id text, buyer_id text, agent_id text, version_id text, slug text, version text, creator_id text,
             input jsonb, pricing jsonb, max_credits bigint, hold_id text, idempotency_key text,
             request_hash text, timeout_seconds int, retry_safe boolean, usage jsonb,
             expires_at timestamptz, created_at timestamptz)
         returning *),
       -- The first event, numbered 1, written with the run itself.
       ev as (
         insert into run_events (run_id, seq, type, data, at)
         select id, 1, 'status', '{"type":"status","status":"queued"}'::jsonb, ${ts(ctx.now)} from ins
       )
       select coalesce(json_agg(row_to_json(ins)), '[]'::json) as runs from ins`,
      // The creator can be paid when the run ends: their earnings accounts exist from now on.
      openAccountsSql([...new Set(created.map((r) => r.creatorId))]),
      ...notifySql(
        EVENTS_CHANNEL,
        created.map((r) => r.id),
      ),
      ...(await queue.enqueueStatements(
        query,
        created.map((r) => ({ runId: r.id })),
      )),
    );
  }
  const [inserted] = await run([...statements, ...writes], { last: true });
  if (created.length > 0) {
    const byId = new Map(
      ((inserted?.[0]?.runs ?? []) as Record<string, unknown>[]).map((j) => {
        const r = runFromJson(j);
        return [r.id, r] as const;
      }),
    );
    items.forEach((item, i) => {
      const r = byId.get(item.id);
      if (r) outcomes[i] = { type: 'created', run: r };
    });
  }

  // A key repeated within the batch: the later submission is a replay of (or conflicts with) the first.
  items.forEach((item, i) => {
    if (outcomes[i] !== null) return;
    const first = outcomes[firstOfKey.get(keyOf(item))!]!;
    outcomes[i] =
      first.type === 'created'
        ? items[firstOfKey.get(keyOf(item))!]!.requestHash === item.requestHash
          ? { type: 'replayed', run: first.run }
          : { type: 'idempotency_conflict', runId: first.run.id }
        : first;
  });
  return outcomes as SubmitOutcome[];
}

function bug(message: string): never {
  throw new Error(message);
}
