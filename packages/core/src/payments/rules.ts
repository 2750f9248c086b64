import type { Credits } from '../shared/money.ts';
import { err, ok, type Result } from '../shared/result.ts';
import type { ProviderName } from './types.ts';

/**
 * The ledger command that credits a top-up. Derived from the provider's payment id, never from a
 * webhook event id: every event about one Checkout Session (a replay, `completed` then
 * `async_payment_succeeded`) names the same command, and the ledger applies a command id once.
 */
export const topUpCommandId = (provider: ProviderName, ref: string) => `topup:${provider}:${ref}`;

/** The ledger command that moves a payout out of the creator's earnings. */
export const payoutCommandId = (payoutId: string) => `payout:${payoutId}`;

/** The ledger command that gives a failed payout back to the creator's earnings. */
export const payoutReversalCommandId = (payoutId: string) => `payout-reversal:${payoutId}`;

/** Midnight UTC of `now`'s day: the dev provider's daily limit counts from there. */
export function utcDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export type DailyLimitRefusal = {
  type: 'daily_limit_reached';
  limit: Credits;
  usedToday: Credits;
  /** What can still be added today (0 when the limit is reached). */
  remaining: Credits;
};

/**
 * Whether a top-up of `requested` fits within today's allowance. All or nothing: a top-up that would
 * cross the limit is refused whole, never cut down to fit.
 */
export function decideDailyLimit(
  requested: Credits,
  usedToday: Credits,
  limit: Credits,
): Result<Credits, DailyLimitRefusal> {
  const remaining = usedToday >= limit ? 0n : limit - usedToday;
  return requested <= remaining
    ? ok(requested)
    : err({ type: 'daily_limit_reached', limit, usedToday, remaining });
}

export type PayoutRefusal =
  | { type: 'below_payout_minimum'; minimum: Credits; amount: Credits }
  | { type: 'insufficient_earnings'; available: Credits; requested: Credits };

/**
 * How much to pay out: what was asked, or else everything withdrawable. Below the minimum is refused
 * (a transfer costs the platform a fee); so is more than the withdrawable earnings.
 */
export function decidePayout(
  requested: Credits | undefined,
  available: Credits,
  minimum: Credits,
): Result<Credits, PayoutRefusal> {
  const amount = requested ?? available;
  if (amount < minimum) return err({ type: 'below_payout_minimum', minimum, amount });
  if (amount > available) return err({ type: 'insufficient_earnings', available, requested: amount });
  return ok(amount);
}
