import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@jeton/core';
import { pino } from 'pino';
import { type RunningServer, startServer } from '../server.ts';

/** A server on a fresh embedded database, for HTTP tests (no rate limits unless given). */
export async function startTestServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'jeton-http-'));
  const loaded = loadConfig({ JETON_DATA_DIR: join(dir, 'data'), PORT: '0', JETON_RATE_PER_IP: '0', ...env });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  return startServer(loaded.config, pino({ level: 'silent' }));
}

/** A JSON answer, read by path in assertions (its shape is the OpenAPI document's business). */
// biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field and assert on them
export type Json = any;

export interface Answer {
  status: number;
  text: string;
  json: Json;
  headers: Headers;
}

/** A person in a browser: signs up, keeps the session cookie, sends JSON. */
export interface Person {
  id: string;
  email: string;
  call(
    path: string,
    init?: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<Answer>;
}

let people = 0;

export async function signUp(url: string, name = 'Test user'): Promise<Person> {
  const email = `person${++people}-${process.pid}-${Date.now()}@example.com`;
  const res = await fetch(`${url}/v1/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'a long enough password', name }),
  });
  if (res.status !== 201) throw new Error(`sign-up: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const { id } = (await res.json()) as { id: string };
  return {
    id,
    email,
    call: async (path, init = {}) => {
      const r = await fetch(`${url}${path}`, {
        method: init.method ?? 'GET',
        headers: { 'content-type': 'application/json', cookie, ...init.headers },
        ...(init.raw !== undefined
          ? { body: init.raw }
          : init.body === undefined
            ? {}
            : { body: JSON.stringify(init.body) }),
      });
      const text = await r.text();
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {}
      return { status: r.status, text, json, headers: r.headers };
    },
  };
}

/** Polls a run until it ends. */
export async function waitForRun(person: Person, id: string): Promise<Json> {
  for (let i = 0; i < 1200; i++) {
    const r = await person.call(`/v1/runs/${id}`);
    if (['succeeded', 'failed', 'cancelled', 'timed_out'].includes(r.json?.status)) return r.json;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${id} did not end`);
}
