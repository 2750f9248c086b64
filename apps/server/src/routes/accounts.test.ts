import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { startTestServer } from '../testing/api-client.ts';

/**
 * Accounts over HTTP: sign-up with the welcome credits, sessions in an http-only cookie, sign-in and
 * sign-out, the creator profile, and API keys managed by a signed-in person only.
 */
describe('accounts over HTTP', () => {
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    server = await startTestServer({ JETON_WELCOME_CREDITS: '200' });
    url = server.url!;
  });
  afterAll(() => server?.close());

  /** A browser-like client: keeps the session cookie it is given, sends JSON. */
  const browser = () => {
    let cookie = '';
    const call = async (
      path: string,
      init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
    ) => {
      const res = await fetch(`${url}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          'content-type': 'application/json',
          ...(cookie ? { cookie } : {}),
          ...init.headers,
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      const set = res.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0]!.endsWith('=') ? '' : set.split(';')[0]!;
      return res;
    };
    return { call, cookie: () => cookie, setCookie: (c: string) => (cookie = c) };
  };
  let n = 0;
  const signUp = async (name = 'Ada') => {
    const b = browser();
    const email = `user${++n}-${Date.now()}@example.com`;
    const res = await b.call('/v1/auth/sign-up', {
      method: 'POST',
      body: { email, password: 'correct horse battery', name },
    });
    expect(res.status).toBe(201);
    const user = (await res.json()) as { id: string; email: string; roles: string[] };
    return { b, user, email, res };
  };

  it('signs up with a session cookie and the welcome credits, once', async () => {
    const { b, user, email, res } = await signUp();
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^jeton_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(user.email).toBe(email);
    expect(user.roles).toEqual(['buyer']);

    const me = await b.call('/v1/me');
    expect(me.status).toBe(200);
    expect(((await me.json()) as { id: string }).id).toBe(user.id);
    const balance = await server.ledger.balance(user.id);
    expect(balance?.promo.available).toBe(200n);
    expect(balance?.paid.available).toBe(0n);

    // Signing in again grants nothing more.
    const again = browser();
    const signIn = await again.call('/v1/auth/sign-in', {
      method: 'POST',
      body: { email: email.toUpperCase(), password: 'correct horse battery' },
    });
    expect(signIn.status).toBe(200);
    expect((await server.ledger.balance(user.id))?.promo.available).toBe(200n);
  });

  it('refuses a taken email (whatever its case), a short password and a wrong one', async () => {
    const { email } = await signUp();
    const b = browser();
    const taken = await b.call('/v1/auth/sign-up', {
      method: 'POST',
      body: { email: email.toUpperCase(), password: 'another long password', name: 'Eve' },
    });
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as { type: string }).type).toBe('/problems/email-taken');

    const short = await b.call('/v1/auth/sign-up', {
      method: 'POST',
      body: { email: 'new@example.com', password: 'short', name: 'Eve' },
    });
    expect(short.status).toBe(422);
    const problem = (await short.json()) as { issues: { path: string }[] };
    expect(problem.issues.map((i) => i.path)).toEqual(['$.password']);

    const wrong = await b.call('/v1/auth/sign-in', {
      method: 'POST',
      body: { email, password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { type: string }).type).toBe('/problems/invalid-credentials');
    const unknown = await b.call('/v1/auth/sign-in', {
      method: 'POST',
      body: { email: 'nobody@example.com', password: 'not the password' },
    });
    expect(unknown.status).toBe(401);
    expect(b.cookie()).toBe('');
  });

  it('takes JSON only, so that no other site’s form can sign anyone in', async () => {
    const { email } = await signUp();
    // What <form enctype="text/plain"> on another site would send.
    const res = await fetch(`${url}/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: `{"email":"${email}","password":"correct horse battery"}`,
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('limits password attempts per account, whatever the password', async () => {
    const { email } = await signUp();
    const attempt = (password: string) =>
      fetch(`${url}/v1/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await attempt(`guess number ${i}`)).status);
    expect(statuses).toEqual(Array(10).fill(401));
    const limited = await attempt('correct horse battery');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('set-cookie')).toBeNull();
  });

  it('signs out everywhere at once', async () => {
    const { b } = await signUp();
    const stolen = b.cookie();
    expect((await b.call('/v1/auth/sign-out', { method: 'POST' })).status).toBe(204);
    expect(b.cookie()).toBe('');
    const replay = browser();
    replay.setCookie(stolen);
    expect((await replay.call('/v1/me')).status).toBe(401);
  });

  it('refuses a change made with the cookie from another site', async () => {
    const { b } = await signUp();
    const res = await b.call('/v1/api-keys', {
      method: 'POST',
      body: { name: 'cli' },
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { type: string }).type).toBe('/problems/cross-origin-refused');
    expect(
      (await b.call('/v1/api-keys', { method: 'POST', body: { name: 'cli' }, headers: { origin: url } }))
        .status,
    ).toBe(201);
  });

  it('manages API keys from a session: shown once, scoped, listed without the key, revoked at once', async () => {
    const { b, user } = await signUp();
    const created = await b.call('/v1/api-keys', {
      method: 'POST',
      body: { name: 'reader', scopes: ['runs:read'] },
    });
    expect(created.status).toBe(201);
    const k = (await created.json()) as { id: string; key: string; prefix: string; scopes: string[] };
    expect(k.key).toMatch(/^jtn_[A-Za-z0-9_-]{43}$/);
    expect(k.key.startsWith(k.prefix)).toBe(true);
    expect(k.scopes).toEqual(['runs:read']);

    const withKey = (path: string, init: RequestInit = {}) =>
      fetch(`${url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${k.key}`, 'content-type': 'application/json' },
      });
    expect((await withKey('/v1/runs')).status).toBe(200);
    const me = (await (await withKey('/v1/me')).json()) as { id: string };
    expect(me.id).toBe(user.id);
    // Outside its scope, and never key management.
    const submit = await withKey('/v1/runs', {
      method: 'POST',
      body: JSON.stringify({ agent: 'brand-kit', input: {} }),
    });
    expect(submit.status).toBe(403);
    const mint = await withKey('/v1/api-keys', { method: 'POST', body: JSON.stringify({ name: 'more' }) });
    expect(mint.status).toBe(403);
    expect(((await mint.json()) as { type: string }).type).toBe('/problems/session-required');

    const list = (await (await b.call('/v1/api-keys')).json()) as { data: Record<string, unknown>[] };
    expect(list.data.map((x) => x.id)).toEqual([k.id]);
    expect(JSON.stringify(list)).not.toContain(k.key);

    expect((await b.call(`/v1/api-keys/${k.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await withKey('/v1/runs')).status).toBe(401);
    expect((await b.call(`/v1/api-keys/${k.id}`, { method: 'DELETE' })).status).toBe(404);
    const after = (await (await b.call('/v1/api-keys')).json()) as { data: { revokedAt: string | null }[] };
    expect(after.data[0]?.revokedAt).not.toBeNull();
  });

  it('keeps each user to their own keys', async () => {
    const owner = await signUp();
    const other = await signUp('Eve');
    const k = (await (
      await owner.b.call('/v1/api-keys', { method: 'POST', body: { name: 'mine' } })
    ).json()) as {
      id: string;
    };
    expect((await other.b.call(`/v1/api-keys/${k.id}`, { method: 'DELETE' })).status).toBe(404);
    const theirs = (await (await other.b.call('/v1/api-keys')).json()) as { data: unknown[] };
    expect(theirs.data).toEqual([]);
    const mine = (await (await owner.b.call('/v1/api-keys')).json()) as { data: { revokedAt: unknown }[] };
    expect(mine.data[0]?.revokedAt).toBeNull();
  });

  it('makes a user a creator under a handle no one else has', async () => {
    const ada = await signUp();
    const put = await ada.b.call('/v1/me/creator-profile', {
      method: 'PUT',
      body: { handle: `ada-${n}`, displayName: 'Ada Labs' },
    });
    expect(put.status).toBe(200);
    const me = (await (await ada.b.call('/v1/me')).json()) as {
      roles: string[];
      creator: { handle: string };
    };
    expect(me.roles).toEqual(['buyer', 'creator']);
    expect(me.creator.handle).toBe(`ada-${n}`);

    const eve = await signUp('Eve');
    const taken = await eve.b.call('/v1/me/creator-profile', {
      method: 'PUT',
      body: { handle: `ada-${n - 1}`, displayName: 'Not Ada' },
    });
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as { type: string }).type).toBe('/problems/handle-taken');
    expect(((await (await eve.b.call('/v1/me')).json()) as { roles: string[] }).roles).toEqual(['buyer']);
  });
});
