import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@jeton/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../server.ts';
import type { Json } from '../testing/api-client.ts';

type Operation = {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  responses?: Record<string, unknown>;
};

/** The OpenAPI document as a client generator reads it, and the reference page as a person does. */
describe('the OpenAPI document and the reference page', () => {
  let server: RunningServer;
  let doc: {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
    components: Record<string, Json>;
  };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jeton-openapi-'));
    const loaded = loadConfig({ JETON_DATA_DIR: join(dir, 'data'), PORT: '0' });
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    server = await startServer(loaded.config, pino({ level: 'silent' }));
    const res = await fetch(`${server.url}/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as typeof doc;
  });
  afterAll(() => server?.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );

  it('is OpenAPI 3.1 with a unique operationId, a tag and responses on every operation', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ops = operations();
    expect(ops.length).toBeGreaterThan(15);
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/.test(id))).toBe(
      true,
    );
    expect(new Set(ids).size).toBe(ids.length);
    for (const { op } of ops) {
      expect(op.tags?.length).toBe(1);
      expect(Object.keys(op.responses ?? {}).some((s) => s.startsWith('2'))).toBe(true);
    }
  });

  it('declares every path parameter, and the security of every operation', () => {
    for (const { path, op } of operations()) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      expect(declared.sort(), path).toEqual(inPath.sort());
      expect(Array.isArray(op.security), `${path} security`).toBe(true);
    }
    expect(Object.keys(doc.components.securitySchemes ?? {}).sort()).toEqual(['apiKey', 'session']);
    // What a program may not do without a person: key management is session-only.
    expect(doc.paths['/v1/api-keys']?.post?.security).toEqual([{ session: [] }]);
    expect(doc.paths['/v1/agents']?.get?.security).toEqual([]);
  });

  it('resolves every $ref, and describes errors as problem+json', () => {
    const refs = new Set<string>();
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.add(x);
          else walk(x);
        }
      }
    };
    walk(doc);
    expect(refs.size).toBeGreaterThan(5);
    for (const ref of refs) {
      const target = ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<Json>((node, key) => node?.[key], doc);
      expect(target, ref).toBeTruthy();
    }
    const submit = doc.paths['/v1/runs']?.post?.responses as Record<
      string,
      { content?: Record<string, unknown> }
    >;
    expect(Object.keys(submit['422']?.content ?? {})).toEqual(['application/problem+json']);
    expect(Object.keys(submit['201']?.content ?? {})).toEqual(['application/json']);
  });

  it('documents the shapes it validates with: the run submission body is the route’s own schema', () => {
    const schema = doc.components.schemas.RunCreate;
    expect(schema.required).toEqual(['agent', 'input']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.maxCredits).toMatchObject({ type: 'integer', minimum: 1 });
  });

  it('serves a reference page that loads nothing from another host', async () => {
    const page = await fetch(`${server!.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThanOrEqual(3);
    for (const src of sources) {
      expect(src.startsWith('/'), src).toBe(true);
      const res = await fetch(`${server!.url}${src}`);
      expect(res.status, src).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(50);
    }
    expect(html).not.toMatch(/https?:\/\//);
  });
});
