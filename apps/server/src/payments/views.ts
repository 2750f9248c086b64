import type { AccountBalance, Payout, StatementEntry, TopUp, UserBalance } from '@jeton/core';
import { z } from 'zod';
import { isoTime } from '../openapi/schemas.ts';

/** The public shapes of the money resources (and of the events about them). Credits are integers. */
const credits = z.int().meta({ description: 'Credits (1 credit = US$0.01)' });
const accountBalance = z.object({
  balance: credits,
  available: credits.meta({ description: 'The balance less what holds reserve' }),
});

export const walletSchema = z
  .object({
    object: z.literal('wallet'),
    available: credits.meta({ description: 'Spendable credits, paid and promotional' }),
    held: credits.meta({ description: 'Reserved by runs in progress' }),
    paid: accountBalance,
    promo: accountBalance,
    earnings: z.object({ cash: accountBalance, credit: accountBalance }),
  })
  .meta({ id: 'Wallet' });

export const transactionSchema = z
  .object({
    id: z.string(),
    object: z.literal('transaction'),
    account: z.string().meta({ description: 'wallet_paid, wallet_promo, earnings_cash or earnings_credit' }),
    direction: z.enum(['debit', 'credit']),
    amount: credits,
    code: z.string().meta({ description: 'top_up, hold, capture, release, payout, ...' }),
    phase: z.string(),
    reference: z.string().nullable(),
    createdAt: isoTime,
  })
  .meta({ id: 'Transaction' });

export const topUpSchema = z
  .object({
    id: z.string().meta({ example: 'top_01JD...' }),
    object: z.literal('top_up'),
    provider: z.enum(['dev', 'stripe']),
    credits,
    status: z.enum(['pending', 'credited', 'expired']),
    createdAt: isoTime,
    creditedAt: isoTime.nullable(),
  })
  .meta({ id: 'TopUp' });

export const createdTopUpSchema = topUpSchema
  .extend({
    url: z
      .string()
      .nullable()
      .meta({ description: 'Where to pay (Stripe Checkout); null when credited at once' }),
  })
  .meta({ id: 'CreatedTopUp' });

export const payoutSchema = z
  .object({
    id: z.string().meta({ example: 'pay_01JD...' }),
    object: z.literal('payout'),
    provider: z.enum(['dev', 'stripe']),
    credits,
    status: z.enum(['pending', 'paid', 'failed']),
    providerRef: z.string().nullable(),
    failure: z.string().nullable(),
    createdAt: isoTime,
    paidAt: isoTime.nullable(),
  })
  .meta({ id: 'Payout' });

export const earningsSchema = z
  .object({
    object: z.literal('earnings'),
    cash: accountBalance.meta({ description: 'From paid credits: withdrawable' }),
    credit: accountBalance.meta({ description: 'From promotional credits: platform credits only' }),
    payoutMinimum: credits,
  })
  .meta({ id: 'Earnings' });

const zero: AccountBalance = { posted: 0n, pending: 0n, available: 0n };
const balanceJson = (a: AccountBalance) => ({ balance: Number(a.posted), available: Number(a.available) });

export function walletJson(b: UserBalance | null) {
  return {
    object: 'wallet' as const,
    available: Number(b?.available ?? 0n),
    held: Number(b?.held ?? 0n),
    paid: balanceJson(b?.paid ?? zero),
    promo: balanceJson(b?.promo ?? zero),
    earnings: {
      cash: balanceJson(b?.earnings.cash ?? zero),
      credit: balanceJson(b?.earnings.credit ?? zero),
    },
  };
}

export function earningsJson(b: UserBalance | null, payoutMinimum: bigint) {
  return {
    object: 'earnings' as const,
    cash: balanceJson(b?.earnings.cash ?? zero),
    credit: balanceJson(b?.earnings.credit ?? zero),
    payoutMinimum: Number(payoutMinimum),
  };
}

export function transactionJson(e: StatementEntry) {
  return {
    id: e.transfer.id,
    object: 'transaction' as const,
    // The owner is the caller: only the kind says anything.
    account: e.accountId.slice(e.accountId.indexOf(':') + 1),
    direction: e.direction,
    amount: Number(e.transfer.amount),
    code: e.transfer.code,
    phase: e.transfer.phase,
    reference: e.transfer.reference,
    createdAt: e.transfer.createdAt.toISOString(),
  };
}

export function topUpJson(t: TopUp) {
  return {
    id: t.id,
    object: 'top_up' as const,
    provider: t.provider,
    credits: Number(t.credits),
    status: t.status,
    createdAt: t.createdAt.toISOString(),
    creditedAt: t.creditedAt?.toISOString() ?? null,
  };
}

export function payoutJson(p: Payout) {
  return {
    id: p.id,
    object: 'payout' as const,
    provider: p.provider,
    credits: Number(p.credits),
    status: p.status,
    providerRef: p.providerRef,
    failure: p.failure,
    createdAt: p.createdAt.toISOString(),
    paidAt: p.paidAt?.toISOString() ?? null,
  };
}
