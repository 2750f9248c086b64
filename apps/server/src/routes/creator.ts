import { OpenAPIHono } from '@hono/zod-openapi';
import type { Ledger } from '@jeton/core';
import type { PaymentRecords } from '@jeton/db';
import { z } from 'zod';
import type { AuthEnv } from '../auth.ts';
import { type EndpointDeps, endpoint } from '../openapi/endpoint.ts';
import { pageOf, pageQuery } from '../openapi/schemas.ts';
import type { Payments } from '../payments/payments.ts';
import { earningsJson, earningsSchema, payoutJson, payoutSchema } from '../payments/views.ts';
import { problem } from '../problem.ts';
import { invalidCursor, pageJson, pageRequest } from './pages.ts';

const TAG = 'Creator';

const payoutBody = z
  .strictObject({
    credits: z
      .int()
      .min(1)
      .max(1_000_000_000)
      .optional()
      .meta({ description: 'How much to withdraw; all withdrawable earnings when absent.' }),
  })
  .meta({ id: 'PayoutCreate' });

const accountBody = z
  .strictObject({
    accountRef: z
      .string()
      .min(1)
      .max(100)
      .meta({ description: 'For Stripe, the Connect account id', example: 'acct_1Nv0FG' }),
  })
  .meta({ id: 'PayoutAccountUpdate' });

const accountSchema = z
  .object({
    object: z.literal('payout_account'),
    provider: z.enum(['dev', 'stripe']),
    accountRef: z.string(),
  })
  .meta({ id: 'PayoutAccount' });

/** Creator earnings and payouts: the payout account, payouts through the provider, their records. */
export function creatorRoutes(
  d: { ledger: Ledger; records: PaymentRecords; payments: Payments },
  deps: EndpointDeps,
): OpenAPIHono<AuthEnv> {
  const app = new OpenAPIHono<AuthEnv>();

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/creator/earnings',
      operationId: 'creator.earnings',
      summary: 'My earnings as a creator',
      tag: TAG,
      auth: 'wallet:read',
      responses: { 200: { description: 'The earnings', schema: earningsSchema } },
    },
    async (c) => c.json(earningsJson(await d.ledger.balance(c.get('actor').id), d.payments.payoutMinimum)),
  );

  endpoint(
    app,
    deps,
    {
      method: 'put',
      path: '/v1/creator/payout-account',
      operationId: 'creator.setPayoutAccount',
      summary: 'Where my payouts go',
      description:
        'Signed-in people only, never an API key: whoever can change this can send every future payout elsewhere.',
      tag: TAG,
      auth: 'session',
      body: accountBody,
      responses: { 200: { description: 'The payout account', schema: accountSchema } },
    },
    async (c, { body }) => {
      const r = await d.payments.setPayoutAccount(c.get('actor').id, body.accountRef);
      if (!r.ok) {
        return problem('invalid-request', 'The request is not valid', 422, {
          issues: [{ path: '$.accountRef', message: r.error.message }],
        });
      }
      return c.json({
        object: 'payout_account' as const,
        provider: r.value.provider,
        accountRef: r.value.accountRef,
      });
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/creator/payouts',
      operationId: 'creator.createPayout',
      summary: 'Withdraw my earnings',
      description:
        'Moves the credits out of the withdrawable earnings and transfers them through the payment provider. If the provider refuses, the earnings are given back and the payout is recorded failed (502). If its answer is unknown, the payout stays pending (202).',
      tag: TAG,
      auth: 'wallet:write',
      body: payoutBody,
      idempotent: 'stored',
      responses: {
        201: { description: 'The payout, paid', schema: payoutSchema },
        202: {
          description: 'The payout, pending: the provider’s answer is not known yet',
          schema: payoutSchema,
        },
      },
      problems: [409, 502],
    },
    async (c, { body }) => {
      const r = await d.payments.payout(
        c.get('actor').id,
        body.credits === undefined ? undefined : BigInt(body.credits),
      );
      if (r.ok) {
        return c.json(payoutJson(r.value), r.value.status === 'paid' ? 201 : 202);
      }
      const e = r.error;
      switch (e.type) {
        case 'below_payout_minimum':
          return problem('below-payout-minimum', 'The payout is below the minimum', 422, {
            detail: `Payouts start at ${e.minimum} credits; this one would be ${e.amount}.`,
            minimum: Number(e.minimum),
          });
        case 'insufficient_earnings':
          return problem('insufficient-earnings', 'Not enough withdrawable earnings', 409, {
            detail: `${e.available} credits are withdrawable; ${e.requested} were asked for.`,
            available: Number(e.available),
          });
        case 'payout_account_missing':
          return problem('payout-account-missing', 'No payout account', 409, {
            detail: 'Set one first with PUT /v1/creator/payout-account.',
          });
        case 'payout_failed':
          return problem('payout-failed', 'The payment provider refused the payout', 502, {
            detail: `${e.payout.failure ?? 'refused'}. The credits are back in your earnings.`,
            payout: payoutJson(e.payout),
          });
      }
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/creator/payouts',
      operationId: 'creator.listPayouts',
      summary: 'My payouts, newest first',
      tag: TAG,
      auth: 'wallet:read',
      query: pageQuery,
      responses: { 200: { description: 'A page of payouts', schema: pageOf(payoutSchema) } },
    },
    async (c, { query }) => {
      const page = await d.records.payoutsOf(c.get('actor').id, pageRequest(query));
      if (!page) return invalidCursor();
      return c.json(pageJson(page, payoutJson));
    },
  );

  return app;
}
