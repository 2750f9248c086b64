import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  ConnectionError,
  InsufficientCreditsError,
  Jeton,
  JetonError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  ServerError,
  ValidationError,
} from './index.ts';

const problem = (status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ type: `/problems/p${status}`, title: `t${status}`, status, detail: 'd' }), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
const RUN_URL = 'http://api.test/v1/runs/run_1';

describe('errors and retries, without a server', () => {
  it('picks the error class by status and keeps the problem', async () => {
    const cases: [number, typeof JetonError][] = [
      [400, ValidationError],
      [422, ValidationError],
      [401, AuthenticationError],
      [402, InsufficientCreditsError],
      [403, PermissionError],
      [404, NotFoundError],
      [409, ConflictError],
      [500, ServerError],
      [418, JetonError],
    ];
    for (const [status, kind] of cases) {
      const jeton = new Jeton({ baseUrl: 'http://api.test', fetch: async () => problem(status) });
      const error = await jeton.runs.get('run_1').catch((e: unknown) => e);
      expect(error, String(status)).toBeInstanceOf(kind);
      expect(error).toMatchObject({ status, type: `/problems/p${status}`, title: `t${status}`, detail: 'd' });
    }
    const limited = new Jeton({
      baseUrl: 'http://api.test',
      maxRetries: 0,
      fetch: async () => problem(429, { 'retry-after': '42' }),
    });
    const error = await limited.runs.get('run_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfter).toBe(42);

    const html = new Jeton({
      baseUrl: 'http://api.test',
      maxRetries: 0,
      fetch: async () => new Response('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway' }),
    });
    await expect(html.runs.get('run_1')).rejects.toMatchObject({
      name: 'ServerError',
      status: 502,
      title: 'Bad Gateway',
      detail: '<h1>Bad gateway</h1>',
    });
  });

  it('retries a lost create with the same Idempotency-Key, and never retries an upload', async () => {
    const seen: { url: string; key: string | null; body: string }[] = [];
    const lossy: typeof fetch = async (input, init) => {
      const req = new Request(input, init);
      seen.push({ url: req.url, key: req.headers.get('idempotency-key'), body: await req.text() });
      if (seen.length === 1) throw new TypeError('fetch failed');
      return Response.json({ id: 'run_1' }, { status: 201 });
    };
    const jeton = new Jeton({ baseUrl: 'http://api.test', fetch: lossy });
    await jeton.runs.create({ agent: 'brand-kit', input: { company: 'Acme' } });
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[0]!.key).toMatch(/^[0-9a-f-]{36}$/);

    let uploads = 0;
    const down = new Jeton({
      baseUrl: 'http://api.test',
      fetch: async () => {
        uploads++;
        throw new TypeError('fetch failed');
      },
    });
    await expect(down.files.upload('x', { name: 'x.txt' })).rejects.toBeInstanceOf(ConnectionError);
    expect(uploads).toBe(1);
  });

  it('sends the key as a bearer token, and builds paths from the base URL', async () => {
    let req: Request | undefined;
    const jeton = new Jeton({
      apiKey: 'jtn_abc',
      baseUrl: 'http://api.test/',
      fetch: async (input, init) => {
        req = new Request(input, init);
        return Response.json({ id: 'run_1' });
      },
    });
    await jeton.runs.get('run_1');
    expect(req?.url).toBe(RUN_URL);
    expect(req?.headers.get('authorization')).toBe('Bearer jtn_abc');
  });
});
