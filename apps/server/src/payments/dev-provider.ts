import type { CheckoutStart, PaymentProvider, TransferOutcome } from '@jeton/core';

/**
 * For local use: a top-up is credited at once (within `JETON_DEV_TOPUP_DAILY_LIMIT`, which the
 * wallet enforces), and a payout is "paid" without any money moving. No payout account is needed.
 */
export class DevPaymentProvider implements PaymentProvider {
  readonly name = 'dev' as const;
  readonly requiresPayoutAccount = false;

  async startCheckout(request: { topUpId: string }): Promise<CheckoutStart> {
    return { kind: 'immediate', ref: request.topUpId };
  }

  async transfer(request: { payoutId: string }): Promise<TransferOutcome> {
    return { status: 'paid', ref: `dev_${request.payoutId}` };
  }

  accountRefProblem(ref: string): string | null {
    return /^[\x21-\x7e]{1,100}$/.test(ref) ? null : '1-100 printable ASCII characters';
  }
}
