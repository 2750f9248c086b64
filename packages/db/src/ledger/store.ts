import {
  type Account,
  type ApplyContext,
  accountId,
  applyUnits,
  available,
  BatchState,
  type CommandResult,
  type CommandUnit,
  type Hold,
  holdIdOf,
  invariant,
  type LedgerCommand,
  type LedgerStore,
  mustStayNonNegative,
  type Page,
  type StatementEntry,
  USER_ACCOUNT_KINDS,
  type UserBalance,
} from '@jeton/core';
import { and, asc, desc, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { ledgerAccounts, ledgerHolds, ledgerOperations, ledgerTransfers } from '../schema.ts';
import { queryRows } from './sql-rows.ts';
import { touchedAccounts, userAccountIds } from './touched-accounts.ts';
import { verifyLedger } from './verify.ts';

/** Postgres errors that mean "another transaction got there first": the batch is simply run again. */
const RETRYABLE = new Set(['40001', '40P01', '23505']);
const MAX_ATTEMPTS = 5;

/** The ledger on Drizzle, the same code on PGlite and Postgres. */
export class DrizzleLedgerStore implements LedgerStore {
  constructor(private readonly db: Database) {}

  async apply(units: readonly CommandUnit[], ctx: ApplyContext): Promise<CommandResult[][]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction((tx) => applyInTransaction(tx, units, ctx));
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has(pgErrorCode(error) ?? '')) throw error;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  }

  async openAccounts(userId: string): Promise<void> {
    await this.db
      .insert(ledgerAccounts)
      .values(
        USER_ACCOUNT_KINDS.map((kind) => ({
          id: accountId(userId, kind),
          ownerId: userId,
          kind,
          nonNegative: mustStayNonNegative(kind),
        })),
      )
      .onConflictDoNothing();
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
          or(inArray(ledgerTransfers.debitAccountId, ids), inArray(ledgerTransfers.creditAccountId, ids)),
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

/**
 * Applies units inside the caller's transaction, so that a flow can commit its own rows and the money
 * together (a run, its hold and its job). Locks the holds, then the accounts, each in id order, so
 * concurrent batches never deadlock; then applies the commands in memory and writes what changed in a
 * fixed number of statements, whatever the batch size.
 */
export async function applyInTransaction(
  tx: Database,
  units: readonly CommandUnit[],
  ctx: ApplyContext,
): Promise<CommandResult[][]> {
  const commands = units.flat() as (Partial<LedgerCommand> | null)[];
  const ids = unique(commands.map((c) => c?.id));
  const holdIds = unique(
    commands.map((c) => (c && typeof c.type === 'string' ? holdIdOf(c as LedgerCommand) : null)),
  );

  const operations = ids.length
    ? await tx.select().from(ledgerOperations).where(inArray(ledgerOperations.id, ids))
    : [];
  const holds = holdIds.length
    ? await tx
        .select()
        .from(ledgerHolds)
        .where(inArray(ledgerHolds.id, holdIds))
        .orderBy(ledgerHolds.id)
        .for('update')
    : [];

  const holders = new Map(holds.map((h) => [h.id, h.userId]));
  for (const c of commands)
    if (c?.type === 'hold' && typeof c.id === 'string') holders.set(c.id, String(c.userId));
  const accountIds = unique(commands.flatMap((c) => touchedAccounts(c, (id) => holders.get(id))));
  const accounts = accountIds.length
    ? await tx
        .select()
        .from(ledgerAccounts)
        .where(inArray(ledgerAccounts.id, accountIds))
        .orderBy(ledgerAccounts.id)
        .for('update')
    : [];

  const state = new BatchState(accounts as Account[], holds, operations);
  const results = applyUnits(state, units, ctx);
  await persist(tx, state);
  return results;
}

async function persist(tx: Database, state: BatchState): Promise<void> {
  if (state.newOperations.length) await tx.insert(ledgerOperations).values(state.newOperations);
  if (state.newTransfers.length) await tx.insert(ledgerTransfers).values(state.newTransfers);
  const newHolds = [...state.newHoldIds].map((id) => state.holds.get(id)!);
  if (newHolds.length) await tx.insert(ledgerHolds).values(newHolds);

  const changedHolds = [...state.changedHoldIds].map((id) => state.holds.get(id)!);
  if (changedHolds.length) {
    const json = JSON.stringify(
      changedHolds.map((h) => ({
        id: h.id,
        status: h.status,
        captured: h.capturedAmount?.toString() ?? null,
        resolved: h.resolvedAt?.toISOString() ?? null,
      })),
    );
    // Compare-and-set: a hold leaves 'pending' once. The row lock makes a miss impossible, so a miss is a bug.
    const updated = await queryRows(
      tx,
      sql`
      update ledger_holds h
         set status = v.status, captured_amount = v.captured, resolved_at = v.resolved
        from json_to_recordset(${json}::json) as v(id text, status text, captured bigint, resolved timestamptz)
       where h.id = v.id and h.status = 'pending'
      returning h.id`,
    );
    invariant(updated.length === changedHolds.length, 'a hold changed under its lock');
  }

  const changedAccounts = [...state.changedAccountIds].map((id) => state.accounts.get(id)!);
  if (changedAccounts.length) {
    const json = JSON.stringify(
      changedAccounts.map((a) => ({
        id: a.id,
        dp: a.debitsPending.toString(),
        dpo: a.debitsPosted.toString(),
        cp: a.creditsPending.toString(),
        cpo: a.creditsPosted.toString(),
      })),
    );
    await tx.execute(sql`
      update ledger_accounts a
         set debits_pending = v.dp, debits_posted = v.dpo, credits_pending = v.cp, credits_posted = v.cpo
        from json_to_recordset(${json}::json) as v(id text, dp bigint, dpo bigint, cp bigint, cpo bigint)
       where a.id = v.id`);
  }
}

function unique(values: readonly (string | null | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))];
}

function pgErrorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
