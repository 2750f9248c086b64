import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.ts';
import { type Person, signUp, startTestServer, waitForRun } from './testing/api-client.ts';

type Op = { path: string; method: string; secured: boolean; jsonBody: boolean };

/**
 * The authorization matrix, over every operation the OpenAPI document lists (a new endpoint joins it
 * by existing): anonymous callers are refused everything but the public catalog; another user can
 * neither read nor change the owner's runs, inputs, artifacts, keys, webhook endpoints or wallet;
 * the owner can; an operator can read runs for support, and change nothing of the owner's.
 */
describe('authorization matrix', () => {
  let server: RunningServer;
  let url: string;
  let owner: Person;
  let other: Person;
  let operator: Person;
  let ops: Op[];
  /** What the owner has: every path parameter of every operation resolves to one of these. */
  const mine: Record<string, string> = {};
  /** Text that only the owner's data contains: it must never show in another user's answer. */
  const SECRET = 'Zanzibar Quartz Holdings';

  const paramsFor = (path: string): Record<string, string> => {
    const byResource: [RegExp, Record<string, string>][] = [
      [/^\/v1\/runs\/\{id\}/, { id: mine.run!, artifactId: mine.artifact! }],
      [/^\/v1\/api-keys\/\{id\}/, { id: mine.key! }],
      [/^\/v1\/webhook-endpoints\/\{id\}/, { id: mine.endpoint!, deliveryId: mine.delivery ?? 'msg_none' }],
      [/^\/v1\/reviews\/\{id\}/, { id: mine.review! }],
      [/^\/v1\/agents\/\{slug\}/, { slug: mine.agent!, version: '1.0.0' }],
      [/^\/v1\/wallet\/top-ups\/\{id\}/, { id: mine.topUp ?? 'top_none' }],
      [/^\/v1\/creator\/payouts\/\{id\}/, { id: 'pay_none' }],
      [/^\/v1\/users\/\{id\}/, { id: owner.id }],
    ];
    const hit = byResource.find(([re]) => re.test(path));
    const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    if (names.length === 0) return {};
    if (!hit) throw new Error(`the matrix does not know whose ${path} is: add it to paramsFor`);
    for (const n of names) if (!hit[1][n]) throw new Error(`no value for {${n}} in ${path}`);
    return hit[1];
  };
  const fill = (path: string) =>
    path.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(paramsFor(path)[n]!));

  beforeAll(async () => {
    server = await startTestServer({ JETON_WEBHOOKS_ALLOW_PRIVATE: 'true' });
    url = server.url!;
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { security?: unknown[]; requestBody?: { content: Record<string, unknown> } }>
      >;
    };
    ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({
        path,
        method: method.toUpperCase(),
        secured: (op.security ?? []).length > 0,
        jsonBody: Boolean(op.requestBody?.content['application/json']),
      })),
    );

    owner = await signUp(url, 'Owner');
    other = await signUp(url, 'Other');
    operator = await signUp(url, 'Operator');
    await server.users.addRole(operator.id, 'operator');

    const run = await owner.call('/v1/runs', {
      method: 'POST',
      body: { agent: 'brand-kit', input: { company: SECRET, mood: 'calm' } },
    });
    expect(run.status).toBe(201);
    mine.run = run.json.id;
    expect((await waitForRun(owner, mine.run!)).status).toBe('succeeded');
    const artifacts = await owner.call(`/v1/runs/${mine.run}/artifacts`);
    mine.artifact = artifacts.json.data[0].id;
    const key = await owner.call('/v1/api-keys', { method: 'POST', body: { name: SECRET } });
    mine.key = key.json.id;
    mine.agent = 'brand-kit';
    const review = await owner.call(`/v1/runs/${mine.run}/review`, {
      method: 'POST',
      body: { rating: 4, body: 'ok' },
    });
    mine.review = review.json.id;
    if (ops.some((o) => o.path === '/v1/webhook-endpoints')) {
      const endpoint = await owner.call('/v1/webhook-endpoints', {
        method: 'POST',
        body: { url: 'http://127.0.0.1:9/hook', events: ['run.succeeded'], description: SECRET },
      });
      expect(endpoint.status).toBe(201);
      mine.endpoint = endpoint.json.id;
    } else mine.endpoint = 'whe_none';
  });
  afterAll(() => server?.close());

  const send = (who: Person | null, op: Op) => {
    const path = fill(op.path);
    const init = { method: op.method, ...(op.jsonBody ? { body: {} } : {}) };
    return who
      ? who.call(path, init)
      : fetch(`${url}${path}`, {
          method: op.method,
          headers: { 'content-type': 'application/json' },
          ...(op.jsonBody ? { body: '{}' } : {}),
        }).then(async (r) => ({ status: r.status, text: await r.text() }));
  };

  it('refuses anonymous callers on every secured operation, and leaves the public ones public', async () => {
    const secured = ops.filter((o) => o.secured);
    expect(secured.length).toBeGreaterThan(15);
    for (const op of secured) {
      const r = await send(null, op);
      expect(r.status, `${op.method} ${op.path}`).toBe(401);
    }
    for (const op of ops.filter((o) => !o.secured && o.method === 'GET')) {
      expect((await send(null, op)).status, `${op.method} ${op.path}`).toBeLessThan(500);
    }
  });

  it('shows another user none of the owner’s things, and lets them change none', async () => {
    const ownerThings = ops.filter(
      (o) => o.secured && /\{/.test(o.path) && !o.path.startsWith('/v1/agents/'),
    );
    expect(ownerThings.length).toBeGreaterThan(8);
    for (const op of ownerThings) {
      const r = await send(other, op);
      expect([400, 403, 404, 409, 422], `${op.method} ${op.path} answered ${r.status}`).toContain(r.status);
      expect(r.text).not.toContain(SECRET);
    }
    // Their own lists hold nothing of the owner's.
    for (const op of ops.filter((o) => o.secured && o.method === 'GET' && !/\{/.test(o.path))) {
      const r = await send(other, op);
      expect(r.status, `${op.method} ${op.path}`).toBeLessThan(500);
      for (const id of Object.values(mine)) if (id.length > 12) expect(r.text, op.path).not.toContain(id);
      expect(r.text).not.toContain(SECRET);
    }
    // And everything of the owner's is still there.
    expect((await owner.call(`/v1/runs/${mine.run}/artifacts/${mine.artifact}`)).status).toBe(200);
    const keys = await owner.call('/v1/api-keys');
    expect(keys.json.data.find((k: { id: string }) => k.id === mine.key).revokedAt).toBeNull();
  });

  it('lets the owner read everything of theirs', async () => {
    for (const op of ops.filter((o) => o.secured && o.method === 'GET' && !o.path.endsWith('/events'))) {
      const r = await send(owner, op);
      expect(r.status, `${op.method} ${op.path}`).toBe(200);
    }
    const run = await owner.call(`/v1/runs/${mine.run}`);
    expect(run.json.input.company).toBe(SECRET);
  });

  it('lets an operator read a run for support, and change nothing of it', async () => {
    const run = await operator.call(`/v1/runs/${mine.run}`);
    expect(run.status).toBe(200);
    expect((await operator.call(`/v1/runs/${mine.run}/artifacts/${mine.artifact}`)).status).toBe(200);
    expect(
      (await operator.call(`/v1/runs/${mine.run}/artifacts/${mine.artifact}`, { method: 'DELETE' })).status,
    ).toBe(404);
    expect((await operator.call(`/v1/api-keys/${mine.key}`, { method: 'DELETE' })).status).toBe(404);
    const wallet = ops.some((o) => o.path === '/v1/wallet') ? await operator.call('/v1/wallet') : null;
    if (wallet) expect(wallet.text).not.toContain(owner.id);
    expect((await owner.call(`/v1/runs/${mine.run}/artifacts/${mine.artifact}`)).status).toBe(200);
  });
});
