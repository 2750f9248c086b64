import type { VerifyReport } from '@jeton/core';
import { sql } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { queryRows, toBigInt } from './sql-rows.ts';

type Check = VerifyReport['checks'][number];

/**
 * Recomputes every balance from the transfers and checks every invariant, on one consistent snapshot
 * of a live database. It reads only. Each check is independent of the application code that wrote
 * the rows: it trusts nothing but the transfer log.
 */
export async function verifyLedger(db: Database): Promise<VerifyReport> {
  return db.transaction(
    async (tx) => {
      const offending = new Set<string>();
      const checks: Check[] = [];
      const check = (name: string, failures: string[], accounts: string[] = []) => {
        checks.push({ name, ok: failures.length === 0, failures });
        for (const a of accounts) offending.add(a);
      };

      const drift = await queryRows<Record<string, unknown>>(
        tx,
        sql`
        with resolved as (
          select pending_id from ledger_transfers where pending_id is not null
        ), moves as (
          select debit_account_id as account_id, amount as dpo, 0::bigint as cpo, 0::bigint as dp, 0::bigint as cp
            from ledger_transfers where phase in ('posted', 'post_pending')
          union all
          select credit_account_id, 0, amount, 0, 0 from ledger_transfers where phase in ('posted', 'post_pending')
          union all
          select debit_account_id, 0, 0, amount, 0 from ledger_transfers t
           where phase = 'pending' and not exists (select 1 from resolved r where r.pending_id = t.id)
          union all
          select credit_account_id, 0, 0, 0, amount from ledger_transfers t
           where phase = 'pending' and not exists (select 1 from resolved r where r.pending_id = t.id)
        ), sums as (
          select account_id, sum(dpo) as dpo, sum(cpo) as cpo, sum(dp) as dp, sum(cp) as cp from moves group by account_id
        )
        select coalesce(a.id, s.account_id) as id,
               a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending,
               coalesce(s.dpo, 0) as r_dpo, coalesce(s.cpo, 0) as r_cpo, coalesce(s.dp, 0) as r_dp, coalesce(s.cp, 0) as r_cp
          from ledger_accounts a full join sums s on s.account_id = a.id
         where a.id is null
            or a.debits_posted <> coalesce(s.dpo, 0) or a.credits_posted <> coalesce(s.cpo, 0)
            or a.debits_pending <> coalesce(s.dp, 0) or a.credits_pending <> coalesce(s.cp, 0)
         order by 1`,
      );
      check(
        'cached balances equal balances recomputed from transfers',
        drift.map(
          (r) =>
            `${r.id}: cached debits ${r.debits_posted}+${r.debits_pending} pending, credits ${r.credits_posted}+${r.credits_pending} pending; ` +
            `transfers say debits ${r.r_dpo}+${r.r_dp} pending, credits ${r.r_cpo}+${r.r_cp} pending`,
        ),
        drift.map((r) => String(r.id)),
      );

      const [sums] = await queryRows<Record<string, unknown>>(
        tx,
        sql`select coalesce(sum(credits_posted - debits_posted), 0) as posted,
                   coalesce(sum(credits_pending - debits_pending), 0) as pending from ledger_accounts`,
      );
      const posted = toBigInt(sums?.posted ?? 0);
      const pending = toBigInt(sums?.pending ?? 0);
      check('the sum of all balances is zero', [
        ...(posted === 0n ? [] : [`posted balances sum to ${posted}`]),
        ...(pending === 0n ? [] : [`pending balances sum to ${pending}`]),
      ]);

      const negative = await queryRows<{ id: string; balance: unknown }>(
        tx,
        sql`select id, credits_posted - debits_posted - debits_pending as balance from ledger_accounts
             where non_negative and debits_posted + debits_pending > credits_posted order by id`,
      );
      check(
        'no wallet, earnings, escrow or revenue account is below zero',
        negative.map((r) => `${r.id}: available ${r.balance}`),
        negative.map((r) => r.id),
      );

      const resolutions = await queryRows<{ id: string; problem: string; debit: string; credit: string }>(
        tx,
        sql`
        select r.id, r.debit_account_id as debit, r.credit_account_id as credit,
               case when p.id is null then 'resolves no transfer'
                    when p.phase <> 'pending' then 'resolves a transfer that is not pending'
                    when (select count(*) from ledger_transfers o where o.pending_id = r.pending_id) > 1 then 'is one of several resolutions'
                    when r.debit_account_id <> p.debit_account_id or r.credit_account_id <> p.credit_account_id then 'moves other accounts than its pending transfer'
                    when r.phase = 'post_pending' and r.amount > p.amount then 'posts more than was reserved'
                    else 'voids another amount than was reserved' end as problem
          from ledger_transfers r left join ledger_transfers p on p.id = r.pending_id
         where r.pending_id is not null
           and (p.id is null or p.phase <> 'pending'
                or (select count(*) from ledger_transfers o where o.pending_id = r.pending_id) > 1
                or r.debit_account_id <> p.debit_account_id or r.credit_account_id <> p.credit_account_id
                or (r.phase = 'post_pending' and r.amount > p.amount)
                or (r.phase = 'void_pending' and r.amount <> p.amount))
         order by r.id`,
      );
      check(
        'each pending transfer is resolved at most once, within what it reserved',
        resolutions.map((r) => `${r.id} ${r.problem}`),
        resolutions.flatMap((r) => [r.debit, r.credit]),
      );

      const holds = await queryRows<{ id: string; user_id: string; status: string }>(
        tx,
        sql`
        with legs as (
          select p.hold_id, sum(p.amount) as reserved, count(*) as legs, count(r.id) as resolved,
                 coalesce(sum(r.amount) filter (where r.phase = 'post_pending'), 0) as posted,
                 count(r.id) filter (where r.phase = 'void_pending') as voided
            from ledger_transfers p left join ledger_transfers r on r.pending_id = p.id
           where p.phase = 'pending'
           group by p.hold_id
        )
        select h.id, h.user_id, h.status from ledger_holds h left join legs l on l.hold_id = h.id
         where coalesce(l.reserved, 0) <> h.max
            or (h.status = 'pending' and l.resolved <> 0)
            or (h.status <> 'pending' and l.resolved <> l.legs)
            or (h.status = 'captured' and l.posted <> h.captured_amount)
            or (h.status in ('released', 'expired') and l.voided <> l.legs)
         order by h.id`,
      );
      check(
        "each hold's status matches its transfers (reserved = max, resolved exactly once when not pending)",
        holds.map((h) => `hold ${h.id} (${h.status}) disagrees with its transfers`),
        holds.flatMap((h) => [`${h.user_id}:wallet_promo`, `${h.user_id}:wallet_paid`]),
      );

      const [escrow] = await queryRows<Record<string, unknown>>(
        tx,
        sql`select a.credits_posted - a.debits_posted as at_rest, a.credits_pending as pending,
                   (select coalesce(sum(max), 0) from ledger_holds where status = 'pending') as held
              from ledger_accounts a where a.id = 'platform:escrow'`,
      );
      const escrowFailures: string[] = [];
      if (!escrow) escrowFailures.push('platform:escrow is missing');
      else {
        if (toBigInt(escrow.at_rest) !== 0n)
          escrowFailures.push(`escrow keeps ${escrow.at_rest} posted credits`);
        if (toBigInt(escrow.pending) !== toBigInt(escrow.held)) {
          escrowFailures.push(`escrow has ${escrow.pending} pending but open holds total ${escrow.held}`);
        }
      }
      check(
        'escrow holds exactly the open holds and nothing else',
        escrowFailures,
        escrowFailures.length ? ['platform:escrow'] : [],
      );

      return { ok: checks.every((c) => c.ok), checks, offendingAccounts: [...offending].sort() };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
