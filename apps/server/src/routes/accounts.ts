import { OpenAPIHono } from '@hono/zod-openapi';
import type { Catalog, Ledger, Logger } from '@jeton/core';
import { type ApiKeys, normalizeEmail, SCOPES, type Sessions, type User, type Users } from '@jeton/db';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { welcome } from '../accounts/welcome.ts';
import type { AuthEnv } from '../auth.ts';
import { SESSION_COOKIE } from '../openapi/document.ts';
import { type EndpointDeps, endpoint } from '../openapi/endpoint.ts';
import { isoTime } from '../openapi/schemas.ts';
import { problem } from '../problem.ts';
import { clientAddress, type RateLimiter, rateLimited } from '../rate-limit.ts';
import { catalogProblem } from './catalog-problems.ts';

export interface AccountRouteDeps {
  users: Users;
  sessions: Sessions;
  keys: ApiKeys;
  ledger: Ledger;
  catalog: Catalog;
  welcomeCredits: number;
  sessionDays: number;
  /** Called when a key is revoked, so this process stops accepting it at once. */
  onKeyRevoked?: (keyId: string) => void;
  /**
   * Password attempts a minute per email (sign-in) and per client address (sign-in and sign-up):
   * guessing one account's password, or keeping the hashing busy, is slow work.
   */
  passwordAttempts: { perEmail: RateLimiter; perAddress: RateLimiter; trustProxy: boolean };
  /** Session cookies are `Secure` when the public URL is https (or a trusted proxy says so). */
  publicUrl?: string;
  logger?: Logger;
}

const TAG = 'Accounts';
/** At most this many live keys per user: a list that fits one page, and a cap on what a session can mint. */
const MAX_LIVE_KEYS = 50;

const email = z.email().max(254).meta({ example: 'ada@example.com' });
// Long enough to resist guessing, short enough that hashing it costs nothing special.
const password = z.string().min(10, 'at least 10 characters').max(200);
const signUpBody = z.strictObject({ email, password, name: z.string().trim().min(1).max(100) });
const signInBody = z.strictObject({ email: z.string().max(254), password: z.string().max(200) });
const creatorBody = z.strictObject({
  handle: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{1,30}[a-z0-9])$/, '3-32 lowercase letters, digits and inner dashes'),
  displayName: z.string().trim().min(1).max(100),
});
const keyBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length).optional(),
});

export const userSchema = z
  .object({
    id: z.string(),
    object: z.literal('user'),
    email: z.string(),
    name: z.string(),
    roles: z.array(z.enum(['buyer', 'creator', 'reviewer', 'operator'])),
    createdAt: isoTime,
  })
  .meta({ id: 'User' });

const apiKeySchema = z
  .object({
    id: z.string(),
    object: z.literal('api_key'),
    name: z.string(),
    prefix: z.string().meta({ description: 'The first characters, to tell keys apart.' }),
    scopes: z.array(z.enum(SCOPES)),
    createdAt: isoTime,
    revokedAt: isoTime.nullable(),
  })
  .meta({ id: 'ApiKey' });
const newKeySchema = apiKeySchema
  .extend({ key: z.string().meta({ description: 'The key itself: shown this once, never again.' }) })
  .meta({ id: 'NewApiKey' });

const userJson = (u: User) => ({
  id: u.id,
  object: 'user' as const,
  email: u.email,
  name: u.name,
  roles: u.roles,
  createdAt: u.createdAt.toISOString(),
});

/**
 * Sign-up (with the welcome credits), sign-in and sign-out with a session cookie, the signed-in
 * user, becoming a creator, and API keys (created and revoked by a signed-in person only).
 */
