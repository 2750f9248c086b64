import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Actor } from '@jeton/core';
import { MAX_PENDING_PER_ENDPOINT } from '@jeton/db';
import { eventually, type TestDatabase, testEngines } from '@jeton/db/testing';
import { sql } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthEnv } from '../auth.ts';
import type { RunningServer } from '../server.ts';
import { publishFixtureAgent, startServerOn } from '../testing/engine-server.ts';
import { webhookRoutes } from './webhooks.ts';

const labs: Actor = { id: 'jeton-labs', role: 'user' };

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A webhook receiver on loopback: records every request; a path's planned statuses answer first, then 200. */
function receiver() {
  const got: Received[] = [];
  const plans = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: flat(req.headers), body });
      const status = plans.get(req.url ?? '')?.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : `no (${status})`);
    });
  });
  return {
    got,
    plan: (path: string, statuses: number[]) => plans.set(path, statuses),
    /** The requests to `path`, once there are `n` of them. */
    requests: (path: string, n: number) =>
      eventually(async () => {
        const list = got.filter((r) => r.path === path);
        return list.length >= n ? list : null;
      }),
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(url()))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  function url() {
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
}

const flat = (h: IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]));

describe.each(testEngines())('webhooks API on %s', (engine) => {
  let db: TestDatabase;
  let server: RunningServer;
  let key: string;
  let otherKey: string;
  let readOnlyKey: string;
  let hooks: string;
  const rx = receiver();
  const buyerId = 'usr_hookbuyer';

  const api = (path: string, init: RequestInit & { key?: string } = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${init.key ?? key}`,
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  const post = (path: string, body?: unknown, k?: string) =>
    api(path, { method: 'POST', ...(body ? { body: JSON.stringify(body) } : {}), ...(k ? { key: k } : {}) });
  const create = async (path: string, events: string[]) => {
    const res = await post('/v1/webhook-endpoints', { url: `${hooks}${path}`, events, description: path });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; secret: string; url: string };
  };
  type Delivery = {
    id: string;
    status: string;
    attempts: number;
    lastStatusCode: number | null;
    log: { number: number; statusCode: number | null; response: string | null }[];
  };
  const deliveries = async (endpointId: string) =>
    ((await (await api(`/v1/webhook-endpoints/${endpointId}/deliveries`)).json()) as { data: Delivery[] })
      .data;
  const settled = (endpointId: string, id: string, attempts: number) =>
    eventually(async () => {
      const d = (await deliveries(endpointId)).find((x) => x.id === id);
      return d && d.status !== 'pending' && d.attempts === attempts ? d : null;
    });

  beforeAll(async () => {
    hooks = await rx.start();
    // Retries come due at once: the tests wait for requests, never for the clock.
    ({ server, db } = await startServerOn(
      engine,
      { JETON_WEBHOOKS_ALLOW_PRIVATE: 'true' },
      { webhookRetryDelaysMs: [0, 0, 0] },
    ));
    await publishFixtureAgent(server, labs, 'echo');
    await server.ledger.openAccounts(buyerId);
    await server.ledger.topUp({ id: 'hook-top', userId: buyerId, amount: 1000n });
    key = (await server.keys.create(buyerId, 'tests')).key;
    otherKey = (await server.keys.create('usr_hookstranger', 'other')).key;
    readOnlyKey = (await server.keys.create(buyerId, 'read only', ['runs:read'])).key;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await rx.close();
    if (engine === 'postgres') await db?.drop();
  });

  it('posts run.succeeded, signed per Standard Webhooks, to a subscribed endpoint', async () => {
    const e = await create('/runs', ['run.succeeded']);
    expect(e.id).toMatch(/^whe_/);
    expect(e.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const shown = await (await api(`/v1/webhook-endpoints/${e.id}`)).json();
    expect(shown).toMatchObject({ id: e.id, url: e.url, events: ['run.succeeded'], enabled: true });
    expect(shown).not.toHaveProperty('secret');

    const res = await post('/v1/runs', { agent: 'echo', input: { text: 'hi' } });
    const run = (await res.json()) as { id: string };
    const [got] = await rx.requests('/runs', 1);
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['webhook-id']).toMatch(/^msg_/);
    const verified = new Webhook(e.secret).verify(got!.body, got!.headers);
    expect(verified).toMatchObject({
      type: 'run.succeeded',
      data: { run: { id: run.id, status: 'succeeded', agent: { slug: 'echo' }, charged: 10, refunded: 0 } },
    });

    // Any change to the body breaks the signature.
    const tampered = got!.body.replace('"charged":10', '"charged":0');
    expect(tampered).not.toBe(got!.body);
    expect(() => new Webhook(e.secret).verify(tampered, got!.headers)).toThrow();
    // The answer is recorded just after the receiver has it: wait for that.
    const d = await settled(e.id, got!.headers['webhook-id']!, 1);
    expect(d).toMatchObject({ id: got!.headers['webhook-id'], status: 'succeeded', lastStatusCode: 200 });
  });

  it('retries an endpoint that answers 500, logs both answers, and resends on request', async () => {
    const e = await create('/flaky', ['run.failed']);
    rx.plan('/flaky', [500]);
    const test = await post(`/v1/webhook-endpoints/${e.id}/test`);
    expect(test.status).toBe(202);
    const { id } = (await test.json()) as { id: string };
    const two = await rx.requests('/flaky', 2);
    expect(two.map((r) => r.headers['webhook-id'])).toEqual([id, id]);
    for (const r of two)
      expect(new Webhook(e.secret).verify(r.body, r.headers)).toMatchObject({ type: 'webhook.test' });
    const d = await settled(e.id, id, 2);
    expect(d).toMatchObject({ status: 'succeeded', lastStatusCode: 200 });
    expect(d.log.map((a) => [a.number, a.statusCode, a.response])).toEqual([
      [1, 500, 'no (500)'],
      [2, 200, 'ok'],
    ]);

    const resent = await post(`/v1/webhook-endpoints/${e.id}/deliveries/${id}/resend`);
    expect(resent.status).toBe(202);
    const three = await rx.requests('/flaky', 3);
    expect(three[2]!.headers['webhook-id']).toBe(id);
    expect((await settled(e.id, id, 3)).log).toHaveLength(3);
    const missing = await post(
      `/v1/webhook-endpoints/${e.id}/deliveries/msg_00000000000000000000000000/resend`,
    );
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ type: '/problems/webhook-delivery-not-found' });
  });

  it('refuses test sends once 1,000 deliveries are pending for the endpoint (429 problem+json)', async () => {
    const e = await create('/backlogged', ['payout.paid']);
    // A receiver that never answers leaves its deliveries pending: here, 1,000 due in an hour.
    await server.database.db.execute(sql`
      insert into webhook_deliveries (id, endpoint_id, user_id, event_type, payload, status, next_attempt_at, created_at)
      select jeton_new_id('msg', now()), ${e.id}, ${buyerId}, 'webhook.test', '{}'::jsonb, 'pending',
             now() + interval '1 hour', now()
        from generate_series(1, ${MAX_PENDING_PER_ENDPOINT})`);
    const refused = await post(`/v1/webhook-endpoints/${e.id}/test`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.json()).toMatchObject({ type: '/problems/webhook-backlog-full', status: 429 });
    const [{ n }] = (
      (await server.database.db.execute(
        sql`select count(*)::int as n from webhook_deliveries where endpoint_id = ${e.id}`,
      )) as unknown as { rows: { n: number }[] }
    ).rows as [{ n: number }];
    expect(n).toBe(MAX_PENDING_PER_ENDPOINT);
    expect((await api(`/v1/webhook-endpoints/${e.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('refuses to resend (or test) to a disabled endpoint (409), and resends once it is enabled', async () => {
    const e = await create('/disabled', ['run.failed']);
    const test = await post(`/v1/webhook-endpoints/${e.id}/test`);
    const { id } = (await test.json()) as { id: string };
    await rx.requests('/disabled', 1);
    await settled(e.id, id, 1);
    const patch = (enabled: boolean) =>
      api(`/v1/webhook-endpoints/${e.id}`, { method: 'PATCH', body: JSON.stringify({ enabled }) });
    expect((await patch(false)).status).toBe(200);
    const resend = await post(`/v1/webhook-endpoints/${e.id}/deliveries/${id}/resend`);
    expect(resend.status).toBe(409);
    expect(resend.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await resend.json()).toMatchObject({ type: '/problems/webhook-endpoint-disabled' });
    const again = await post(`/v1/webhook-endpoints/${e.id}/test`);
    expect(again.status).toBe(409);
    expect((await deliveries(e.id)).map((d) => [d.id, d.status])).toEqual([[id, 'succeeded']]);

    expect((await patch(true)).status).toBe(200);
    expect((await post(`/v1/webhook-endpoints/${e.id}/deliveries/${id}/resend`)).status).toBe(202);
    await rx.requests('/disabled', 2);
    expect((await api(`/v1/webhook-endpoints/${e.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('signs with the new secret once it is rotated', async () => {
    const e = await create('/rotated', ['run.succeeded']);
    const rotated = await post(`/v1/webhook-endpoints/${e.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const { secret } = (await rotated.json()) as { secret: string };
    expect(secret).not.toBe(e.secret);
    await post(`/v1/webhook-endpoints/${e.id}/test`);
    const [got] = await rx.requests('/rotated', 1);
    expect(new Webhook(secret).verify(got!.body, got!.headers)).toMatchObject({ type: 'webhook.test' });
    expect(() => new Webhook(e.secret).verify(got!.body, got!.headers)).toThrow();
  });

  it('answers 404 for another user’s endpoint, and lists only the caller’s, page by page', async () => {
    const e = await create('/mine', ['payout.paid']);
    const paths = [
      ['GET', `/v1/webhook-endpoints/${e.id}`],
      ['PATCH', `/v1/webhook-endpoints/${e.id}`],
      ['DELETE', `/v1/webhook-endpoints/${e.id}`],
      ['POST', `/v1/webhook-endpoints/${e.id}/rotate-secret`],
      ['POST', `/v1/webhook-endpoints/${e.id}/test`],
      ['GET', `/v1/webhook-endpoints/${e.id}/deliveries`],
    ] as const;
    for (const [method, path] of paths) {
      const res = await api(path, { method, key: otherKey, ...(method === 'PATCH' ? { body: '{}' } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.json()).toMatchObject({ type: '/problems/webhook-endpoint-not-found' });
    }
    expect(await (await api('/v1/webhook-endpoints', { key: otherKey })).json()).toEqual({
      data: [],
      nextCursor: null,
    });
    expect((await api('/v1/webhook-endpoints', { key: readOnlyKey })).status).toBe(403);

    const first = (await (await api('/v1/webhook-endpoints?limit=2')).json()) as {
      data: { id: string }[];
      nextCursor: string;
    };
    expect(first.data.map((x) => x.id)[0]).toBe(e.id);
    const second = (await (await api(`/v1/webhook-endpoints?limit=2&cursor=${first.nextCursor}`)).json()) as {
      data: { id: string }[];
    };
    const all = [...first.data, ...second.data].map((x) => x.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(4);
    expect((await api('/v1/webhook-endpoints?cursor=nonsense')).status).toBe(400);
  });

  it('changes, disables and deletes an endpoint; refuses a URL that is not http(s) or an unknown event', async () => {
    const e = await create('/changing', ['run.succeeded']);
    const patched = await api(`/v1/webhook-endpoints/${e.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ events: ['run.failed', 'payout.paid'], enabled: false }),
    });
    expect(await patched.json()).toMatchObject({ events: ['run.failed', 'payout.paid'], enabled: false });
    const bad = await post('/v1/webhook-endpoints', { url: 'ftp://example.com/x', events: ['run.failed'] });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ type: '/problems/webhook-url-refused' });
    const unknown = await post('/v1/webhook-endpoints', { url: `${hooks}/x`, events: ['run.exploded'] });
    expect(unknown.status).toBe(422);
    expect((await api(`/v1/webhook-endpoints/${e.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/v1/webhook-endpoints/${e.id}`)).status).toBe(404);
  });

  it('refuses loopback, private and link-local URLs unless they are allowed', async () => {
    // The same routes with JETON_WEBHOOKS_ALLOW_PRIVATE unset, for one signed-in user.
    const app = new OpenAPIHono<AuthEnv>();
    app.route(
      '/',
      webhookRoutes(
        { webhooks: server.webhooks, allowPrivate: false },
        {
          auth: () => async (c, next) => {
            c.set('actor', { id: 'usr_strict', role: 'user' });
            await next();
          },
        },
      ),
    );
    const attempt = (url: string) =>
      app.request('/v1/webhook-endpoints', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url, events: ['run.succeeded'] }),
      });
    for (const url of [
      hooks,
      'http://localhost:8080/hook',
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:9000/',
      'http://[::ffff:192.168.0.1]/',
      'http://2130706433/',
    ]) {
      const res = await attempt(url);
      expect(res.status, url).toBe(422);
      expect(await res.json()).toMatchObject({ type: '/problems/webhook-url-refused' });
    }
    expect((await attempt('https://hooks.example.com/jeton')).status).toBe(201);
  });
});
