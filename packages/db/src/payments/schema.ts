import type { PayoutStatus, ProviderName, TopUpStatus } from '@jeton/core';
import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at } from '../columns.ts';

/**
 * Payment records: what was asked of a provider and what came of it. The money itself is in the
 * ledger; these rows say why it moved (or did not), and tie a provider's ids to the ledger commands.
 */
const credits = (name: string) => bigint(name, { mode: 'bigint' });

export const topUps = pgTable(
  'top_ups',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    provider: text('provider').$type<ProviderName>().notNull(),
    credits: credits('credits').notNull(),
    status: text('status').$type<TopUpStatus>().notNull(),
    /** The provider's payment id (a Checkout Session id): one top-up per payment. */
    providerRef: text('provider_ref').notNull(),
    createdAt: at('created_at').notNull(),
    creditedAt: at('credited_at'),
  },
  (t) => [
    uniqueIndex('top_ups_provider_ref').on(t.provider, t.providerRef),
    index('top_ups_user').on(t.userId, t.id),
    check('top_ups_credits_positive', sql`${t.credits} > 0`),
    check('top_ups_status', sql`${t.status} in ('pending','credited','expired')`),
    check('top_ups_credited_at', sql`(${t.status} = 'credited') = (${t.creditedAt} is not null)`),
  ],
);

export const payouts = pgTable(
  'payouts',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    credits: credits('credits').notNull(),
    status: text('status').$type<PayoutStatus>().notNull(),
    provider: text('provider').$type<ProviderName>().notNull(),
    providerRef: text('provider_ref'),
    failure: text('failure'),
    createdAt: at('created_at').notNull(),
    paidAt: at('paid_at'),
  },
  (t) => [
    index('payouts_user').on(t.userId, t.id),
    check('payouts_credits_positive', sql`${t.credits} > 0`),
    check('payouts_status', sql`${t.status} in ('pending','paid','failed')`),
    check('payouts_paid_at', sql`(${t.status} = 'paid') = (${t.paidAt} is not null)`),
  ],
);

/** Where a creator's payouts go, per provider (for Stripe, a Connect account id). */
export const payoutAccounts = pgTable(
  'payout_accounts',
  {
    userId: text('user_id').notNull(),
    provider: text('provider').$type<ProviderName>().notNull(),
    accountRef: text('account_ref').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.provider] })],
);

export const paymentsSchema = { topUps, payouts, payoutAccounts };
