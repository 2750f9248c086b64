import type { CheckoutStart, Credits, PaymentProvider, ProviderEvent, TransferOutcome } from '@jeton/core';
import Stripe from 'stripe';

export interface StripeProviderOptions {
  webhookSecret: string;
  /** Where Checkout sends the buyer back to (`JETON_PUBLIC_URL`). */
  publicUrl: string;
}

/** The official client, with retries: every call that moves money carries an idempotency key. */
export function stripeClient(secretKey: string): Stripe {
  return new Stripe(secretKey, { maxNetworkRetries: 2, timeout: 20_000 });
}

/**
 * Stripe: top-ups through Checkout Sessions (1 credit = 1 US cent), credited when the signed
 * `checkout.session.completed` (or `async_payment_succeeded`) event says the session is paid; payouts
 * as Connect transfers to the creator's connected account (`acct_...`).
 */
export class StripePaymentProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  readonly requiresPayoutAccount = true;
  readonly #stripe: Stripe;
  readonly #options: StripeProviderOptions;

  constructor(stripe: Stripe, options: StripeProviderOptions) {
    this.#stripe = stripe;
    this.#options = options;
  }

  async startCheckout(request: {
    topUpId: string;
    userId: string;
    credits: Credits;
  }): Promise<CheckoutStart> {
    const back = `${this.#options.publicUrl}/wallet?top_up=${request.topUpId}`;
    const session = await this.#stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: 'usd',
              unit_amount: Number(request.credits),
              product_data: { name: `${request.credits} Jeton credits` },
            },
          },
        ],
        client_reference_id: request.topUpId,
        metadata: { top_up_id: request.topUpId, user_id: request.userId },
        success_url: `${back}&result=success`,
        cancel_url: `${back}&result=cancel`,
      },
      // A retry of the same top-up (a network retry by the client library) gets the same session.
      { idempotencyKey: `checkout:${request.topUpId}` },
    );
    if (!session.url) throw new Error(`Stripe created Checkout Session ${session.id} without a url`);
    return { kind: 'redirect', ref: session.id, url: session.url };
  }

  async transfer(request: {
    payoutId: string;
    userId: string;
    credits: Credits;
    accountRef: string | null;
  }): Promise<TransferOutcome> {
    if (!request.accountRef) return { status: 'failed', reason: 'no payout account' };
    try {
      const transfer = await this.#stripe.transfers.create(
        {
          amount: Number(request.credits),
          currency: 'usd',
          destination: request.accountRef,
          transfer_group: request.payoutId,
          metadata: { payout_id: request.payoutId, user_id: request.userId },
        },
        // The payout id is the key: asking again can never send the money twice.
        { idempotencyKey: `payout:${request.payoutId}` },
      );
      return { status: 'paid', ref: transfer.id };
    } catch (error) {
      const e = error as { statusCode?: number; message?: string };
      const reason = e.message ?? String(error);
      // A 4xx (but 409, an idempotency clash) is a refusal: Stripe did nothing. A connection error or
      // a 5xx may have gone through; Stripe documents such results as indeterminate.
      const definite =
        e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500 && e.statusCode !== 409;
      return definite ? { status: 'failed', reason } : { status: 'unknown', reason };
    }
  }

  accountRefProblem(ref: string): string | null {
    return /^acct_[A-Za-z0-9]{1,64}$/.test(ref) ? null : 'a Stripe Connect account id (acct_...)';
  }

  parseWebhook(rawBody: string, signature: string | undefined): ProviderEvent | null {
    if (!signature) return null;
    let event: Stripe.Event;
    try {
      event = this.#stripe.webhooks.constructEvent(rawBody, signature, this.#options.webhookSecret);
    } catch {
      return null;
    }
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded': {
        const session = event.data.object;
        // `completed` with `unpaid` is a delayed payment method: the money is not there yet, and
        // `async_payment_succeeded` will follow if it ever is.
        if (session.payment_status !== 'paid') {
          return { kind: 'ignored', eventId: event.id, type: `${event.type}:${session.payment_status}` };
        }
        return {
          kind: 'checkout_paid',
          eventId: event.id,
          ref: session.id,
          amountCents: session.amount_total,
          currency: session.currency,
        };
      }
      case 'checkout.session.expired':
        return { kind: 'checkout_expired', eventId: event.id, ref: event.data.object.id };
      default:
        return { kind: 'ignored', eventId: event.id, type: event.type };
    }
  }
}
