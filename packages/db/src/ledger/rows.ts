import type { Account, AccountKind, Hold, HoldStatus, Operation } from '@jeton/core';
import { toBigInt } from './sql-rows.ts';
import { jsonLiteral, type Row, type SqlRunner } from './sql-runner.ts';

/**
 * A batch's reads. Each list of ids travels as one JSON literal and each result comes back as one
 * JSON value, so a batch of any size costs the same number of round trips.
 */
const idsIn = (values: readonly string[]) => `(select json_array_elements_text(${jsonLiteral(values)}))`;

/** Reads the operations (for idempotency) and locks the holds, in id order. */
export async function loadOperationsAndHolds(
  run: SqlRunner,
  operationIds: readonly string[],
  holdIds: readonly string[],
): Promise<{ operations: Operation[]; holds: Hold[] }> {
  const results = await run([
    // Every lookup of a batch is by primary key, but while a table is young its statistics say "tiny"
    // and the planner picks sequential scans that grow with the table: keep it on the indexes.
    'set local enable_seqscan = off',
    `select
      (select coalesce(json_agg(o), '[]'::json)
         from (select id, type, body, result, created_at from ledger_operations where id in ${idsIn(operationIds)}) o
      ) as ops,
      (select coalesce(json_agg(h), '[]'::json)
         from (select * from ledger_holds where id in ${idsIn(holdIds)} order by id for update) h
      ) as holds`,
  ]);
  const row = results[1]?.[0];
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
  run: SqlRunner,
  early: readonly string[],
  late: readonly string[],
  lockLate: boolean,
): Promise<Account[]> {
  if (!early.length && !late.length) return [];
  const query = lockLate
    ? `select coalesce(json_agg(a), '[]'::json) as accounts from (
         select * from ledger_accounts where id in ${idsIn([...early, ...late])}
          order by (id in ${idsIn(late)}), id for update
       ) a`
    : `select
         (select coalesce(json_agg(a), '[]'::json)
            from (select * from ledger_accounts where id in ${idsIn(early)} order by id for update) a
         ) as accounts,
         (select coalesce(json_agg(a), '[]'::json)
            from (select * from ledger_accounts where id in ${idsIn(late)}) a
         ) as late`;
  const [rows] = await run([query]);
  const row = rows?.[0];
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

/** Both drivers parse json columns; be sure anyway: a string is parsed here. */
export function json(value: unknown): Row[] {
  if (value === undefined || value === null) return [];
  return (typeof value === 'string' ? JSON.parse(value) : value) as Row[];
}
