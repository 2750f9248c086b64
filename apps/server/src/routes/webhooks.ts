import { OpenAPIHono } from '@hono/zod-openapi';
import {
  TEST_EVENT,
  WEBHOOK_EVENT_TYPES,
  type WebhookDelivery,
  type WebhookEndpoint,
  type Webhooks,
} from '@jeton/db';
import { z } from 'zod';
import type { AuthEnv } from '../auth.ts';
import { type EndpointDeps, endpoint } from '../openapi/endpoint.ts';
import { isoTime, jsonObject, pageOf, pageQuery } from '../openapi/schemas.ts';
import { problem } from '../problem.ts';
import { webhookUrlProblem } from '../webhooks/url-guard.ts';
import { invalidCursor, pageJson, pageRequest } from './pages.ts';

const TAG = 'Webhooks';

const eventType = z.enum(WEBHOOK_EVENT_TYPES).meta({
  id: 'WebhookEventType',
  description:
    'run.* when one of your runs ends or asks you a question; top_up.credited when a top-up reaches your wallet; payout.* when a payout to you is paid or fails. `webhook.test` is sent by the test call, whatever the subscription.',
});
const url = z.string().min(1).max(2000).meta({ example: 'https://example.com/jeton-hooks' });

const createBody = z
  .strictObject({
    url,
    events: z.array(eventType).min(1).max(WEBHOOK_EVENT_TYPES.length),
    description: z.string().max(500).optional(),
  })
  .meta({ id: 'WebhookEndpointCreate' });
const updateBody = z
  .strictObject({
    url: url.optional(),
    events: z.array(eventType).min(1).max(WEBHOOK_EVENT_TYPES.length).optional(),
    description: z.string().max(500).optional(),
    enabled: z.boolean().optional().meta({
      description: 'false stops deliveries; the pending ones end as failed (resend them once it is enabled).',
    }),
  })
  .meta({ id: 'WebhookEndpointUpdate' });

const endpointSchema = z
  .object({
    id: z.string().meta({ example: 'whe_01JD...' }),
    object: z.literal('webhook_endpoint'),
    url: z.string(),
    description: z.string(),
    events: z.array(eventType),
    enabled: z.boolean(),
    createdAt: isoTime,
    disabledAt: isoTime.nullable(),
  })
  .meta({ id: 'WebhookEndpoint' });
const endpointWithSecret = endpointSchema
  .extend({
    secret: z.string().meta({
      description:
        'The signing secret (`whsec_` + base64), shown only here and on rotation. Verify each request with a Standard Webhooks library.',
    }),
  })
  .meta({ id: 'WebhookEndpointWithSecret' });

const attemptSchema = z.object({
  number: z.int(),
  at: isoTime,
  statusCode: z.int().nullable().meta({ description: 'Null when no answer came (refused, timed out).' }),
  response: z.string().nullable().meta({ description: 'The first KiB of the answer’s body.' }),
  error: z.string().nullable(),
  durationMs: z.int(),
});
const deliverySchema = z
  .object({
    id: z
      .string()
      .meta({ description: 'The message id: the `webhook-id` header, the same on every attempt.' }),
    object: z.literal('webhook_delivery'),
    endpointId: z.string(),
    event: z.string().meta({ description: 'An event type, or `webhook.test`.' }),
    payload: jsonObject.meta({ description: 'The body sent: `{ type, timestamp, data }`.' }),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.int(),
    nextAttemptAt: isoTime.nullable(),
    lastAttemptAt: isoTime.nullable(),
    lastStatusCode: z.int().nullable(),
    lastResponse: z.string().nullable(),
    lastError: z.string().nullable(),
    createdAt: isoTime,
    deliveredAt: isoTime.nullable(),
    log: z.array(attemptSchema).meta({ description: 'Its attempts, oldest first (the last 20).' }),
  })
  .meta({ id: 'WebhookDelivery' });

