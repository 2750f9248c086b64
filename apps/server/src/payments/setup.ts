import type { Credits, Ledger, PaymentEvents, PaymentProvider } from '@jeton/core';
import { type Database, PaymentRecords } from '@jeton/db';
import type { Logger } from 'pino';
import type { WalletRouteDeps } from '../routes/wallet.ts';
import { loadPaymentsConfig, type PaymentsConfig } from './config.ts';
import { DevPaymentProvider } from './dev-provider.ts';
import { Payments } from './payments.ts';
import { StripePaymentProvider, stripeClient } from './stripe-provider.ts';

/** What a server may be given instead of the environment's payment settings (tests, embedders). */
export interface PaymentsOverrides {
  config?: PaymentsConfig;
  provider?: PaymentProvider;
  /** Notifications to users (the webhook system); none when absent. */
  events?: PaymentEvents;
}

/**
 * The wallet routes' dependencies: settings from the environment (`JETON_PAYMENTS_PROVIDER`,
 * `STRIPE_*`, see `.env.example`) unless given, and the provider they choose. Bad settings stop the
 * start with every problem named.
 */
export function walletDeps(
  o: { ledger: Ledger; db: Database; payoutMinimum: Credits; logger: Logger } & PaymentsOverrides,
): WalletRouteDeps {
  let config = o.config;
  if (!config) {
    const loaded = loadPaymentsConfig(process.env);
    if (!loaded.ok) throw new Error(`payment settings: ${loaded.errors.join('; ')}`);
    config = loaded.config;
  }
  const provider =
    o.provider ??
    (config.stripe
      ? new StripePaymentProvider(stripeClient(config.stripe.secretKey), {
          webhookSecret: config.stripe.webhookSecret,
          publicUrl: config.publicUrl,
        })
      : new DevPaymentProvider());
  const records = new PaymentRecords(o.db);
  const payments = new Payments({
    ledger: o.ledger,
    records,
    provider,
    config,
    payoutMinimum: o.payoutMinimum,
    logger: o.logger,
    ...(o.events ? { events: o.events } : {}),
  });
  return { ledger: o.ledger, records, payments, config };
}
