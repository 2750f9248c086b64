import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { type Json, startTestServer } from '../testing/api-client.ts';
import { shouterManifest } from '../testing/manifests.ts';

const BUNDLE =
  'export default { async run(ctx, input) { ctx.progress(50, "shouting"); await ctx.artifact("out.txt", input.text.toUpperCase() + "!", "text/plain"); } };';

const manifest = (slug: string, version: string, credits: number) => ({
  ...shouterManifest(slug, version, credits),
  tests: [
    {
      name: 'shouts',
      input: { text: 'hi' },
      checks: [{ kind: 'succeeds' }, { kind: 'contains', artifact: 'out.txt', text: 'HI!' }],
    },
  ],
});

/**
 * A creator's whole path over HTTP, with a session and with keys: a creator profile, a draft with its
 * code, publishing (its test cases run in the sandbox first), the quote a buyer sees, a buyer's run
 * paid with welcome credits, their review and the creator's reply.
 */
describe('publishing and reviews over HTTP', () => {
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    server = await startTestServer();
    url = server.url!;
  });
  afterAll(() => server?.close());

  let n = 0;
  /** A new account and an API key for it (all scopes unless given). */
  const account = async (scopes?: string[]) => {
    const email = `p${++n}-${Date.now()}@example.com`;
    const res = await fetch(`${url}/v1/auth/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'a long enough password', name: `User ${n}` }),
    });
    expect(res.status).toBe(201);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const user = (await res.json()) as { id: string };
    const k = await fetch(`${url}/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ name: 'tests', ...(scopes ? { scopes } : {}) }),
    });
    const { key } = (await k.json()) as { key: string };
    const call = async (path: string, method = 'GET', body?: unknown) => {
      const r = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      return { status: r.status, json: (text ? JSON.parse(text) : null) as Json };
    };
    return { user, call };
  };

  const waitFinal = async (call: Awaited<ReturnType<typeof account>>['call'], id: string) => {
    for (let i = 0; i < 600; i++) {
      const r = await call(`/v1/runs/${id}`);
      if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(r.json.status)) return r.json;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the run did not end');
  };

  it('takes a creator from a profile to a published, paid, reviewed agent', async () => {
    const creator = await account();
    // Not a creator yet: a draft is refused.
    const early = await creator.call('/v1/agents', 'POST', {
      manifest: manifest('shouter', '1.0.0', 3),
      bundle: BUNDLE,
    });
    expect(early.status).toBe(403);
    expect(
      (await creator.call('/v1/me/creator-profile', 'PUT', { handle: 'loud-labs', displayName: 'Loud Labs' }))
        .status,
    ).toBe(200);

    const invalid = await creator.call('/v1/agents', 'POST', {
      manifest: { ...manifest('shouter', '1.0.0', 3), pricing: { model: 'per_run', credits: -1 }, name: '' },
      bundle: BUNDLE,
    });
    expect(invalid.status).toBe(422);
    expect(invalid.json.type).toBe('/problems/invalid-manifest');
    expect(invalid.json.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['$.name', '$.pricing.credits']),
    );

    const draft = await creator.call('/v1/agents', 'POST', {
      manifest: manifest('shouter', '1.0.0', 3),
      bundle: BUNDLE,
    });
    expect(draft.status).toBe(201);
    expect(draft.json.version).toMatchObject({ version: '1.0.0', status: 'draft' });
    // A draft is nobody else's business.
    expect((await fetch(`${url}/v1/agents/shouter/quote`)).status).toBe(404);

    const published = await creator.call('/v1/agents/shouter/versions/1.0.0/publish', 'POST');
    expect(published.status).toBe(200);
    expect(published.json).toMatchObject({ slug: 'shouter', version: '1.0.0', priceChange: 'first' });
    expect(published.json.tests.status).toBe('passed');
    expect((await creator.call('/v1/agents/shouter/versions/1.0.0/publish', 'POST')).status).toBe(409);

    const versions = (await (await fetch(`${url}/v1/agents/shouter/versions`)).json()) as { data: unknown[] };
    expect(versions.data).toEqual([
      expect.objectContaining({ version: '1.0.0', status: 'published', tests: 'passed' }),
    ]);
    const quote = await fetch(`${url}/v1/agents/shouter/quote`);
    expect(quote.status).toBe(200);
    expect(await quote.json()).toMatchObject({ slug: 'shouter', version: '1.0.0', quote: 3 });
    const search = (await (await fetch(`${url}/v1/agents?q=shouter`)).json()) as { data: { slug: string }[] };
    expect(search.data.map((a) => a.slug)).toContain('shouter');

    // A buyer pays with their welcome credits.
    const buyer = await account();
    const submitted = await buyer.call('/v1/runs', 'POST', { agent: 'shouter', input: { text: 'hey' } });
    expect(submitted.status).toBe(201);
    const run = await waitFinal(buyer.call, submitted.json.id);
    expect(run).toMatchObject({ status: 'succeeded', charged: 3 });
    expect((await server.ledger.balance(buyer.user.id))?.promo.available).toBe(197n);

    // Only the buyer reviews, once; only the creator replies, once.
    const stranger = await account();
    expect(
      (await stranger.call(`/v1/runs/${run.id}/review`, 'POST', { rating: 1, body: 'spam' })).status,
    ).toBe(403);
    const review = await buyer.call(`/v1/runs/${run.id}/review`, 'POST', {
      rating: 5,
      body: 'Loud and clear.',
    });
    expect(review.status).toBe(201);
    expect(review.json).toMatchObject({ rating: 5, body: 'Loud and clear.', version: '1.0.0', reply: null });
    expect((await buyer.call(`/v1/runs/${run.id}/review`, 'POST', { rating: 4 })).status).toBe(409);
    expect((await buyer.call(`/v1/runs/${run.id}/review`, 'POST', { rating: 6 })).status).toBe(422);

    expect(
      (await stranger.call(`/v1/reviews/${review.json.id}/reply`, 'POST', { body: 'Not mine.' })).status,
    ).toBe(403);
    const reply = await creator.call(`/v1/reviews/${review.json.id}/reply`, 'POST', { body: 'Thank you!' });
    expect(reply.status).toBe(200);
    expect(reply.json.reply.body).toBe('Thank you!');
    expect(
      (await creator.call(`/v1/reviews/${review.json.id}/reply`, 'POST', { body: 'Again' })).status,
    ).toBe(409);
    const reviews = (await (await fetch(`${url}/v1/agents/shouter/reviews`)).json()) as { data: unknown[] };
    expect(reviews.data).toEqual([
      expect.objectContaining({ rating: 5, reply: expect.objectContaining({ body: 'Thank you!' }) }),
    ]);
  });

  it('keeps an agent to its creator, and a key to its scopes', async () => {
    const owner = await account();
    await owner.call('/v1/me/creator-profile', 'PUT', { handle: 'owner-labs', displayName: 'Owner' });
    expect(
      (await owner.call('/v1/agents', 'POST', { manifest: manifest('owned', '1.0.0', 2), bundle: BUNDLE }))
        .status,
    ).toBe(201);

    const rival = await account();
    await rival.call('/v1/me/creator-profile', 'PUT', { handle: 'rival-labs', displayName: 'Rival' });
    const steal = await rival.call('/v1/agents', 'POST', {
      manifest: manifest('owned', '1.0.1', 2),
      bundle: BUNDLE,
    });
    expect(steal.status).toBe(409);
    expect(steal.json.type).toBe('/problems/slug-taken');
    expect((await rival.call('/v1/agents/owned/versions/1.0.0/publish', 'POST')).status).toBe(404);

    const reader = await account(['runs:read']);
    expect(
      (await reader.call('/v1/agents', 'POST', { manifest: manifest('scoped', '1.0.0', 2), bundle: BUNDLE }))
        .status,
    ).toBe(403);
  });
});
