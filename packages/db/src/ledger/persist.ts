import type { Account, BatchState, Hold } from '@jeton/core';
import { invariant } from '@jeton/core';
import { jsonLiteral } from './sql-runner.ts';

/**
 * The statements that write what a batch created or changed. Each kind of row goes in as one JSON
 * literal, so the statement count stays constant whatever the batch size, and each statement checks
 * its own effect with `jeton_assert`, so a surprise aborts the transaction before its commit.
 */
export function persistStatements(state: BatchState, loaded: ReadonlyMap<string, Account>): string[] {
  const statements: string[] = [];
  const operations = state.newOperations.map((o) => ({
    id: o.id,
    type: o.type,
    body: o.body,
    result: o.result,
    at: o.createdAt.toISOString(),
  }));
  const transfers = state.newTransfers.map((t) => ({
    id: t.id,
    op: t.operationId,
    dr: t.debitAccountId,
    cr: t.creditAccountId,
    amount: t.amount.toString(),
    phase: t.phase,
    pending: t.pendingId,
    code: t.code,
    hold: t.holdId,
    ref: t.reference,
    at: t.createdAt.toISOString(),
  }));
  const newHolds = [...state.newHoldIds].map((id) => holdRow(state.holds.get(id)!));
  const changedHolds = [...state.changedHoldIds].map((id) => holdRow(state.holds.get(id)!));

  if (operations.length || transfers.length || newHolds.length || changedHolds.length) {
    statements.push(`
    with ops as (
      insert into ledger_operations (id, type, body, result, created_at)
      select id, type, body, result, at
        from json_to_recordset(${jsonLiteral(operations)})
             as v(id text, type text, body text, result text, at timestamptz)
    ), transfers as (
      insert into ledger_transfers (id, operation_id, debit_account_id, credit_account_id, amount, phase, pending_id,
                                    code, hold_id, reference, created_at)
      select id, op, dr, cr, amount, phase, pending, code, hold, ref, at
        from rows from (
               json_to_recordset(${jsonLiteral(transfers)})
               as (id text, op text, dr text, cr text, amount bigint, phase text, pending text, code text, hold text,
                   ref text, at timestamptz)
             ) with ordinality as v(id, op, dr, cr, amount, phase, pending, code, hold, ref, at, n)
       order by n
    ), new_holds as (
      insert into ledger_holds (id, run_id, user_id, max, promo_amount, paid_amount, status, captured_amount,
                                expires_at, created_at, resolved_at)
      select id, run, usr, max, promo, paid, status, captured, expires, at, resolved
        from json_to_recordset(${jsonLiteral(newHolds)})
             as v(id text, run text, usr text, max bigint, promo bigint, paid bigint, status text, captured bigint,
                  expires timestamptz, at timestamptz, resolved timestamptz)
    ), changed_holds as (
      -- Compare-and-set: a hold leaves 'pending' once. The holds were locked when read, so a miss is a bug.
      update ledger_holds h
         set status = v.status, captured_amount = v.captured, resolved_at = v.resolved
        from json_to_recordset(${jsonLiteral(changedHolds)})
             as v(id text, status text, captured bigint, resolved timestamptz)
       where h.id = v.id and h.status = 'pending'
      returning h.id
    )
    select jeton_assert((select count(*) from changed_holds) = ${changedHolds.length}, 'a hold changed under its lock')`);
  }

  // Deltas, not totals: a late account was read without a lock, and other batches may have credited it
  // since. The rows are locked in id order before they change (late accounts arrive here unlocked).
  const deltas = [...state.changedAccountIds].map((id) => {
    const now = state.accounts.get(id)!;
    const before = loaded.get(id);
    invariant(before, `account ${id} changed without being loaded`);
    return {
      id,
      dp: (now.debitsPending - before.debitsPending).toString(),
      dpo: (now.debitsPosted - before.debitsPosted).toString(),
      cp: (now.creditsPending - before.creditsPending).toString(),
      cpo: (now.creditsPosted - before.creditsPosted).toString(),
    };
  });
  if (deltas.length) {
    statements.push(`
    with v as materialized (
      select * from json_to_recordset(${jsonLiteral(deltas)})
             as v(id text, dp bigint, dpo bigint, cp bigint, cpo bigint)
    ), locked as materialized (
      select id from ledger_accounts where id in (select id from v) order by id for update
    ), updated as (
      update ledger_accounts a
         set debits_pending = a.debits_pending + v.dp, debits_posted = a.debits_posted + v.dpo,
             credits_pending = a.credits_pending + v.cp, credits_posted = a.credits_posted + v.cpo
        from v, locked
       where a.id = v.id and locked.id = v.id
      returning a.id
    )
    select jeton_assert((select count(*) from updated) = ${deltas.length}, 'an account vanished during a batch')`);
  }
  return statements;
}

function holdRow(h: Hold) {
  return {
    id: h.id,
    run: h.runId,
    usr: h.userId,
    max: h.max.toString(),
    promo: h.promoAmount.toString(),
    paid: h.paidAmount.toString(),
    status: h.status,
    captured: h.capturedAmount?.toString() ?? null,
    expires: h.expiresAt.toISOString(),
    at: h.createdAt.toISOString(),
    resolved: h.resolvedAt?.toISOString() ?? null,
  };
}
