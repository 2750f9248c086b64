import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '@jeton/core';
import { createTestDatabase, type TestDatabase } from '@jeton/db/testing';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from './server.ts';

const silent = pino({ level: 'silent' });

function config(env: Record<string, string>): Config {
  const loaded = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', ...env });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  return loaded.config;
}

describe('server on the embedded database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jeton-server-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates at start, answers /health over HTTP, and starts again on the same data', async () => {
    const first = await startServer(config({ JETON_DATA_DIR: join(dir, 'data') }), silent);
    try {
      const res = await fetch(`${first.url}/health`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { database: { migrations: number } };
      expect(body).toMatchObject({ status: 'ok', database: { status: 'up', engine: 'pglite' } });
      expect(body.database.migrations).toBeGreaterThanOrEqual(2);
      await first.ledger.openAccounts('alice');
      await first.ledger.topUp({ id: 'persisted', userId: 'alice', amount: 42n });
    } finally {
      await first.close();
    }
    // Reopening applies nothing new and keeps what was written.
    const second = await startServer(config({ JETON_DATA_DIR: join(dir, 'data') }), silent);
    try {
      const body = (await (await fetch(`${second.url}/health`)).json()) as {
        database: { migrations: number };
      };
      expect(body.database.migrations).toBeGreaterThanOrEqual(2);
      expect((await second.ledger.balance('alice'))?.available).toBe(42n);
    } finally {
      await second.close();
    }
  });

  it('answers an unknown path with problem+json and a stable type', async () => {
    const server = await startServer(config({ JETON_DATA_DIR: 'memory' }), silent);
    try {
      const res = await fetch(`${server.url}/v1/nowhere?x=1`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toEqual({
        type: '/problems/not-found',
        title: 'No such resource',
        status: 404,
        detail: 'Nothing answers GET /v1/nowhere.',
      });
    } finally {
      await server.close();
    }
  });

  it('says 503 problem+json when its database is gone', async () => {
    const server = await startServer(config({ JETON_DATA_DIR: 'memory' }), silent);
    await server.database.close();
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ type: '/problems/database-unavailable', status: 503 });
    await server.close().catch(() => {});
  });
});

describe.runIf(process.env.DATABASE_URL)('server on Postgres', () => {
  let testDb: TestDatabase | undefined;
  afterAll(() => testDb?.drop());

  it('migrates at start and answers /health', async () => {
    testDb = await createTestDatabase('postgres');
    const server = await startServer(config({ DATABASE_URL: testDb.url! }), silent);
    try {
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        status: 'ok',
        database: { status: 'up', engine: 'postgres' },
      });
    } finally {
      await server.close();
    }
  });
});
