import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, loadConfig } from '@jeton/core';
import { createTestDatabase, type TestDatabase } from '@jeton/db/testing';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENTS_DIR, seedCatalog } from '../seed.ts';
import { type RunningServer, startServer } from '../server.ts';

const silent = pino({ level: 'silent' });
const BUILT_INS = ['3d-character', 'brand-kit', 'code-audit', 'data-cleaner'];

function config(env: Record<string, string>): Config {
  const loaded = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', ...env });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  return loaded.config;
}

describe('the catalog over HTTP on a fresh install', () => {
  let server: RunningServer;
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`);
    // biome-ignore lint/suspicious/noExplicitAny: the tests walk the JSON they check
    const body = (await res.json()) as Record<string, any>;
    return { status: res.status, type: res.headers.get('content-type'), body };
  };

  beforeAll(async () => {
    server = await startServer(config({ JETON_DATA_DIR: 'memory' }), silent);
  });
  afterAll(() => server.close());

  it('lists the four built-in agents under Jeton Labs, with prices and test results', async () => {
    const { status, body } = await get('/v1/agents?limit=50');
    expect(status).toBe(200);
    expect(body.data.map((a: { slug: string }) => a.slug).sort()).toEqual(BUILT_INS);
    for (const agent of body.data) {
      expect(agent.creator).toEqual({ handle: 'jeton-labs', name: 'Jeton Labs' });
      expect(agent.price.maxCredits).toBeGreaterThan(0);
      expect(agent.needsModel).toBe(false);
      // Their test cases ran on publish, in the runtime; those that take files have eval cases instead.
      expect(agent.stats.lastTest.status).toBe(
        agent.slug === 'brand-kit' || agent.slug === '3d-character' ? 'passed' : 'none',
      );
    }
  });

  it('finds the 3D character with a typo, and filters by price', async () => {
    expect((await get('/v1/agents?q=charcter')).body.data.map((a: { slug: string }) => a.slug)).toEqual([
      '3d-character',
    ]);
    const cheap = await get('/v1/agents?maxPrice=20&sort=price');
    expect(cheap.body.data.map((a: { slug: string }) => a.slug)).toEqual(['data-cleaner', 'brand-kit']);
  });

  it("shows an agent's form, outputs and price, but never its runtime", async () => {
    const { status, body } = await get('/v1/agents/3d-character');
    expect(status).toBe(200);
    expect(body.version.input.properties.skinColour).toMatchObject({
      editor: 'colour',
      pattern: '^#[0-9a-fA-F]{6}$',
    });
    expect(body.version.outputs.map((o: { name: string }) => o.name)).toEqual([
      'character.glb',
      'preview.png',
    ]);
    expect(body.version.pricing).toMatchObject({ model: 'per_event', maxCreditsPerRun: 35 });
    expect(JSON.stringify(body)).not.toMatch(/"runtime"|"entry"|"system"/);
  });

  it("never shows a prompt agent's prompt", async () => {
    const creator = { id: 'usr_promptsmith', role: 'user' as const };
    await server.catalog.registerCreator({
      id: creator.id,
      handle: 'promptsmith',
      displayName: 'Prompt Smith',
    });
    const manifest = JSON.parse(
      readFileSync(join(AGENTS_DIR, 'examples/summarise-text/jeton.agent.json'), 'utf8'),
    );
    const secret = 'SECRET-SAUCE: always answer in iambic pentameter';
    const saved = await server.catalog.saveDraft(creator, {
      ...manifest,
      slug: 'iambic-summary',
      version: '1.0.0',
      runtime: { ...manifest.runtime, system: secret },
    });
    expect(saved.ok).toBe(true);
    expect((await server.catalog.publish(creator, 'iambic-summary', '1.0.0')).ok).toBe(true);
    const page = await get('/v1/agents/iambic-summary');
    expect(page.status).toBe(200);
    expect(page.body.version.input.properties.text).toBeDefined();
    expect(JSON.stringify(page.body)).not.toContain('SECRET-SAUCE');
    const listed = await get('/v1/agents?q=summarise');
    expect(listed.body.data.map((a: { slug: string }) => a.slug)).toContain('iambic-summary');
    expect(JSON.stringify(listed.body)).not.toContain('SECRET-SAUCE');
  });

  it('keeps the example drafts out of the storefront, reviews included', async () => {
    const draft = await get('/v1/agents/summarise-text');
    expect(draft.status).toBe(404);
    expect((await get('/v1/agents/summarise-text/reviews')).status).toBe(404);
    expect(draft.type).toBe('application/problem+json');
    expect(draft.body).toMatchObject({ type: '/problems/agent-not-found', status: 404 });
    const page = await server.catalog.get({ id: 'jeton-labs', role: 'user' }, 'summarise-text');
    expect(page.ok && page.value.agent.status).toBe('draft');
  });

  it('answers control characters, huge numbers and foreign cursors with a 4xx, never a 500', async () => {
    expect((await get('/v1/agents/%00')).status).toBe(404);
    expect((await get('/v1/agents/%00/reviews')).status).toBe(404);
    expect((await get('/v1/agents/3d-character/reviews?cursor=%00')).status).toBe(400);
    expect((await get('/v1/agents/3d-character/reviews?cursor=rev_nosuchreview')).status).toBe(400);
    expect((await get('/v1/agents?maxPrice=2147483648')).status).toBe(400);
    const forged = Buffer.from(JSON.stringify(['newest', '', '2023-02-29T00:00:00.000Z', 'agt_x'])).toString(
      'base64url',
    );
    expect((await get(`/v1/agents?sort=newest&cursor=${forged}`)).status).toBe(400);
    const nul = Buffer.from(JSON.stringify(['price', '', 5, 'a\u0000b'])).toString('base64url');
    expect((await get(`/v1/agents?sort=price&cursor=${nul}`)).status).toBe(400);
    expect((await get('/health')).status).toBe(200);
  });

  it('answers bad search parameters with problem+json naming each one', async () => {
    const { status, body } = await get('/v1/agents?sort=random&limit=0');
    expect(status).toBe(400);
    expect(body.type).toBe('/problems/invalid-request');
    expect(body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['$.limit', '$.sort']);
    expect((await get('/v1/agents?cursor=nope')).body.type).toBe('/problems/invalid-cursor');
  });

  it('serves the manifest JSON Schema, which every shipped manifest satisfies and a broken one does not', async () => {
    const { status, body } = await get('/schemas/agent-manifest.json');
    expect(status).toBe(200);
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(body);
    for (const folder of [
      ...BUILT_INS,
      'examples/summarise-text',
      'examples/icon-set',
      'examples/translate-document',
    ]) {
      const manifest = JSON.parse(readFileSync(join(AGENTS_DIR, folder, 'jeton.agent.json'), 'utf8'));
      expect(validate(manifest), `${folder}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(validate({ ...manifest, pricing: { model: 'free' } })).toBe(false);
    }
  });

  it('seeds once: a second start publishes nothing new', async () => {
    expect(await seedCatalog(server.catalog, silent)).toEqual({ published: [], drafted: [], failed: [] });
  });
});

describe.runIf(process.env.DATABASE_URL)('seeding from two processes at once on Postgres', () => {
  let testDb: TestDatabase | undefined;
  afterAll(() => testDb?.drop());

  it('publishes each built-in agent once', async () => {
    testDb = await createTestDatabase('postgres');
    const servers = await Promise.all(
      [1, 2].map(() => startServer(config({ DATABASE_URL: testDb!.url! }), silent)),
    );
    try {
      const res = await fetch(`${servers[1]!.url}/v1/agents`);
      const body = (await res.json()) as { data: { slug: string }[] };
      expect(body.data.map((a) => a.slug).sort()).toEqual(BUILT_INS);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});
