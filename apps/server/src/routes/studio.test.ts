import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { type Person, signUp, startTestServer, waitForRun } from '../testing/api-client.ts';
import { shouterManifest } from '../testing/manifests.ts';

const BUNDLE =
  'export default { async run(ctx, input) { await ctx.artifact("out.txt", input.text.toUpperCase(), "text/plain"); } };';

const codeManifest = (slug: string, version: string, credits: number) => ({
  ...shouterManifest(slug, version, credits),
  examples: [{ title: 'Hi', input: { text: `hi from ${version}` } }],
});

const promptManifest = (over: Record<string, unknown> = {}) => ({
  manifestVersion: 1,
  slug: 'tidy-notes',
  name: 'Tidy notes',
  summary: 'Turns rough notes into a tidy list.',
  category: 'writing',
  version: '0.1.0',
  input: {
    type: 'object',
    required: ['notes'],
    properties: { notes: { type: 'string', editor: 'textarea', title: 'Notes' } },
  },
  pricing: { model: 'per_run', credits: 4 },
  runtime: { kind: 'prompt', model: 'default', system: 'You tidy notes.', template: 'Tidy: {{notes}}' },
  ...over,
});

/**
 * The creator studio's endpoints over HTTP: a creator's agents with stats and revenue (checked against
 * the ledger's earnings), and the manifest dry run the editor validates with.
 */
