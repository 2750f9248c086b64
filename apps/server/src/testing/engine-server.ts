import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Actor, loadConfig } from '@jeton/core';
import type { Engine } from '@jeton/db';
import { agentManifest, createTestDatabase, type TestDatabase, testExecutor } from '@jeton/db/testing';
import { pino } from 'pino';
import { type RunningServer, type ServerRoles, startServer } from '../server.ts';

/**
 * A server on `engine`, for the suites that run on both engines: agents run with the test executor,
 * blobs go to a fresh directory, `env` adds settings. On PGlite the server keeps its own database in
 * memory, so the test database is dropped at once; on Postgres it is the server's, and the caller
 * drops `db` once the server is closed.
 */
export async function startServerOn(
  engine: Engine,
  env: Record<string, string> = {},
  roles: ServerRoles = {},
): Promise<{ server: RunningServer; db: TestDatabase }> {
  const db = await createTestDatabase(engine);
  const loaded = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    JETON_DATA_DIR: engine === 'pglite' ? 'memory' : './unused',
    JETON_BLOB_DIR: mkdtempSync(join(tmpdir(), 'jeton-test-blobs-')),
    ...env,
    ...(db.url ? { DATABASE_URL: db.url } : {}),
  });
  if (!loaded.ok) throw new Error(loaded.errors.join());
  if (engine === 'pglite') await db.drop();
  const server = await startServer(loaded.config, pino({ level: 'silent' }), {
    executor: testExecutor,
    ...roles,
  });
  return { server, db };
}

/** Publishes the test fixture agent `slug` (`agentManifest`) as `creator`; throws on any refusal. */
export async function publishFixtureAgent(
  server: RunningServer,
  creator: Actor,
  slug: string,
): Promise<void> {
  const d = await server.catalog.saveDraft(creator, agentManifest(slug));
  if (!d.ok) throw new Error(JSON.stringify(d.error));
  const p = await server.catalog.publish(creator, slug, '1.0.0');
  if (!p.ok) throw new Error(JSON.stringify(p.error));
}
