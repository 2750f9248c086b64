import type { Credits } from '../shared/money.ts';
import type { AccountKind } from './accounts.ts';

/**
 * An account keeps four totals, as in TigerBeetle. For the credit-normal accounts people own
 * (wallets, earnings) the balance is `creditsPosted − debitsPosted` and what can still be spent is
 * `creditsPosted − debitsPosted − debitsPending`.
 */
export interface Account {
  readonly id: string;
  readonly ownerId: string;
  readonly kind: AccountKind;
  readonly debitsPending: Credits;
  readonly debitsPosted: Credits;
  readonly creditsPending: Credits;
  readonly creditsPosted: Credits;
}

/**
 * `posted` moves money at once; `pending` reserves it; `post_pending` settles a pending transfer for
 * an amount ≤ the reserved one (the rest is released); `void_pending` releases it whole.
 */
export type TransferPhase = 'posted' | 'pending' | 'post_pending' | 'void_pending';

export type TransferCode =
  | 'top_up'
  | 'promo_grant'
  | 'hold'
  | 'capture'
  | 'release'
  | 'expire'
  | 'creator_earning'
  | 'commission'
  | 'payout'
  | 'transfer';

export interface Transfer {
  readonly id: string;
  readonly operationId: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  readonly amount: Credits;
  readonly phase: TransferPhase;
  /** For `post_pending` and `void_pending`: the pending transfer they resolve. */
  readonly pendingId: string | null;
  readonly code: TransferCode;
  readonly holdId: string | null;
  /** The caller's reference, e.g. a run id or a payment id. */
  readonly reference: string | null;
  readonly createdAt: Date;
}

export type HoldStatus = 'pending' | 'captured' | 'released' | 'expired';

export interface Hold {
  readonly id: string;
  readonly runId: string;
  readonly userId: string;
  readonly max: Credits;
  /** The part of `max` reserved from promotional credits; the rest came from paid credits. */
  readonly promoAmount: Credits;
  readonly paidAmount: Credits;
  readonly status: HoldStatus;
  readonly capturedAmount: Credits | null;
  readonly expiresAt: Date;
  readonly createdAt: Date;
  readonly resolvedAt: Date | null;
}

/** A stored idempotent operation: the fingerprint of its body and the result it produced. */
export interface Operation {
  readonly id: string;
  readonly type: string;
  /** SHA-256 (base64url) of the command's canonical JSON: a replay must match it exactly. */
  readonly fingerprint: string;
  readonly result: string;
  readonly createdAt: Date;
}
