import type { Account, BatchState, Hold } from '@jeton/core';
import { invariant } from '@jeton/core';
import { jsonLiteral, literal } from './sql-runner.ts';

/**
 * The statements that write what a batch created or changed, sent together with the commit. Each kind
 * of row goes in as one JSON literal, so the statement count stays constant whatever the batch size.
 */
export function persistStatements(
  state: BatchState,
  loaded: ReadonlyMap<string, Account>,
  now: Date,
): string[] {
  const statements: string[] = [];
  // Every row a batch creates carries the batch's time, sent once.
  const at = `${literal(now.toISOString())}::timestamptz`;
  const sameTime = (d: Date) => d.getTime() === now.getTime();
  invariant(
    state.newOperations.every((o) => sameTime(o.createdAt)) &&
      state.newTransfers.every((t) => sameTime(t.createdAt)),
    'a row of this batch has another time than the batch',
  );
  const operations = state.newOperations.map((o) => ({
    id: o.id,
    type: o.type,
    fp: o.fingerprint,
    result: o.result,
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
  }));
  const newHolds = [...state.newHoldIds].map((id) => holdRow(state.holds.get(id)!));
  const changedHolds = [...state.changedHoldIds].map((id) => holdRow(state.holds.get(id)!));

  if (operations.length) {
    statements.push(`
    insert into ledger_operations (id, type, fingerprint, result, created_at)
    select id, type, fp, result, ${at}
      from json_to_recordset(${jsonLiteral(operations)}) as v(id text, type text, fp text, result text)`);
  }
  if (transfers.length) {
    statements.push(`
    insert into ledger_transfers (id, operation_id, debit_account_id, credit_account_id, amount, phase, pending_id,
                                  code, hold_id, reference, created_at)
    select id, op, dr, cr, amount, phase, pending, code, hold, ref, ${at}
      from rows from (
             json_to_recordset(${jsonLiteral(transfers)})
             as (id text, op text, dr text, cr text, amount bigint, phase text, pending text, code text, hold text,
                 ref text)
           ) with ordinality as v(id, op, dr, cr, amount, phase, pending, code, hold, ref, n)
     order by n`);
  }
  if (newHolds.length) {
    statements.push(`
    insert into ledger_holds (id, run_id, user_id, max, promo_amount, paid_amount, status, captured_amount,
                              expires_at, created_at, resolved_at)
    select id, run, usr, max, promo, paid, status, captured, expires, at, resolved
      from json_to_recordset(${jsonLiteral(newHolds)})
           as v(id text, run text, usr text, max bigint, promo bigint, paid bigint, status text, captured bigint,
                expires timestamptz, at timestamptz, resolved timestamptz)`);
  }
  if (changedHolds.length) {
    // Compare-and-set: a hold leaves 'pending' once. The holds were locked when read, so a miss is a bug,
    // and jeton_assert aborts the transaction before its commit.
    statements.push(`
    with changed as (
      update ledger_holds h
         set status = v.status, captured_amount = v.captured, resolved_at = v.resolved
        from json_to_recordset(${jsonLiteral(changedHolds)})
             as v(id text, status text, captured bigint, resolved timestamptz)
       where h.id = v.id and h.status = 'pending'
      returning h.id
    )
    select jeton_assert((select count(*) from changed) = ${changedHolds.length}, 'a hold changed under its lock')`);
  }

  // Deltas, not totals: a late account was read without a lock, and other batches may have credited it
  // since. The late accounts are locked here, in id order: the rows are sorted, and the batch's planner
  // settings (rows.ts) make this a nested loop driven by them. Accounts are never deleted, so every id
  // finds its row.
  const deltas = [...state.changedAccountIds].sort().map((id) => {
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
    update ledger_accounts a
       set debits_pending = a.debits_pending + v.dp, debits_posted = a.debits_posted + v.dpo,
           credits_pending = a.credits_pending + v.cp, credits_posted = a.credits_posted + v.cpo
      from json_to_recordset(${jsonLiteral(deltas)}) as v(id text, dp bigint, dpo bigint, cp bigint, cpo bigint)
     where a.id = v.id`);
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
