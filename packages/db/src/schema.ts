import type { AccountKind, HoldStatus, TransferCode, TransferPhase } from '@jeton/core';
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accountsSchema } from './accounts/schema.ts';
import { catalogSchema } from './catalog/schema.ts';
import { at } from './columns.ts';
import { paymentsSchema } from './payments/schema.ts';
import { runsSchema } from './runs/schema.ts';
import { webhooksSchema } from './webhooks/schema.ts';

/**
 * The one schema for both engines (PGlite and Postgres). The checks repeat the ledger's rules in the
 * database itself, so that even a bug in the application cannot write a negative wallet, a
 * non-positive transfer or a pending transfer resolved twice.
 *
 * Transfers carry no foreign keys, on purpose: each one costs a locked lookup per inserted row, which
 * made a transfer five times as expensive to write (measured: 30 µs against 6 µs a row on Postgres 15).
 * The ledger only writes transfers between accounts it has just read, and `ledger verify` checks that
 * every transfer names existing accounts, an existing operation and an existing pending transfer.
 */

const credits = (name: string) => bigint(name, { mode: 'bigint' });

export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id').notNull(),
    kind: text('kind').$type<AccountKind>().notNull(),
    nonNegative: boolean('non_negative').notNull(),
    debitsPending: credits('debits_pending').notNull().default(sql`0`),
    debitsPosted: credits('debits_posted').notNull().default(sql`0`),
    creditsPending: credits('credits_pending').notNull().default(sql`0`),
    creditsPosted: credits('credits_posted').notNull().default(sql`0`),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ledger_accounts_owner_kind').on(t.ownerId, t.kind),
    check(
      'ledger_accounts_kind',
      sql`${t.kind} in ('wallet_paid','wallet_promo','earnings_cash','earnings_credit','escrow','platform_revenue','payments_clearing','promo_issuance','payouts')`,
    ),
    check(
      'ledger_accounts_totals_non_negative',
      sql`${t.debitsPending} >= 0 and ${t.debitsPosted} >= 0 and ${t.creditsPending} >= 0 and ${t.creditsPosted} >= 0`,
    ),
    check(
      'ledger_accounts_debits_within_credits',
      sql`not ${t.nonNegative} or ${t.debitsPosted} + ${t.debitsPending} <= ${t.creditsPosted}`,
    ),
  ],
);

export const ledgerOperations = pgTable('ledger_operations', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  /** SHA-256 (base64url) of the command's canonical JSON: a replay must match it exactly. */
  fingerprint: text('fingerprint').notNull(),
  /** The outcome in canonical JSON, returned again on a replay. */
  result: text('result').notNull(),
  createdAt: at('created_at').notNull(),
});

export const ledgerTransfers = pgTable(
  'ledger_transfers',
  {
    id: text('id').primaryKey(),
    /** Commit order, for statements and cursors. */
    seq: bigint('seq', { mode: 'bigint' }).generatedAlwaysAsIdentity().notNull(),
    operationId: text('operation_id').notNull(),
    debitAccountId: text('debit_account_id').notNull(),
    creditAccountId: text('credit_account_id').notNull(),
    amount: credits('amount').notNull(),
    phase: text('phase').$type<TransferPhase>().notNull(),
    pendingId: text('pending_id'),
    code: text('code').$type<TransferCode>().notNull(),
    holdId: text('hold_id'),
    reference: text('reference'),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    // A pending transfer is posted or voided at most once.
    uniqueIndex('ledger_transfers_resolves_once').on(t.pendingId).where(sql`${t.pendingId} is not null`),
    // Statements are read for people's accounts only; leaving the platform's sides out of these indexes
    // halves their upkeep, since nearly every transfer has one.
    index('ledger_transfers_debit_seq')
      .on(t.debitAccountId, t.seq)
      .where(sql`${t.debitAccountId} not like 'platform:%'`),
    index('ledger_transfers_credit_seq')
      .on(t.creditAccountId, t.seq)
      .where(sql`${t.creditAccountId} not like 'platform:%'`),
    check('ledger_transfers_amount_positive', sql`${t.amount} > 0`),
    check('ledger_transfers_two_accounts', sql`${t.debitAccountId} <> ${t.creditAccountId}`),
    check('ledger_transfers_phase', sql`${t.phase} in ('posted','pending','post_pending','void_pending')`),
    check(
      'ledger_transfers_resolution_names_pending',
      sql`(${t.phase} in ('post_pending','void_pending')) = (${t.pendingId} is not null)`,
    ),
  ],
);

export const ledgerHolds = pgTable(
  'ledger_holds',
  {
    id: text('id').primaryKey(),
    runId: text('run_id').notNull(),
    userId: text('user_id').notNull(),
    max: credits('max').notNull(),
    promoAmount: credits('promo_amount').notNull(),
    paidAmount: credits('paid_amount').notNull(),
    status: text('status').$type<HoldStatus>().notNull(),
    capturedAmount: credits('captured_amount'),
    expiresAt: at('expires_at').notNull(),
    createdAt: at('created_at').notNull(),
    resolvedAt: at('resolved_at'),
  },
  (t) => [
    index('ledger_holds_pending_expiry').on(t.expiresAt).where(sql`${t.status} = 'pending'`),
    check(
      'ledger_holds_parts',
      sql`${t.promoAmount} >= 0 and ${t.paidAmount} >= 0 and ${t.promoAmount} + ${t.paidAmount} = ${t.max} and ${t.max} > 0`,
    ),
    check('ledger_holds_status', sql`${t.status} in ('pending','captured','released','expired')`),
    check('ledger_holds_resolved_once', sql`(${t.status} = 'pending') = (${t.resolvedAt} is null)`),
    check(
      'ledger_holds_captured_amount',
      sql`(${t.status} = 'captured') = (${t.capturedAmount} is not null) and coalesce(${t.capturedAmount}, 0) between 0 and ${t.max}`,
    ),
  ],
);

export const schema = {
  ledgerAccounts,
  ledgerOperations,
  ledgerTransfers,
  ledgerHolds,
  ...catalogSchema,
  ...runsSchema,
  ...accountsSchema,
  ...paymentsSchema,
  ...webhooksSchema,
};
