import { publicUrlSetting, settingErrors } from '@jeton/core';
import { z } from 'zod';

/** Payment settings, from the environment (documented in `.env.example`). */
export interface PaymentsConfig {
  provider: 'dev' | 'stripe';
  /** The most credits the dev provider grants a user per UTC day. */
  devDailyLimit: bigint;
  /** Bounds of one top-up, in credits (1 credit = US$0.01; Stripe charges at least US$0.50). */
  minTopUp: bigint;
  maxTopUp: bigint;
  /** Where Stripe Checkout sends the buyer back to. */
  publicUrl: string;
  stripe: { secretKey: string; webhookSecret: string } | null;
}

const credits = (fallback: bigint) => z.coerce.bigint().min(1n).max(1_000_000_000n).default(fallback);

const schema = z
  .object({
    JETON_PAYMENTS_PROVIDER: z.enum(['dev', 'stripe']).default('dev'),
    JETON_DEV_TOPUP_DAILY_LIMIT: credits(10_000n),
    JETON_TOPUP_MIN_CREDITS: credits(500n),
    JETON_TOPUP_MAX_CREDITS: credits(100_000n),
    JETON_PUBLIC_URL: publicUrlSetting.default('http://127.0.0.1:3000'),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_\w+$/, 'a Stripe secret key (sk_...)')
      .optional(),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .regex(/^whsec_\w+$/, 'a webhook signing secret (whsec_...)')
      .optional(),
  })
  .superRefine((e, ctx) => {
    if (e.JETON_TOPUP_MIN_CREDITS > e.JETON_TOPUP_MAX_CREDITS) {
      ctx.addIssue({
        code: 'custom',
        path: ['JETON_TOPUP_MIN_CREDITS'],
        message: 'above JETON_TOPUP_MAX_CREDITS',
      });
    }
    if (e.JETON_PAYMENTS_PROVIDER !== 'stripe') return;
    for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'] as const) {
      if (!e[name])
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'required with JETON_PAYMENTS_PROVIDER=stripe',
        });
    }
  });

export function loadPaymentsConfig(
  env: Record<string, string | undefined>,
): { ok: true; config: PaymentsConfig } | { ok: false; errors: string[] } {
  // An empty variable (a copied .env.example) means "unset", not "invalid".
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(set);
  if (!parsed.success) return { ok: false, errors: settingErrors(parsed.error) };
  const e = parsed.data;
  return {
    ok: true,
    config: {
      provider: e.JETON_PAYMENTS_PROVIDER,
      devDailyLimit: e.JETON_DEV_TOPUP_DAILY_LIMIT,
      minTopUp: e.JETON_TOPUP_MIN_CREDITS,
      maxTopUp: e.JETON_TOPUP_MAX_CREDITS,
      publicUrl: e.JETON_PUBLIC_URL,
      stripe:
        e.JETON_PAYMENTS_PROVIDER === 'stripe'
          ? { secretKey: e.STRIPE_SECRET_KEY!, webhookSecret: e.STRIPE_WEBHOOK_SECRET! }
          : null,
    },
  };
}