export interface WebhookRouteDeps {
  webhooks: Webhooks;
  /** JETON_WEBHOOKS_ALLOW_PRIVATE: loopback and private addresses are accepted (tests, local use). */
  allowPrivate: boolean;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

function endpointJson(e: WebhookEndpoint) {
  return {
    id: e.id,
    object: 'webhook_endpoint' as const,
    url: e.url,
    description: e.description,
    events: e.eventTypes as (typeof WEBHOOK_EVENT_TYPES)[number][],
    enabled: e.enabled,
    createdAt: e.createdAt.toISOString(),
    disabledAt: iso(e.disabledAt),
  };
}

function deliveryJson(d: WebhookDelivery) {
  return {
    id: d.id,
    object: 'webhook_delivery' as const,
    endpointId: d.endpointId,
    event: d.eventType,
    payload: d.payload,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: iso(d.nextAttemptAt),
    lastAttemptAt: iso(d.lastAttemptAt),
    lastStatusCode: d.lastStatusCode,
    lastResponse: d.lastResponse,
    lastError: d.lastError,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: iso(d.deliveredAt),
    log: d.log.map((a) => ({ ...a, at: a.at.toISOString() })),
  };
}

const noEndpoint = () => problem('webhook-endpoint-not-found', 'No such webhook endpoint', 404);
const noDelivery = () => problem('webhook-delivery-not-found', 'No such delivery', 404);
const endpointDisabled = () =>
  problem('webhook-endpoint-disabled', 'This webhook endpoint is disabled', 409, {
    detail: 'Nothing is sent to a disabled endpoint; enable it first (PATCH enabled: true).',
  });
const refusedUrl = (detail: string) =>
  problem('webhook-url-refused', 'This URL cannot receive webhooks', 422, {
    detail,
    issues: [{ path: '$.url', message: detail }],
  });

/**
 * Webhook endpoints (`/v1/webhook-endpoints`): create, list, read, change, delete, rotate the secret,
 * read the delivery log, resend, send a test. Reads need `webhooks:write` too: endpoints and their logs
 * show URLs (which often carry a token) and payout events, which a `runs:read` key must not see.
 * Another user's endpoint is a 404, exactly like one that does not exist.
 */
export function webhookRoutes(d: WebhookRouteDeps, deps: EndpointDeps): OpenAPIHono<AuthEnv> {
  const app = new OpenAPIHono<AuthEnv>();
  const { webhooks } = d;

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/webhook-endpoints',
      operationId: 'webhooks.create',
      summary: 'Subscribe a URL to events',
      description:
        'Every event is POSTed as JSON, signed per the Standard Webhooks spec (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the secret returned here, once. A delivery that gets no 2xx is retried after 5 s, 5 min, 30 min, 2 h, 5 h and 10 h (±10 %), then fails. Only http(s) URLs to public addresses are accepted.',
      tag: TAG,
      auth: 'webhooks:write',
      body: createBody,
      responses: { 201: { description: 'The endpoint, with its secret', schema: endpointWithSecret } },
      problems: [409],
    },
    async (c, { body }) => {
      const refused = webhookUrlProblem(body.url, d.allowPrivate);
      if (refused) return refusedUrl(refused);
      const r = await webhooks.endpoints.create(c.get('actor').id, {
        url: body.url,
        eventTypes: body.events,
        ...(body.description !== undefined ? { description: body.description } : {}),
      });
      if (!r.ok) {
        return problem('webhook-endpoint-limit', 'Too many webhook endpoints', 409, {
          detail: `At most ${r.error.max} endpoints per account; delete one first.`,
        });
      }
      return c.json({ ...endpointJson(r.value), secret: r.value.secret }, 201, {
        location: `/v1/webhook-endpoints/${r.value.id}`,
      });
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/webhook-endpoints',
      operationId: 'webhooks.list',
      summary: 'My webhook endpoints, newest first',
      tag: TAG,
      auth: 'webhooks:write',
      query: pageQuery,
      responses: { 200: { description: 'A page of endpoints', schema: pageOf(endpointSchema) } },
    },
    async (c, { query }) => {
      const page = await webhooks.endpoints.list(c.get('actor').id, pageRequest(query));
      if (!page) return invalidCursor();
      return c.json(pageJson(page, endpointJson));
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/webhook-endpoints/{id}',
      operationId: 'webhooks.get',
      summary: 'A webhook endpoint',
      tag: TAG,
      auth: 'webhooks:write',
      responses: { 200: { description: 'The endpoint', schema: endpointSchema } },
      problems: [404],
    },
    async (c, { params }) => {
      const e = await webhooks.endpoints.get(c.get('actor').id, params.id!);
      return e ? c.json(endpointJson(e)) : noEndpoint();
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'patch',
      path: '/v1/webhook-endpoints/{id}',
      operationId: 'webhooks.update',
      summary: 'Change a webhook endpoint',
      tag: TAG,
      auth: 'webhooks:write',
      body: updateBody,
      responses: { 200: { description: 'The endpoint', schema: endpointSchema } },
      problems: [404],
    },
    async (c, { params, body }) => {
      if (body.url !== undefined) {
        const refused = webhookUrlProblem(body.url, d.allowPrivate);
        if (refused) return refusedUrl(refused);
      }
      const e = await webhooks.endpoints.update(c.get('actor').id, params.id!, {
        ...(body.url !== undefined ? { url: body.url } : {}),
        ...(body.events !== undefined ? { eventTypes: body.events } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      });
      return e ? c.json(endpointJson(e)) : noEndpoint();
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'delete',
      path: '/v1/webhook-endpoints/{id}',
      operationId: 'webhooks.delete',
      summary: 'Delete a webhook endpoint',
      description: 'With its deliveries and their log; nothing more is sent to it.',
      tag: TAG,
      auth: 'webhooks:write',
      responses: { 204: { description: 'Deleted' } },
      problems: [404],
    },
    async (c, { params }) =>
      (await webhooks.endpoints.remove(c.get('actor').id, params.id!)) ? c.body(null, 204) : noEndpoint(),
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/webhook-endpoints/{id}/rotate-secret',
      operationId: 'webhooks.rotateSecret',
      summary: 'Replace the signing secret',
      description:
        'The old secret stops at once: every later attempt, retries included, is signed with the new one.',
      tag: TAG,
      auth: 'webhooks:write',
      responses: { 200: { description: 'The endpoint, with its new secret', schema: endpointWithSecret } },
      problems: [404],
    },
    async (c, { params }) => {
      const e = await webhooks.endpoints.rotateSecret(c.get('actor').id, params.id!);
      return e ? c.json({ ...endpointJson(e), secret: e.secret }) : noEndpoint();
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/webhook-endpoints/{id}/deliveries',
      operationId: 'webhooks.deliveries',
      summary: 'The endpoint’s deliveries, newest first, with each attempt’s answer',
      tag: TAG,
      auth: 'webhooks:write',
      query: pageQuery,
      responses: { 200: { description: 'A page of deliveries', schema: pageOf(deliverySchema) } },
      problems: [404],
    },
    async (c, { params, query }) => {
      const user = c.get('actor').id;
      if (!(await webhooks.endpoints.get(user, params.id!))) return noEndpoint();
      const page = await webhooks.deliveries.list(user, params.id!, pageRequest(query));
      if (!page) return invalidCursor();
      return c.json(pageJson(page, deliveryJson));
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/resend',
      operationId: 'webhooks.resend',
      summary: 'Send a delivery again',
      description:
        'One new attempt, now: the same message id and body, signed with the current secret. A delivery still being retried is a 409.',
      tag: TAG,
      auth: 'webhooks:write',
      responses: { 202: { description: 'The delivery, pending', schema: deliverySchema } },
      problems: [404, 409],
    },
    async (c, { params }) => {
      const r = await webhooks.deliveries.resend(c.get('actor').id, params.id!, params.deliveryId!);
      if (r.ok) return c.json(deliveryJson(r.value), 202);
      if (r.error.type === 'not_found') return noDelivery();
      if (r.error.type === 'endpoint_disabled') return endpointDisabled();
      return problem('webhook-delivery-pending', 'This delivery is still being retried', 409, {
        detail: `Its next attempt is at ${r.error.nextAttemptAt.toISOString()}.`,
      });
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/webhook-endpoints/{id}/test',
      operationId: 'webhooks.test',
      summary: `Send a ${TEST_EVENT} event`,
      description: 'To this endpoint alone, whatever it subscribes to; follow it in the delivery log.',
      tag: TAG,
      auth: 'webhooks:write',
      responses: { 202: { description: 'The delivery, pending', schema: deliverySchema } },
      problems: [404, 409],
    },
    async (c, { params }) => {
      const user = c.get('actor').id;
      const sent = await webhooks.sendTest(user, params.id!);
      if (!sent.ok) {
        if (sent.error.type === 'not_found') return noEndpoint();
        if (sent.error.type === 'endpoint_disabled') return endpointDisabled();
        const res = problem('webhook-backlog-full', 'Too many deliveries waiting for this endpoint', 429, {
          detail: `${sent.error.maxPending} deliveries to this endpoint are still pending; test again once they are delivered or have failed.`,
        });
        res.headers.set('retry-after', '60');
        return res;
      }
      const delivery = await webhooks.deliveries.get(user, params.id!, sent.value);
      return delivery ? c.json(deliveryJson(delivery), 202) : noEndpoint();
    },
  );

  return app;
}
