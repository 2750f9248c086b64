import {
  type ApplyContext,
  accountId,
  available,
  type CommandResult,
  type CommandUnit,
  type Hold,
  type LedgerStore,
  mustStayNonNegative,
  type Page,
  type StatementEntry,
  USER_ACCOUNT_KINDS,
  type UserBalance,
} from '@jeton/core';
import { and, asc, desc, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import type { Database, DatabaseHandle } from '../connect.ts';
import { ledgerAccounts, ledgerHolds, ledgerTransfers } from '../schema.ts';
import { applyInTransaction } from './apply-in-transaction.ts';
import { jsonLiteral, runTransaction, runTransactionWithRetry } from './sql-runner.ts';
import { userAccountIds } from './touched-accounts.ts';
import { verifyLedger } from './verify.ts';

/** Postgres errors that mean "another transaction got there first": the batch is simply run again. */
const RETRYABLE = new Set(['40001', '40P01', '23505']);
const MAX_ATTEMPTS = 5;

/**
 * Opens users' wallets and earnings accounts (opening them again changes nothing): one statement, so
 * that a flow can open them inside its own transaction (a run makes sure its creator can be paid).
 */
export function openAccountsSql(userIds: readonly string[]): string {
  const rows = userIds.flatMap((userId) =>
    USER_ACCOUNT_KINDS.map((kind) => ({
      id: accountId(userId, kind),
      owner_id: userId,
      kind,
      non_negative: mustStayNonNegative(kind),
    })),
  );
  // Accounts that exist are filtered out by a plain read first: an insert that meets an existing key
  // would wait for any transaction updating that row (a creator's earnings are updated by every capture).
  return `insert into ledger_accounts (id, owner_id, kind, non_negative)
          select a.id, a.owner_id, a.kind, a.non_negative
            from json_to_recordset(${jsonLiteral(rows)}) as a(id text, owner_id text, kind text, non_negative boolean)
           where not exists (select 1 from ledger_accounts e where e.id = a.id)
           order by a.id
          on conflict (id) do nothing`;
}

/** The ledger on Drizzle, the same code on PGlite and Postgres. */
export class DrizzleLedgerStore implements LedgerStore {
  private readonly db: Database;

  constructor(private readonly handle: DatabaseHandle) {
    this.db = handle.db;
  }

  /** How many batch transactions had to be run again after a conflict (a deadlock, a duplicate key). */
  retries = 0;

  async apply(units: readonly CommandUnit[], ctx: ApplyContext): Promise<CommandResult[][]> {
    return runTransactionWithRetry(this.handle, (run) => applyInTransaction(run, units, ctx), {
      retryOn: RETRYABLE,
      attempts: MAX_ATTEMPTS,
      pauseMs: 5,
      onRetry: () => {
        this.retries++;
      },
    });
  }

  async openAccounts(userId: string): Promise<void> {
    await runTransaction(this.handle, (run) => run([openAccountsSql([userId])], { last: true }));
  }

  async balance(userId: string): Promise<UserBalance | null> {
    const rows = await this.db
      .select()
      .from(ledgerAccounts)
      .where(inArray(ledgerAccounts.id, userAccountIds(userId)));
    if (rows.length === 0) return null;
    const byKind = new Map(rows.map((r) => [r.kind, r]));
    const of = (kind: (typeof USER_ACCOUNT_KINDS)[number]) => {
      const a = byKind.get(kind);
      if (!a) return { posted: 0n, pending: 0n, available: 0n };
      return { posted: a.creditsPosted - a.debitsPosted, pending: a.debitsPending, available: available(a) };
    };
    const paid = of('wallet_paid');
    const promo = of('wallet_promo');
    return {
      userId,
      paid,
      promo,
      available: paid.available + promo.available,
      held: paid.pending + promo.pending,
      earnings: { cash: of('earnings_cash'), credit: of('earnings_credit') },
    };
  }

  async statement(
    userId: string,
    options: { cursor?: string | null; limit: number },
  ): Promise<Page<StatementEntry>> {
    const ids = userAccountIds(userId);
    const before = options.cursor ? BigInt(options.cursor) : null;
    const rows = await this.db
      .select()
      .from(ledgerTransfers)
      .where(
        and(
          // The platform predicates let the planner use the partial statement indexes.
          or(
            and(
              inArray(ledgerTransfers.debitAccountId, ids),
              sql`${ledgerTransfers.debitAccountId} not like 'platform:%'`,
            ),
            and(
              inArray(ledgerTransfers.creditAccountId, ids),
              sql`${ledgerTransfers.creditAccountId} not like 'platform:%'`,
            ),
          ),
          before === null ? undefined : lt(ledgerTransfers.seq, before),
        ),
      )
      .orderBy(desc(ledgerTransfers.seq))
      .limit(options.limit + 1);
    const page = rows.slice(0, options.limit);
    const mine = new Set(ids);
    const items = page.map(({ seq, ...transfer }) => {
      const debit = mine.has(transfer.debitAccountId);
      return {
        seq,
        accountId: debit ? transfer.debitAccountId : transfer.creditAccountId,
        direction: debit ? ('debit' as const) : ('credit' as const),
        transfer,
      };
    });
    const last = page.at(-1);
    return { items, nextCursor: rows.length > options.limit && last ? last.seq.toString() : null };
  }

  async hold(holdId: string): Promise<Hold | null> {
    const [row] = await this.db.select().from(ledgerHolds).where(eq(ledgerHolds.id, holdId));
    return row ?? null;
  }

  async dueHolds(now: Date, limit: number): Promise<string[]> {
    const rows = await this.db
      .select({ id: ledgerHolds.id })
      .from(ledgerHolds)
      .where(and(eq(ledgerHolds.status, 'pending'), lte(ledgerHolds.expiresAt, now)))
      .orderBy(asc(ledgerHolds.expiresAt))
      .limit(limit);
    return rows.map((r) => r.id);
  }

  verify() {
    return verifyLedger(this.db);
  }
}
