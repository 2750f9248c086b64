import type { Account, AccountKind, Hold, HoldStatus, Operation } from '@jeton/core';
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { queryRows, toBigInt } from './sql-rows.ts';

/**
 * A batch's reads, in two round trips. Each list of ids travels as one JSON parameter and each result
 * comes back as one JSON value: a batch's cost is dominated by round trips and per-row mapping, not
 * by the lookups themselves.
 */
const idsIn = (values: readonly string[]): SQL =>
  sql`(select json_array_elements_text(${JSON.stringify(values)}::json))`;

type Row = Record<string, unknown>;

/** Reads the operations (for idempotency) and locks the holds, in id order. */
export async function loadOperationsAndHolds(
  tx: Database,
  operationIds: readonly string[],
  holdIds: readonly string[],
): Promise<{ operations: Operation[]; holds: Hold[] }> {
  if (!operationIds.length && !holdIds.length) return { operations: [], holds: [] };
  const [row] = await queryRows<{ ops: Row[] | string; holds: Row[] | string }>(
    tx,
    sql`
    select
      (select coalesce(json_agg(o), '[]'::json)
         from (select id, type, body, result, created_at from ledger_operations where id in ${idsIn(operationIds)}) o
      ) as ops,
      (select coalesce(json_agg(h), '[]'::json)
         from (select * from ledger_holds where id in ${idsIn(holdIds)} order by id for update) h
      ) as holds`,
  );
  return {
    operations: json(row?.ops).map((r) => ({
      id: String(r.id),
      type: String(r.type),
      body: String(r.body),
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
  };
}

/**
 * Locks the early accounts in id order; reads the late ones, locking them too (after the early ones)
 * when the batch debits one of them.
 */
export async function loadAccounts(
  tx: Database,
  early: readonly string[],
  late: readonly string[],
  lockLate: boolean,
): Promise<Account[]> {
  if (!early.length && !late.length) return [];
  const query = lockLate
    ? sql`
      select coalesce(json_agg(a), '[]'::json) as accounts from (
        select * from ledger_accounts where id in ${idsIn([...early, ...late])}
         order by (id in ${idsIn(late)}), id for update
      ) a`
    : sql`
      select
        (select coalesce(json_agg(a), '[]'::json)
           from (select * from ledger_accounts where id in ${idsIn(early)} order by id for update) a
        ) as accounts,
        (select coalesce(json_agg(a), '[]'::json)
           from (select * from ledger_accounts where id in ${idsIn(late)}) a
        ) as late`;
  const [row] = await queryRows<{ accounts: Row[] | string; late?: Row[] | string }>(tx, query);
  return [...json(row?.accounts), ...json(row?.late)].map((r) => ({
    id: String(r.id),
    ownerId: String(r.owner_id),
    kind: String(r.kind) as AccountKind,
    debitsPending: toBigInt(r.debits_pending),
    debitsPosted: toBigInt(r.debits_posted),
    creditsPending: toBigInt(r.credits_pending),
    creditsPosted: toBigInt(r.credits_posted),
  }));
}

/** pg parses json columns; PGlite too, but be sure: a string is parsed here. */
function json(value: Row[] | string | undefined | null): Row[] {
  if (value === undefined || value === null) return [];
  return typeof value === 'string' ? (JSON.parse(value) as Row[]) : value;
}