export function accountRoutes(d: AccountRouteDeps, deps: EndpointDeps): OpenAPIHono<AuthEnv> {
  const app = new OpenAPIHono<AuthEnv>();

  const secure = (c: Context<AuthEnv>) =>
    d.publicUrl?.startsWith('https:') ||
    new URL(c.req.url).protocol === 'https:' ||
    (d.passwordAttempts.trustProxy && c.req.header('x-forwarded-proto') === 'https');
  /** A password attempt is allowed, or the 429 that refuses it. */
  const attempt = (c: Context<AuthEnv>, email?: string): Response | null => {
    const { perEmail, perAddress, trustProxy } = d.passwordAttempts;
    const byAddress = perAddress.take(clientAddress(c, trustProxy));
    if (byAddress > 0) return rateLimited(byAddress, 'Too many sign-in attempts from this address');
    const byEmail = email ? perEmail.take(normalizeEmail(email)) : 0;
    if (byEmail > 0) return rateLimited(byEmail, 'Too many sign-in attempts for this account');
    return null;
  };
  const busy = () => {
    const res = problem('busy', 'Too many sign-ins at once', 503, { detail: 'Try again in a second.' });
    res.headers.set('retry-after', '1');
    return res;
  };

  const startSession = async (c: Context<AuthEnv>, user: User) => {
    const { token, expiresAt } = await d.sessions.create(user.id);
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: secure(c),
      path: '/',
      expires: expiresAt,
    });
  };

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/auth/sign-up',
      operationId: 'auth.signUp',
      summary: 'Create an account',
      description: `Signs in at once (an http-only session cookie) and grants the welcome credits.`,
      tag: TAG,
      auth: 'public',
      body: signUpBody,
      responses: { 201: { description: 'The new user, signed in', schema: userSchema } },
      problems: [409, 503],
    },
    async (c, { body }) => {
      const refused = attempt(c);
      if (refused) return refused;
      const created = await d.users.create(body);
      if (!created.ok && created.error === 'busy') return busy();
      if (!created.ok) {
        return problem('email-taken', 'An account with this email exists', 409, {
          detail: 'Sign in instead, or use another email.',
        });
      }
      await welcome(created.user, { ...d, credits: d.welcomeCredits });
      await startSession(c, created.user);
      return c.json(userJson(created.user), 201);
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/auth/sign-in',
      operationId: 'auth.signIn',
      summary: 'Sign in',
      tag: TAG,
      auth: 'public',
      body: signInBody,
      responses: { 200: { description: 'The user, signed in', schema: userSchema } },
      problems: [401, 503],
    },
    async (c, { body }) => {
      const refused = attempt(c, body.email);
      if (refused) return refused;
      const user = await d.users.authenticate(body.email, body.password);
      if (user === 'busy') return busy();
      if (!user) {
        return problem('invalid-credentials', 'Wrong email or password', 401, {
          detail: 'Check both and try again.',
        });
      }
      await welcome(user, { ...d, credits: d.welcomeCredits });
      await startSession(c, user);
      return c.json(userJson(user));
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/auth/sign-out',
      operationId: 'auth.signOut',
      summary: 'Sign out (ends the session everywhere at once)',
      tag: TAG,
      auth: 'session',
      responses: { 204: { description: 'Signed out' } },
    },
    async (c) => {
      const via = c.get('via');
      if (via.kind === 'session') await d.sessions.revoke(via.token);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/me',
      operationId: 'me.get',
      summary: 'Who I am',
      tag: TAG,
      auth: 'signed-in',
      responses: {
        200: {
          description: 'The signed-in user (or the key’s), with their creator profile',
          schema: userSchema.extend({
            creator: z.object({ handle: z.string(), displayName: z.string() }).nullable(),
          }),
        },
      },
      problems: [404],
    },
    async (c) => {
      const actor = c.get('actor');
      const user = await d.users.get(actor.id);
      if (!user) return problem('user-not-found', 'No account for this key', 404);
      const creator = await d.catalog.creator(actor.id);
      return c.json({
        ...userJson(user),
        creator: creator && { handle: creator.handle, displayName: creator.displayName },
      });
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'put',
      path: '/v1/me/creator-profile',
      operationId: 'me.becomeCreator',
      summary: 'Become a creator (or edit the profile)',
      description: 'A creator publishes agents under their handle and earns from their runs.',
      tag: TAG,
      auth: 'agents:write',
      body: creatorBody,
      responses: {
        200: {
          description: 'The profile',
          schema: z.object({ handle: z.string(), displayName: z.string() }),
        },
      },
      problems: [404, 409],
    },
    async (c, { body }) => {
      const actor = c.get('actor');
      const user = await d.users.get(actor.id);
      if (!user) return problem('user-not-found', 'No account for this key', 404);
      const r = await d.catalog.registerCreatorProfile({
        id: actor.id,
        handle: body.handle,
        displayName: body.displayName,
      });
      if (!r.ok) return catalogProblem(r.error);
      await d.users.addRole(actor.id, 'creator');
      await d.ledger.openAccounts(actor.id);
      return c.json({ handle: body.handle, displayName: body.displayName });
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'get',
      path: '/v1/api-keys',
      operationId: 'apiKeys.list',
      summary: 'My API keys (never the keys themselves)',
      tag: TAG,
      auth: 'session',
      responses: {
        200: { description: 'Live keys first', schema: z.object({ data: z.array(apiKeySchema) }) },
      },
    },
    async (c) => c.json({ data: (await d.keys.list(c.get('actor').id)).map(keyJson) }),
  );

  endpoint(
    app,
    deps,
    {
      method: 'post',
      path: '/v1/api-keys',
      operationId: 'apiKeys.create',
      summary: 'Create an API key',
      description: 'The key is in this answer only: store it now. Scopes default to all.',
      tag: TAG,
      auth: 'session',
      body: keyBody,
      responses: { 201: { description: 'The key, shown once', schema: newKeySchema } },
      problems: [409],
    },
    async (c, { body }) => {
      const actor = c.get('actor');
      const live = (await d.keys.list(actor.id)).filter((k) => !k.revokedAt).length;
      if (live >= MAX_LIVE_KEYS) {
        return problem('too-many-keys', 'Too many API keys', 409, {
          detail: `At most ${MAX_LIVE_KEYS} live keys: revoke one first.`,
        });
      }
      const now = new Date();
      const scopes = body.scopes ? [...new Set(body.scopes)] : [...SCOPES];
      const { id, key } = await d.keys.create(actor.id, body.name, scopes, now);
      return c.json(
        {
          ...keyJson({
            id,
            name: body.name,
            prefix: key.slice(0, 10),
            scopes,
            createdAt: now,
            revokedAt: null,
          }),
          key,
        },
        201,
      );
    },
  );

  endpoint(
    app,
    deps,
    {
      method: 'delete',
      path: '/v1/api-keys/{id}',
      operationId: 'apiKeys.revoke',
      summary: 'Revoke an API key',
      description: 'Stops working within 30 seconds in every API process.',
      tag: TAG,
      auth: 'session',
      responses: { 204: { description: 'Revoked' } },
      problems: [404],
    },
    async (c, { params }) => {
      const revoked = await d.keys.revoke(c.get('actor').id, params.id!);
      if (!revoked) return problem('key-not-found', 'No such live key', 404);
      d.onKeyRevoked?.(params.id!);
      return c.body(null, 204);
    },
  );

  return app;
}

function keyJson(k: {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  revokedAt: Date | null;
}) {
  return {
    id: k.id,
    object: 'api_key' as const,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes as (typeof SCOPES)[number][],
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
  };
}
