import {
  type DailyLimitRefusal,
  decideDailyLimit,
  isId,
  ok,
  type Page,
  type Payout,
  type PayoutAccount,
  type ProviderName,
  type Result,
  type TopUp,
} from '@jeton/core';
import { and, desc, eq, gte, lt, ne, sql } from 'drizzle-orm';
import type { Database } from '../connect.ts';
import { payoutAccounts, payouts, topUps } from './schema.ts';

export interface PageRequest {
  cursor?: string | null;
  limit: number;
}

/**
 * The payment records: top-ups, payouts, creators' payout accounts. Every read and write names its
 * user, so no caller can reach another user's records by id. State changes are compare-and-set on the
 * status, so that a replayed webhook or a retried request finds nothing left to change.
 */
export class PaymentRecords {
  constructor(private readonly db: Database) {}

  async insertTopUp(topUp: TopUp): Promise<TopUp> {
    await this.db.insert(topUps).values(topUp);
    return topUp;
  }

  /**
   * Inserts a top-up only if the user's top-ups with this provider since `since` (pending or
   * credited) leave room for it. The user's top-ups are serialised by an advisory lock, so that two
   * concurrent requests cannot both take the last of the allowance.
   */
  async insertTopUpWithinLimit(
    topUp: TopUp,
    limit: bigint,
    since: Date,
  ): Promise<Result<TopUp, DailyLimitRefusal>> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`top-up:${topUp.userId}`}, 0))`);
      const [row] = await tx
        .select({ used: sql<string>`coalesce(sum(${topUps.credits}), 0)::text` })
        .from(topUps)
        .where(
          and(
            eq(topUps.userId, topUp.userId),
            eq(topUps.provider, topUp.provider),
            gte(topUps.createdAt, since),
            ne(topUps.status, 'expired'),
          ),
        );
      const decided = decideDailyLimit(topUp.credits, BigInt(row?.used ?? '0'), limit);
      if (!decided.ok) return decided;
      await tx.insert(topUps).values(topUp);
      return ok(topUp);
    });
  }

  async topUpByRef(provider: ProviderName, ref: string): Promise<TopUp | null> {
    const [row] = await this.db
      .select()
      .from(topUps)
      .where(and(eq(topUps.provider, provider), eq(topUps.providerRef, ref)));
    return row ?? null;
  }

  /** Marks a top-up credited; null when it already was (so only the first caller announces it). */
  async markTopUpCredited(id: string, now: Date): Promise<TopUp | null> {
    const [row] = await this.db
      .update(topUps)
      .set({ status: 'credited', creditedAt: now })
      .where(and(eq(topUps.id, id), ne(topUps.status, 'credited')))
      .returning();
    return row ?? null;
  }

  /** A checkout abandoned at the provider: only a pending top-up expires. */
  async markTopUpExpired(id: string): Promise<TopUp | null> {
    const [row] = await this.db
      .update(topUps)
      .set({ status: 'expired' })
      .where(and(eq(topUps.id, id), eq(topUps.status, 'pending')))
      .returning();
    return row ?? null;
  }

  /** The user's top-ups, newest first; null for a cursor this never gave. */
  async topUpsOf(userId: string, page: PageRequest): Promise<Page<TopUp> | null> {
    if (page.cursor != null && !isId('top', page.cursor)) return null;
    const rows = await this.db
      .select()
      .from(topUps)
      .where(and(eq(topUps.userId, userId), page.cursor ? lt(topUps.id, page.cursor) : undefined))
      .orderBy(desc(topUps.id))
      .limit(page.limit + 1);
    return pageOf(rows, page.limit);
  }

  async insertPayout(payout: Payout): Promise<Payout> {
    await this.db.insert(payouts).values(payout);
    return payout;
  }

  markPayoutPaid(id: string, ref: string, now: Date): Promise<Payout | null> {
    return this.#updatePendingPayout(id, { status: 'paid', providerRef: ref, failure: null, paidAt: now });
  }

  markPayoutFailed(id: string, failure: string): Promise<Payout | null> {
    return this.#updatePendingPayout(id, { status: 'failed', failure });
  }

  /** Keeps a payout pending, noting why its outcome is not known yet. */
  notePayoutPending(id: string, note: string): Promise<Payout | null> {
    return this.#updatePendingPayout(id, { failure: note });
  }

  /**
   * Only a pending payout changes: a paid or failed one is final, so a late or repeated answer from
   * the provider finds nothing to update (null).
   */
  async #updatePendingPayout(id: string, set: Partial<typeof payouts.$inferInsert>): Promise<Payout | null> {
    const [row] = await this.db
      .update(payouts)
      .set(set)
      .where(and(eq(payouts.id, id), eq(payouts.status, 'pending')))
      .returning();
    return row ?? null;
  }

  async payoutsOf(userId: string, page: PageRequest): Promise<Page<Payout> | null> {
    if (page.cursor != null && !isId('pay', page.cursor)) return null;
    const rows = await this.db
      .select()
      .from(payouts)
      .where(and(eq(payouts.userId, userId), page.cursor ? lt(payouts.id, page.cursor) : undefined))
      .orderBy(desc(payouts.id))
      .limit(page.limit + 1);
    return pageOf(rows, page.limit);
  }

  async setPayoutAccount(account: PayoutAccount): Promise<PayoutAccount> {
    await this.db
      .insert(payoutAccounts)
      .values(account)
      .onConflictDoUpdate({
        target: [payoutAccounts.userId, payoutAccounts.provider],
        set: { accountRef: account.accountRef, updatedAt: account.updatedAt },
      });
    return account;
  }

  async payoutAccount(userId: string, provider: ProviderName): Promise<PayoutAccount | null> {
    const [row] = await this.db
      .select()
      .from(payoutAccounts)
      .where(and(eq(payoutAccounts.userId, userId), eq(payoutAccounts.provider, provider)));
    return row ?? null;
  }
}

function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items.at(-1)!.id : null };
}
