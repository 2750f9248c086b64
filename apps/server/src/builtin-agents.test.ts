import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@jeton/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from './server.ts';

/**
 * The built-in agents as a buyer meets them on a fresh install: seeded, runnable with no model
 * provider and no network, over HTTP, paid per result. Embedded database only: the run engine's
 * behaviour on both engines is proven by its own suites; this proves the runtime is wired in.
 */
describe('built-in agents over HTTP on a fresh install', () => {
  let server: RunningServer;
  let key: string;
  const buyer = 'usr_builtinbuyer';

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
    server = await startServer(loaded.config, pino({ level: 'silent' }));
    await server.ledger.openAccounts(buyer);
    await server.ledger.topUp({ id: 'builtin-top', userId: buyer, amount: 1000n });
    key = (await server.keys.create(buyer, 'tests')).key;
  }, 120_000);

  afterAll(() => server?.close());

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

  it('brand kit: a logo and a palette for 20 credits', async () => {
    const r = await run('brand-kit', { company: 'Acme & Sons', mood: 'bold' });
    expect(r).toMatchObject({ status: 'succeeded', charged: 20, failure: null });
    const a = await artifacts(r.id);
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
});
