import { OpenAPIHono } from '@hono/zod-openapi';
import type { Ledger } from '@jeton/core';
import type { PaymentRecords } from '@jeton/db';
import { z } from 'zod';
import type { AuthEnv } from '../auth.ts';
import { type EndpointDeps, endpoint } from '../openapi/endpoint.ts';
import { pageOf, pageQuery } from '../openapi/schemas.ts';
import type { PaymentsConfig } from '../payments/config.ts';
import type { Payments } from '../payments/payments.ts';
import {
  createdTopUpSchema,
  topUpJson,
  topUpSchema,
  transactionJson,
  transactionSchema,
  walletJson,
  walletSchema,
} from '../payments/views.ts';
import { problem } from '../problem.ts';
import { creatorRoutes } from './creator.ts';
import { invalidCursor, pageJson, pageRequest } from './pages.ts';

export interface WalletRouteDeps {
  ledger: Ledger;
  records: PaymentRecords;
  payments: Payments;
  config: PaymentsConfig;
}

const TAG = 'Wallet';

/**
 * The wallet (balance, transactions, top-ups), the payment provider's webhook and, through
 * `creatorRoutes`, creator earnings and payouts. Every route acts for the caller: another user's
 * top-ups and payouts are never listed, and there is no route that takes another user's id.
 */
export function walletRoutes(d: WalletRouteDeps, deps: EndpointDeps): OpenAPIHono<AuthEnv> {
  const app = new OpenAPIHono<AuthEnv>();
  const topUpBody = z
    .strictObject({
      credits: z
        .int()
        .min(Number(d.config.minTopUp))
        .max(Number(d.config.maxTopUp))
        .meta({ description: 'Credits to buy (1 credit = US$0.01)', example: 1000 }),
    })
    .meta({ id: 'TopUpCreate' });

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/wallet',
      operationId: 'wallet.get',
      summary: 'My balances',
      description: 'Spendable credits (paid and promotional), credits held by runs, and creator earnings.',
      tag: TAG,
      auth: 'wallet:read',
      responses: { 200: { description: 'The wallet', schema: walletSchema } },
    },
    async (c) => c.json(walletJson(await d.ledger.balance(c.get('actor').id))),
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/wallet/transactions',
      operationId: 'wallet.transactions',
      summary: 'My ledger transactions, newest first',
      tag: TAG,
      auth: 'wallet:read',
      query: pageQuery,
      responses: { 200: { description: 'A page of transactions', schema: pageOf(transactionSchema) } },
    },
    async (c, { query }) => {
      const r = await d.ledger.statement(c.get('actor').id, pageRequest(query));
      if (!r.ok) return invalidCursor();
      return c.json(pageJson(r.value, transactionJson));
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/wallet/top-ups',
      operationId: 'wallet.createTopUp',
      summary: 'Buy credits',
      description:
        'With the dev provider the credits are added at once (up to a daily limit). With Stripe the top-up is pending: send the buyer to `url`; the credits arrive with Stripe’s payment confirmation.',
      tag: TAG,
      auth: 'wallet:write',
      body: topUpBody,
      idempotent: 'stored',
      responses: { 201: { description: 'The top-up', schema: createdTopUpSchema } },
      problems: [409, 502],
    },
    async (c, { body }) => {
      const r = await d.payments.topUp(c.get('actor').id, BigInt(body.credits));
      if (!r.ok) {
        if (r.error.type === 'provider_unavailable') {
          return problem('payment-provider-unavailable', 'The payment provider did not answer', 502, {
            detail: 'No top-up was created and nothing was charged; try again.',
          });
        }
        const { limit, usedToday, remaining } = r.error;
        return problem('top-up-daily-limit', 'The daily top-up limit is reached', 409, {
          detail: `Dev top-ups are limited to ${limit} credits a day (UTC); ${usedToday} were added today, so at most ${remaining} more can be.`,
          limit: Number(limit),
          remaining: Number(remaining),
        });
      }
      const { topUp, url } = r.value;
      return c.json({ ...topUpJson(topUp), url }, 201);
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/wallet/top-ups',
      operationId: 'wallet.listTopUps',
      summary: 'My top-ups, newest first',
      tag: TAG,
      auth: 'wallet:read',
      query: pageQuery,
      responses: { 200: { description: 'A page of top-ups', schema: pageOf(topUpSchema) } },
    },
    async (c, { query }) => {
      const page = await d.records.topUpsOf(c.get('actor').id, pageRequest(query));
      if (!page) return invalidCursor();
      return c.json(pageJson(page, topUpJson));
    },
  );

  if (d.payments.provider.parseWebhook) {
    endpoint(
      app,
      deps,
      {
        method: 'post',
        path: '/v1/payments/stripe/webhook',
        operationId: 'payments.stripeWebhook',
        summary: 'Stripe’s events (Stripe calls this)',
        description:
          'Verified with the `Stripe-Signature` header. A paid Checkout Session credits its top-up once, however many events report it; other events are acknowledged and ignored.',
        tag: TAG,
        auth: 'public',
        rawBody: 'The event exactly as Stripe signed it',
        responses: {
          200: {
            description: 'Received',
            schema: z.object({ received: z.literal(true), outcome: z.string() }),
          },
        },
      },
      async (c) => {
        // The signature covers the exact bytes: read them raw, never through a JSON parser.
        const raw = await c.req.text();
        const r = await d.payments.webhook(raw, c.req.header('stripe-signature'));
        if (!r.ok) {
          return problem('invalid-signature', 'The signature does not match', 400, {
            detail: 'The Stripe-Signature header is missing, stale, or not made with this endpoint’s secret.',
          });
        }
        return c.json({ received: true as const, outcome: r.value });
      },
    );
  }

  app.route('/', creatorRoutes(d, deps));
  return app;
}
