import type { Credits } from '../shared/money.ts';

/** Which payment provider moves real money (or, for `dev`, pretends to). */
export type ProviderName = 'dev' | 'stripe';

export type TopUpStatus = 'pending' | 'credited' | 'expired';
export type PayoutStatus = 'pending' | 'paid' | 'failed';

/** A request to buy credits. Credited once, by the ledger command `topUpCommandId(provider, ref)`. */
export interface TopUp {
  readonly id: string;
  readonly userId: string;
  readonly provider: ProviderName;
  readonly credits: Credits;
  readonly status: TopUpStatus;
  /** The provider's id for the payment (a Checkout Session id); the dev provider uses the top-up id. */
  readonly providerRef: string;
  readonly createdAt: Date;
  readonly creditedAt: Date | null;
}

/** Money sent to a creator from their withdrawable earnings. */
export interface Payout {
  readonly id: string;
  readonly userId: string;
  readonly credits: Credits;
  readonly status: PayoutStatus;
  readonly provider: ProviderName;
  /** The provider's id for the transfer, once it exists. */
  readonly providerRef: string | null;
  /** Why it failed (or, while pending, why the provider's answer is not known yet). */
  readonly failure: string | null;
  readonly createdAt: Date;
  readonly paidAt: Date | null;
}

/** Where a creator's payouts go: for Stripe, a Connect account (`acct_...`). */
export interface PayoutAccount {
  readonly userId: string;
  readonly provider: ProviderName;
  readonly accountRef: string;
  readonly updatedAt: Date;
}

/** How a provider starts a top-up: at once (dev), or by sending the buyer to a hosted page. */
export type CheckoutStart =
  | { kind: 'immediate'; ref: string }
  | { kind: 'redirect'; ref: string; url: string };

/**
 * A transfer's outcome. `failed` is a definite refusal: no money left, so the ledger move is reversed.
 * `unknown` (a timeout, a 5xx) may or may not have moved money: nothing is reversed, the payout stays
 * pending, and retrying with the same idempotency key (the payout id) can never pay twice.
 */
export type TransferOutcome =
  | { status: 'paid'; ref: string }
  | { status: 'failed'; reason: string }
  | { status: 'unknown'; reason: string };

/** What a provider's webhook said, once its signature is verified. */
export type ProviderEvent =
  | {
      kind: 'checkout_paid';
      eventId: string;
      ref: string;
      amountCents: number | null;
      currency: string | null;
    }
  | { kind: 'checkout_expired'; eventId: string; ref: string }
  | { kind: 'ignored'; eventId: string; type: string };

/** The payment provider port: one implementation per provider, chosen by configuration. */
export interface PaymentProvider {
  readonly name: ProviderName;
  /** Whether a creator must register a payout account before asking for a payout. */
  readonly requiresPayoutAccount: boolean;
  /** Starts buying `credits` (1 credit = 1 US cent); `topUpId` is the idempotency key at the provider. */
  startCheckout(request: { topUpId: string; userId: string; credits: Credits }): Promise<CheckoutStart>;
  /** Sends `credits` to the creator's account; `payoutId` is the idempotency key at the provider. */
  transfer(request: {
    payoutId: string;
    userId: string;
    credits: Credits;
    accountRef: string | null;
  }): Promise<TransferOutcome>;
  /** Why `ref` is not a payout account of this provider, or null when it is. */
  accountRefProblem(ref: string): string | null;
  /** Verifies and reads a webhook; null when the signature (or the payload) does not hold up. */
  parseWebhook?(rawBody: string, signature: string | undefined): ProviderEvent | null;
}

/** Outbound notifications to users (the webhook system implements it). */
export interface PaymentEvents {
  emit(userId: string, type: string, data: Record<string, unknown>): Promise<void>;
}
