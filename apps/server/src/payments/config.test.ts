import { describe, expect, it } from 'vitest';
import { loadPaymentsConfig } from './config.ts';

describe('payments config', () => {
  it('defaults to the dev provider with a daily limit of 10,000 credits, needing no secret', () => {
    expect(loadPaymentsConfig({})).toMatchObject({
      ok: true,
      config: { provider: 'dev', devDailyLimit: 10_000n, minTopUp: 500n, maxTopUp: 100_000n, stripe: null },
    });
  });

  it('requires both Stripe secrets with the stripe provider, and names what is missing', () => {
    const r = loadPaymentsConfig({
      JETON_PAYMENTS_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_1',
      STRIPE_WEBHOOK_SECRET: '',
    });
    expect(r).toEqual({
      ok: false,
      errors: ['STRIPE_WEBHOOK_SECRET: required with JETON_PAYMENTS_PROVIDER=stripe'],
    });
    const good = loadPaymentsConfig({
      JETON_PAYMENTS_PROVIDER: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_1',
      STRIPE_WEBHOOK_SECRET: 'whsec_1',
      JETON_PUBLIC_URL: 'https://jeton.example/',
    });
    expect(good).toMatchObject({
      ok: true,
      config: {
        publicUrl: 'https://jeton.example',
        stripe: { secretKey: 'sk_test_1', webhookSecret: 'whsec_1' },
      },
    });
  });

  it('refuses bounds that cannot hold', () => {
    expect(loadPaymentsConfig({ JETON_TOPUP_MIN_CREDITS: '900', JETON_TOPUP_MAX_CREDITS: '800' }).ok).toBe(
      false,
    );
    expect(loadPaymentsConfig({ JETON_DEV_TOPUP_DAILY_LIMIT: '-1' }).ok).toBe(false);
  });
});