describe('the creator studio over HTTP', () => {
  let server: RunningServer;
  let url: string;
  let creator: Person;

  beforeAll(async () => {
    server = await startTestServer({ JETON_CHECK_RESPONSES: 'true', JETON_COMMISSION_BPS: '2000' });
    url = server.url!;
    creator = await signUp(url, 'Creator');
    expect(
      (
        await creator.call('/v1/me/creator-profile', {
          method: 'PUT',
          body: { handle: 'studio-labs', displayName: 'Studio Labs' },
        })
      ).status,
    ).toBe(200);
  });
  afterAll(() => server?.close());

  it('lists my agents, drafts included, with the version in effect, the latest draft, stats and revenue', async () => {
    expect(await creator.call('/v1/creator/agents')).toMatchObject({
      status: 200,
      json: { data: [], commissionBps: 2000 },
    });
    const save = (version: string) =>
      creator.call('/v1/agents', {
        method: 'POST',
        body: { manifest: codeManifest('shouter', version, 10), bundle: BUNDLE },
      });
    expect((await save('1.0.0')).status).toBe(201);
    expect((await creator.call('/v1/agents/shouter/versions/1.0.0/publish', { method: 'POST' })).status).toBe(
      200,
    );
    expect((await save('1.1.0')).status).toBe(201);

    // Two buyers pay 10 credits each (welcome credits); the creator's own run is a test and counts
    // for nothing.
    for (const name of ['Buyer one', 'Buyer two']) {
      const buyer = await signUp(url, name);
      const r = await buyer.call('/v1/runs', {
        method: 'POST',
        body: { agent: 'shouter', input: { text: 'a' } },
      });
      expect(r.status).toBe(201);
      expect(await waitForRun(buyer, r.json.id)).toMatchObject({ status: 'succeeded', charged: 10 });
    }
    const own = await creator.call('/v1/runs', {
      method: 'POST',
      body: { agent: 'shouter@1.1.0', input: { text: 'draft' } },
    });
    expect(own.status).toBe(201);
    expect((await waitForRun(creator, own.json.id)).status).toBe('succeeded');

    // Outcomes reach the catalog in batches, right after settlement.
    let agent: Record<string, unknown> | undefined;
    for (let i = 0; i < 200; i++) {
      const list = await creator.call('/v1/creator/agents');
      expect(list.status).toBe(200);
      agent = list.json.data[0];
      if ((agent as { stats: { runs: number } }).stats.runs >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(agent).toMatchObject({
      slug: 'shouter',
      name: 'Shouter',
      status: 'published',
      currentVersion: { version: '1.0.0' },
      pendingVersion: null,
      latestDraft: { version: '1.1.0', tests: null, exampleInput: { text: 'hi from 1.1.0' } },
      versions: [
        { version: '1.1.0', status: 'draft', publishedAt: null },
        { version: '1.0.0', status: 'published', tests: 'none' },
      ],
      stats: { runs: 2, succeeded: 2, successRate: 1, reviews: 0 },
      revenue: { paidRuns: 2, grossCredits: 20, creatorCredits: 16 },
    });
    // The same as the ledger paid the creator for those runs (20% commission on 10 is exactly 2).
    const earnings = await creator.call('/v1/creator/earnings');
    const ledgerEarned = earnings.json.cash.balance + earnings.json.credit.balance;
    // The creator's own run paid them too (a test run is still a charge): 10 - 2 more in the ledger.
    expect(ledgerEarned).toBe(16 + 8);

    // Another user sees only theirs; a key without agents:write is refused; nobody anonymous.
    const other = await signUp(url, 'Other');
    expect((await other.call('/v1/creator/agents')).json.data).toEqual([]);
    const key = await other.call('/v1/api-keys', {
      method: 'POST',
      body: { name: 'r', scopes: ['runs:read'] },
    });
    const scoped = await fetch(`${url}/v1/creator/agents`, {
      headers: { authorization: `Bearer ${key.json.key}` },
    });
    expect(scoped.status).toBe(403);
    expect((await fetch(`${url}/v1/creator/agents`)).status).toBe(401);
  });

  it('validates a manifest with the draft’s own rules, answering 200 with every issue, and saves nothing', async () => {
    const validate = (body: unknown) => creator.call('/v1/agents/validate', { method: 'POST', body });
    expect(await validate({ manifest: promptManifest() })).toMatchObject({
      status: 200,
      json: { ok: true, issues: [] },
    });

    const bad = await validate({
      manifest: promptManifest({
        summary: '',
        pricing: { model: 'per_run', credits: 0 },
      }),
    });
    expect(bad.status).toBe(200);
    expect(bad.json.ok).toBe(false);
    expect(bad.json.issues.map((i: { path: string }) => i.path)).toEqual(['$.summary', '$.pricing.credits']);

    // Cross-checks come once the structure holds: a placeholder for a field that does not exist.
    const placeholder = await validate({
      manifest: promptManifest({
        runtime: { kind: 'prompt', model: 'default', system: 'S.', template: '{{notes}} in {{style}}' },
      }),
    });
    expect(placeholder.json).toEqual({
      ok: false,
      issues: [{ path: '$.runtime.template', message: '{{style}} is not a field of input.properties' }],
    });

    // The platform's runtime is reserved, as the draft would say.
    const builtin = await validate({
      manifest: promptManifest({ runtime: { kind: 'builtin', entry: 'x' } }),
    });
    expect(builtin.json.issues).toEqual([expect.objectContaining({ path: '$.runtime.kind' })]);

    // The editor's text as it is: a syntax error is an issue like any other; YAML is read too.
    const text = await validate({ text: '{ "manifestVersion": 1, ' });
    expect(text.json).toMatchObject({ ok: false, issues: [{ path: '$' }] });
    expect(text.json.issues[0].message).toMatch(/^not valid JSON/);
    expect((await validate({ text: JSON.stringify(promptManifest(), null, 2) })).json).toEqual({
      ok: true,
      issues: [],
    });
    expect((await validate({ text: 'manifestVersion: 1\nslug: tidy-notes\n' })).json.ok).toBe(false);

    // A body that is neither is refused as a request, not judged as a manifest.
    expect((await validate({ manifest: promptManifest(), text: '{}' })).status).toBe(422);
    expect((await creator.call('/v1/agents/tidy-notes')).status).toBe(404);
    expect((await fetch(`${url}/v1/agents/validate`, { method: 'POST', body: '{}' })).status).toBe(401);
  });
});
