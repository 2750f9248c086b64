import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@jeton/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.ts';
import { type RunningServer, startServer } from './server.ts';

describe('rate limiter', () => {
  it('allows a minute’s allowance at once, then refills continuously, and says how long to wait', () => {
    let now = 0;
    const limiter = new RateLimiter(3, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(20);
    expect(limiter.take('b')).toBe(0);
    now = 19_000;
    expect(limiter.take('a')).toBe(1);
    now = 20_000;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(20);
    expect(new RateLimiter(0).take('a')).toBe(0);
  });

  it('forgets the least recently used keys past its size, as full buckets', () => {
    const limiter = new RateLimiter(1, () => 0, 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('c'); // forgets a
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('c')).toBeGreaterThan(0);
  });
});

describe('rate limits over HTTP', () => {
  let server: RunningServer;
  let keys: string[];

  beforeAll(async () => {
    const loaded = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      JETON_DATA_DIR: 'memory',
      JETON_BLOB_DIR: mkdtempSync(join(tmpdir(), 'jeton-rate-')),
      JETON_RATE_PER_IP: '8',
      JETON_RATE_PER_KEY: '3',
      JETON_TRUST_PROXY: 'true',
    });
    if (!loaded.ok) throw new Error(loaded.errors.join());
    server = await startServer(loaded.config, pino({ level: 'silent' }));
    keys = [
      (await server.keys.create('usr_ratea', 'a')).key,
      (await server.keys.create('usr_rateb', 'b')).key,
    ];
  }, 120_000);

  afterAll(() => server?.close());

  const get = (path: string, headers: Record<string, string>) => fetch(`${server.url}${path}`, { headers });

  it('answers 429 with Retry-After past a key’s allowance; another key is not affected', async () => {
    const as = (key: string) => ({
      authorization: `Bearer ${key}`,
      'x-forwarded-for': `10.0.0.${key.length}`,
    });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/v1/runs', as(keys[0]!))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await get('/v1/runs', as(keys[0]!));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('content-type')).toBe('application/problem+json');
    expect(await limited.json()).toMatchObject({ type: '/problems/rate-limited', status: 429 });
    expect(
      (await get('/v1/runs', { authorization: `Bearer ${keys[1]}`, 'x-forwarded-for': '10.0.1.1' })).status,
    ).toBe(200);
  });

  it('answers 429 past an address’s allowance, before authentication, and never for the health check', async () => {
    const from = { 'x-forwarded-for': '192.0.2.7' };
    const statuses = [];
    for (let i = 0; i < 9; i++) statuses.push((await get('/v1/agents', from)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 429]);
    expect((await get('/v1/runs', { ...from, authorization: 'Bearer jtn_whatever' })).status).toBe(429);
    expect((await get('/health', from)).status).toBe(200);
    expect((await get('/v1/agents', { 'x-forwarded-for': '192.0.2.8' })).status).toBe(200);
  });
});
