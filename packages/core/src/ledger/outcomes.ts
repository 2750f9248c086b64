import type { Credits } from '../shared/money.ts';
import type { Err, Ok } from '../shared/result.ts';
import type { LedgerCommandType } from './commands.ts';
import type { LedgerError } from './errors.ts';

export interface MovementOutcome {
  type: 'top_up' | 'grant_promo' | 'payout' | 'transfer';
  transferId: string;
  amount: Credits;
}

export interface HoldOutcome {
  type: 'hold';
  holdId: string;
  max: Credits;
  promoAmount: Credits;
  paidAmount: Credits;
  expiresAt: Date;
}

export interface CaptureOutcome {
  type: 'capture';
  holdId: string;
  amount: Credits;
  /** Spent promotional credits first, then paid credits. */
  promoSpent: Credits;
  paidSpent: Credits;
  /** The creator's share of `paidSpent`, withdrawable. */
  creatorCash: Credits;
  /** The creator's share of `promoSpent`, usable as platform credits only. */
  creatorCredit: Credits;
  platformFee: Credits;
  /** What went back to the buyer's wallets. */
  released: Credits;
}

export interface ReleaseOutcome {
  type: 'release' | 'expire';
  holdId: string;
  released: Credits;
}

export type LedgerOutcome = MovementOutcome | HoldOutcome | CaptureOutcome | ReleaseOutcome;

export type OutcomeOf<T extends LedgerCommandType> = Extract<LedgerOutcome, { type: T }>;

/** `replayed` is true when the command's id had already been applied with the same body. */
export type CommandResult<T extends LedgerOutcome = LedgerOutcome> =
  | (Ok<T> & { replayed: boolean })
  | Err<LedgerError>;
