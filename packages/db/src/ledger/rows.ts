import type { Account, AccountKind, Hold, HoldStatus, Operation } from '@jeton/core';
import { toBigInt } from './sql-rows.ts';
import { type Row, type SqlRunner, textList } from './sql-runner.ts';

/** Any constant: keeps the ledger's advisory locks apart from anyone else's. */
const OPERATION_LOCK_SEED = 7_311_530;

export interface BatchRows {
  operations: Operation[];
  holds: Hold[];
  accounts: Account[];
}

/**
 * Everything a batch reads, in one round trip: it claims the operation ids, locks the holds (by id),
 * the early accounts (by id, after the holds: those the commands name plus the wallets behind the
 * locked holds), reads the late accounts (locked after the early ones only when the batch debits one
 * of them), then reads the operations (for idempotency).
 *
 * The lock order holds even inside one statement: the early accounts are locked by the LockRows node
 * above a sort whose input needs every hold row first.
 */
export async function loadBatch(
  run: SqlRunner,
  wanted: {
    operationIds: readonly string[];
    holdIds: readonly string[];
    early: readonly string[];
    late: readonly string[];
  },
  lockLate: boolean,
): Promise<BatchRows> {
  const early = `early_ids as (
        select id from ${textList(wanted.early)} as e(id)
        union select user_id || ':wallet_promo' from h
        union select user_id || ':wallet_paid' from h
      )`;
  const accounts = lockLate
    ? `e as materialized (
        select * from ledger_accounts
         where id in (select id from early_ids) or id in ${textList(wanted.late)}
         order by (id in ${textList(wanted.late)}), id for update
      ), l as (select * from e where false)`
    : `e as materialized (
        select * from ledger_accounts where id in (select id from early_ids) order by id for update
      ), l as materialized (
        select * from ledger_accounts where id in ${textList(wanted.late)}
      )`;
  const results = await run([
    // Every lookup of a batch is by primary key, but while a table is young its statistics say "tiny"
    // and the planner picks sequential scans that grow with the table: keep it on the indexes, in
    // nested loops driven by the batch's own (sorted) lists, which also fixes the order in which the
    // final update locks the late accounts.
    'set local enable_seqscan = off',
    'set local enable_hashjoin = off',
    'set local enable_mergejoin = off',
    // First, claim the batch's operation ids, in key order: a transaction applying the same id commits
    // before this one goes on, so no two transactions ever insert one id (nor wait on each other's
    // uncommitted insert, a lock outside the order below).
    `select count(*) from (
        select pg_advisory_xact_lock(k) from (
          select distinct hashtextextended(id, ${OPERATION_LOCK_SEED}) as k from ${textList(wanted.operationIds)} as t(id)
           order by k
        ) keys
      ) claimed`,
    `with h as materialized (
        select * from ledger_holds where id in ${textList(wanted.holdIds)} order by id for update
      ), ${early}, ${accounts}
      select
        (select coalesce(json_agg(h), '[]'::json) from h) as holds,
        (select coalesce(json_agg(e), '[]'::json) from e) as early,
        (select coalesce(json_agg(l), '[]'::json) from l) as late`,
    // Last, and as a statement of its own: under read committed it reads after every lock above was
    // granted, so it sees the operations of whichever transaction held them.
    `select coalesce(json_agg(o), '[]'::json) as ops
       from (select id, type, fingerprint, result, created_at from ledger_operations
              where id in ${textList(wanted.operationIds)}) o`,
  ]);
  const row = { ...results.at(-2)?.[0], ...results.at(-1)?.[0] };
  return {
    operations: json(row?.ops).map((r) => ({
      id: String(r.id),
      type: String(r.type),
      fingerprint: String(r.fingerprint),
      result: String(r.result),
      createdAt: new Date(String(r.created_at)),
    })),
    holds: json(row?.holds).map((r) => ({
      id: String(r.id),
      runId: String(r.run_id),
      userId: String(r.user_id),
      max: toBigInt(r.max),
      promoAmount: toBigInt(r.promo_amount),
      paidAmount: toBigInt(r.paid_amount),
      status: String(r.status) as HoldStatus,
      capturedAmount: r.captured_amount === null ? null : toBigInt(r.captured_amount),
      expiresAt: new Date(String(r.expires_at)),
      createdAt: new Date(String(r.created_at)),
      resolvedAt: r.resolved_at === null ? null : new Date(String(r.resolved_at)),
    })),
    accounts: [...json(row?.early), ...json(row?.late)].map((r) => ({
      id: String(r.id),
      ownerId: String(r.owner_id),
      kind: String(r.kind) as AccountKind,
      debitsPending: toBigInt(r.debits_pending),
      debitsPosted: toBigInt(r.debits_posted),
      creditsPending: toBigInt(r.credits_pending),
      creditsPosted: toBigInt(r.credits_posted),
    })),
  };
}

/** Both drivers parse json columns; be sure anyway: a string is parsed here. */
export function json(value: unknown): Row[] {
  if (value === undefined || value === null) return [];
  return (typeof value === 'string' ? JSON.parse(value) : value) as Row[];
}
