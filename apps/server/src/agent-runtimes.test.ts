import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Actor, loadConfig } from '@jeton/core';
import { type FakeOpenAI, startFakeOpenAI, testRegistry } from '@jeton/runtime/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './server.ts';

const creator: Actor = { id: 'usr_runtimecreator', role: 'user' };

/**
 * Every runtime as a buyer meets it over HTTP, paid per result: the built-in agents as a fresh install
 * seeds them (no network, and they need no model), a creator's prompt agent answered by a local server
 * speaking OpenAI's protocol, and a creator's code in the sandbox. Embedded database only: the run
 * engine's behaviour on both engines is proven by its own suites; this proves the runtime is wired in.
 */
describe('agent runtimes over HTTP', () => {
  let server: RunningServer;
  let fake: FakeOpenAI;
  let key: string;
  const buyer = 'usr_builtinbuyer';
  const publish = async (manifest: Record<string, unknown>, bundle?: string) => {
    const d = await server.catalog.saveDraft(
      creator,
      {
        manifestVersion: 1,
        name: 'A test agent',
        summary: 'An agent published by the runtime tests.',
        category: 'writing',
        version: '1.0.0',
        input: {
          type: 'object',
          required: ['text'],
          properties: { text: { type: 'string', title: 'Text' } },
        },
        ...manifest,
      },
      bundle === undefined ? {} : { bundle },
    );
    if (!d.ok) throw new Error(JSON.stringify(d.error));
    const p = await server.catalog.publish(creator, d.value.agent.slug, '1.0.0');
    if (!p.ok) throw new Error(JSON.stringify(p.error));
  };

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        ...(init.headers as object),
      },
    });
  const run = async (agent: string, input: Record<string, unknown>) => {
    const res = await api('/v1/runs', { method: 'POST', body: JSON.stringify({ agent, input }) });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    for (let i = 0; i < 1200; i++) {
      const r = (await (await api(`/v1/runs/${id}`)).json()) as Record<string, unknown>;
      if (r.endedAt) return r as { id: string; status: string; charged: number; failure: unknown };
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`${agent} did not end`);
  };
  const artifacts = async (runId: string) => {
    const { data } = (await (await api(`/v1/runs/${runId}/artifacts`)).json()) as {
      data: { name: string; mediaType: string; size: number; url: string }[];
    };
    const out = new Map<string, { mediaType: string; bytes: Uint8Array }>();
    for (const a of data) {
      const body = new Uint8Array(await (await api(a.url)).arrayBuffer());
      expect(body.length).toBe(a.size);
      out.set(a.name, { mediaType: a.mediaType, bytes: body });
    }
    return out;
  };

  beforeAll(async () => {
    const loaded = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      JETON_DATA_DIR: 'memory',
      JETON_BLOB_DIR: mkdtempSync(join(tmpdir(), 'jeton-builtin-blobs-')),
    });
    if (!loaded.ok) throw new Error(loaded.errors.join());
    fake = await startFakeOpenAI();
    server = await startServer(loaded.config, pino({ level: 'silent' }), {
      models: testRegistry([{ name: 'local', kind: 'openai-compatible', baseURL: fake.baseURL }]),
    });
    await server.catalog.registerCreator({
      id: creator.id,
      handle: 'runtime-creator',
      displayName: 'Creator',
    });
    await server.ledger.openAccounts(buyer);
    await server.ledger.topUp({ id: 'builtin-top', userId: buyer, amount: 1000n });
    key = (await server.keys.create(buyer, 'tests')).key;
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('publishes the built-in agents with their own test cases run and passed, and shows them runnable', async () => {
    for (const slug of ['brand-kit', '3d-character']) {
      const page = (await (await fetch(`${server.url}/v1/agents/${slug}`)).json()) as { version: unknown };
      expect(page.version).toMatchObject({
        tests: { status: 'passed' },
        available: true,
        unavailableReason: null,
      });
    }
  });

  it('brand kit: a logo and a palette for 20 credits, with the model’s rationale through its thread', async () => {
    fake.enqueue({
      json: { rationale: 'Confident orange for a family firm.', taglines: ['Built to last'] },
      usage: { prompt: 400, completion: 60 },
    });
    const r = await run('brand-kit', { company: 'Acme & Sons', mood: 'bold' });
    expect(r).toMatchObject({ status: 'succeeded', charged: 20, failure: null });
    expect(fake.pending).toBe(0);
    const a = await artifacts(r.id);
    expect(new TextDecoder().decode(a.get('palette.md')!.bytes)).toContain(
      'Confident orange for a family firm.',
    );
    // The call made in the agent's thread is metered on the run: 400 × 2.5 + 60 × 10 credits per million.
    expect((await server.runs.store.get(r.id))?.usage.modelCostMicroCredits).toBe('1600');
    expect([...a.keys()].sort()).toEqual(['logo.svg', 'palette.json', 'palette.md']);
    const svg = new TextDecoder().decode(a.get('logo.svg')!.bytes);
    expect(svg).toContain('<svg');
    expect(svg).toContain('Acme &amp; Sons');
    const palette = JSON.parse(new TextDecoder().decode(a.get('palette.json')!.bytes));
    expect(palette.pairs.length).toBeGreaterThan(0);
  });

  it('3D character: a glTF binary and its preview, charged per event', async () => {
    const r = await run('3d-character', { height: 1.6, hat: true });
    expect(r).toMatchObject({ status: 'succeeded', charged: 35, failure: null });
    const a = await artifacts(r.id);
    const glb = a.get('character.glb')!;
    expect(glb.mediaType).toBe('model/gltf-binary');
    expect(new TextDecoder().decode(glb.bytes.subarray(0, 4))).toBe('glTF');
    expect([...a.get('preview.png')!.bytes.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
  });

  it('prompt agent: the model’s answer streamed as progress, each call metered, charged per token within the cap', async () => {
    await publish({
      slug: 'tl-dr',
      outputs: [{ name: 'summary.md', mediaType: 'text/markdown' }],
      pricing: { model: 'per_token', markupBps: 2000, maxCreditsPerRun: 50 },
      runtime: { kind: 'prompt', model: 'default', system: 'Summarise.', template: 'Summarise: {{text}}' },
    });
    // 1M input tokens at 2.5 credits and 100k output at 10 credits per million: 3.5 credits, +20% = 4.2 → 5.
    // Long enough (over 400 characters) for the throttle to let a progress event through mid-stream.
    const answer = 'A short summary of it all. '.repeat(20).trim();
    fake.enqueue({ text: answer, usage: { prompt: 1_000_000, completion: 100_000 } });
    const r = await run('tl-dr', { text: 'A long text.' });
    expect(r).toMatchObject({ status: 'succeeded', charged: 5, failure: null });
    const sent = fake.requests.at(-1)!.body as { messages: { role: string; content: string }[] };
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Summarise.' },
      { role: 'user', content: 'Summarise: A long text.' },
    ]);
    const a = await artifacts(r.id);
    expect(new TextDecoder().decode(a.get('summary.md')!.bytes)).toBe(answer);
    const events = (
      await (await api(`/v1/runs/${r.id}/events`, { headers: { accept: 'text/event-stream' } })).text()
    )
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => JSON.parse(l.slice(5)));
    // The streamed answer shows as progress (throttled: not one event per token).
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('summary of it all')]),
    );
    expect(events.filter((e) => e.type === 'model')).toEqual([
      expect.objectContaining({
        model: 'local/test-model',
        inputTokens: 1_000_000,
        outputTokens: 100_000,
        costMicroCredits: '3500000',
      }),
    ]);
  });

  it('prompt agent whose provider is not configured: shown unavailable with the reason, and refused before any hold', async () => {
    await publish({
      slug: 'needs-openai',
      pricing: { model: 'per_run', credits: 3 },
      runtime: { kind: 'prompt', model: 'openai/gpt-4o-mini', system: 'S.', template: '{{text}}' },
    });
    const page = (await (await fetch(`${server.url}/v1/agents/needs-openai`)).json()) as { version: unknown };
    expect(page.version).toMatchObject({
      available: false,
      unavailableReason: expect.stringContaining('"openai" is not configured'),
    });
    const before = await server.ledger.balance(buyer);
    const res = await api('/v1/runs', {
      method: 'POST',
      body: JSON.stringify({ agent: 'needs-openai', input: { text: 'x' } }),
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ type: '/problems/agent-unavailable' });
    expect(await server.ledger.balance(buyer)).toEqual(before);
  });

  it('code agent: a creator’s bundle runs in the sandbox; one that reaches for the host fails and is refunded', async () => {
    const code = (slug: string) => ({
      slug,
      outputs: [{ name: 'out.txt', mediaType: 'text/plain' }],
      pricing: { model: 'per_run', credits: 4 },
      runtime: { kind: 'code', entry: 'agent.js' },
    });
    await publish(
      code('shout'),
      'export default { async run(ctx, input) { ctx.progress(50, "shouting"); await ctx.artifact("out.txt", input.text.toUpperCase() + "!", "text/plain"); } };',
    );
    const ok = await run('shout', { text: 'hello' });
    expect(ok).toMatchObject({ status: 'succeeded', charged: 4 });
    expect(new TextDecoder().decode((await artifacts(ok.id)).get('out.txt')!.bytes)).toBe('HELLO!');

    await publish(
      code('peek'),
      'export default { async run(ctx) { await ctx.artifact("out.txt", JSON.stringify(process.env), "text/plain"); } };',
    );
    const before = await server.ledger.balance(buyer);
    const bad = await run('peek', { text: 'x' });
    expect(bad).toMatchObject({ status: 'failed', charged: 0, failure: { fault: 'agent' } });
    expect((bad.failure as { message: string }).message).toContain('process');
    expect(await server.ledger.balance(buyer)).toEqual(before);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
