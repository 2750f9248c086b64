import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@jeton/core';
import { type RunningServer, startServer } from '@jeton/server';
import { Jeton } from './client.ts';
import { errorFromResponse } from './errors.ts';

export interface LocalServer {
  url: string;
  server: RunningServer;
  close(): Promise<void>;
}

/**
 * A real Jeton server on loopback, on a throwaway in-memory database with the built-in agents
 * published, for the SDK's and the CLI's tests and for `npm run sdk:generate`. Every JSON answer is
 * checked against its documented schema.
 */
export async function startLocalServer(): Promise<LocalServer> {
  const blobs = mkdtempSync(join(tmpdir(), 'jeton-sdk-blobs-'));
  const loaded = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    JETON_DATA_DIR: 'memory',
    JETON_BLOB_DIR: blobs,
    JETON_CHECK_RESPONSES: 'true',
    // Balances in tests are exactly what the test put there.
    JETON_WELCOME_CREDITS: '0',
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const server = await startServer(loaded.config);
  return {
    url: server.url!,
    server,
    close: async () => {
      await server.close();
      rmSync(blobs, { recursive: true, force: true });
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  /** An API key with every scope. */
  key: string;
}

/**
 * A user signed up the way people are (`POST /v1/auth/sign-up`), with `credits` in their wallet and an
 * API key created with their session.
 */
export async function fundedUser(local: LocalServer, name: string, credits: bigint): Promise<TestUser> {
  const email = `${name}@example.com`;
  const password = `${name}-password-1234`;
  const signUp = await new Jeton({ baseUrl: local.url }).api.POST('/v1/auth/sign-up', {
    body: { email, password, name },
  });
  if (!signUp.data) throw errorFromResponse(signUp.response, signUp.error);
  const session = signUp.response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('jeton_session='));
  if (!session) throw new Error('sign-up set no session cookie');
  const id = signUp.data.id;
  if (credits > 0n) await local.server.ledger.topUp({ id: `top-${id}`, userId: id, amount: credits });
  const { key } = await new Jeton({ baseUrl: local.url, headers: { cookie: session } }).apiKeys.create({
    name: 'tests',
  });
  return { id, email, password, key };
}
