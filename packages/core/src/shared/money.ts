import { invariant } from './assert.ts';

/** An amount of credits. Always an integer; 1 credit = US$0.01 for display. */
export type Credits = bigint;

/** The largest amount any single ledger movement may carry: 10^15 credits (US$10 trillion). */
export const MAX_AMOUNT: Credits = 1_000_000_000_000_000n;

/** Basis points: 10,000 = 100%. Rates are integers so that no floating point touches money. */
export const BPS_SCALE = 10_000n;

export interface CommissionSplit {
  readonly creator: Credits;
  readonly platform: Credits;
}

/**
 * Splits an amount between creator and platform.
 *
 * Rounding rule: the platform's commission is rounded DOWN to a whole credit
 * (`platform = floor(amount × rateBps / 10000)`) and the creator receives the rest, so
 * `creator + platform = amount` exactly and any fraction of a credit goes to the creator.
 *
 * @example
 * splitCommission(99n, 2000) // { creator: 80n, platform: 19n } (19.8 rounds down)
 */
export function splitCommission(amount: Credits, rateBps: number): CommissionSplit {
  invariant(amount >= 0n, `commission on a negative amount: ${amount}`);
  invariant(Number.isInteger(rateBps) && rateBps >= 0 && rateBps <= 10_000, `bad commission rate ${rateBps}`);
  const platform = (amount * BigInt(rateBps)) / BPS_SCALE;
  return { creator: amount - platform, platform };
}

/** Formats credits as US dollars for display only (1 credit = $0.01), without floating point. */
export function formatUsd(amount: Credits): string {
  const sign = amount < 0n ? '-' : '';
  const abs = amount < 0n ? -amount : amount;
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${sign}$${abs / 100n}.${cents}`;
}
