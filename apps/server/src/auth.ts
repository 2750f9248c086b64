import type { Actor } from '@jeton/core';
import type { ApiKeys, KeyOwner, Role, Scope, Sessions } from '@jeton/db';
import { SCOPES } from '@jeton/db';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { SESSION_COOKIE } from './openapi/document.ts';
import { problem } from './problem.ts';
import { RateLimiter, rateLimited } from './rate-limit.ts';

export type AuthEnv = {
  Variables: {
    actor: Actor;
    scopes: readonly Scope[];
    /** How the caller proved who they are; a session's token (to sign out) when by cookie. */
    via: { kind: 'key'; keyId: string } | { kind: 'session'; token: string };
  };
};

/**
 * What an endpoint requires: a scope (an API key that has it, or any session), `signed-in` (any key
 * or session), or `session` (a person signed in with a password: managing API keys, say, which a
 * leaked key must not be able to do).
 */
export type Access = Scope | 'signed-in' | 'session';

/** A middleware that lets through only callers with `access`. */
export type Authenticate = (access: Access) => MiddlewareHandler<AuthEnv>;

export interface Authenticator extends Authenticate {
  /** Forgets a revoked key at once in this process (other processes within the cache's 30 s). */
  forgetKey(keyId: string): void;
}

/** Verified keys are remembered this long: a revoked key stops working within it. */
const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AuthOptions {
  keys: ApiKeys;
  /** Web sessions (cookies); without them, only API keys are accepted. */
  sessions?: Sessions;
  /** Requests a minute per key or session (shared by every route that authenticates); none by default. */
  limiter?: RateLimiter;
}

/**
 * `Authorization: Bearer jtn_...` (a program, within the key's scopes) or the session cookie (a
 * person, with every scope). Unknown, malformed, expired and revoked credentials all get the same
 * 401, so the answer tells nothing about which. A cookie-authenticated change must come from this
 * site (`Origin`, when the browser sends one): SameSite=Lax already keeps the cookie off cross-site
 * posts, this also refuses them from a sibling subdomain.
 */
export function authenticate(options: AuthOptions): Authenticator {
  const limiter = options.limiter ?? new RateLimiter(0);
  const cache = new Map<string, { owner: KeyOwner | null; until: number }>();
  const verifyKey = async (key: string) => {
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.owner;
    const owner = await options.keys.verify(key);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, { owner, until: Date.now() + CACHE_MS });
    return owner;
  };
  const check: Authenticate = (access) => async (c, next) => {
    const header = c.req.header('authorization');
    const token = header === undefined ? getCookie(c, SESSION_COOKIE) : undefined;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const owner = match ? await verifyKey(match[1]!) : null;
      if (!owner) return unauthenticated();
      const wait = limiter.take(owner.keyId);
      if (wait > 0)
        return rateLimited(wait, `More than ${limiter.perMinute} requests a minute with this key`);
      if (access === 'session') {
        return problem('session-required', 'Sign in to do this', 403, {
          detail: 'API keys are managed by a signed-in person, not with an API key.',
        });
      }
      if (access !== 'signed-in' && !owner.scopes.includes(access)) {
        return problem('insufficient-scope', 'This key may not do that', 403, {
          detail: `The key lacks the "${access}" scope.`,
        });
      }
      c.set('actor', actorOf(owner.userId, owner.roles));
      c.set('scopes', owner.scopes);
      c.set('via', { kind: 'key', keyId: owner.keyId });
      return next();
    }
    const session = token && options.sessions ? await options.sessions.verify(token) : null;
    if (!session || !token) return unauthenticated();
    const wait = limiter.take(session.sessionId);
    if (wait > 0) return rateLimited(wait, `More than ${limiter.perMinute} requests a minute`);
    if (UNSAFE.has(c.req.method) && !sameOrigin(c.req.header('origin'), c.req.url)) {
      return problem('cross-origin-refused', 'Refused: the request came from another site', 403, {
        detail: 'Changes made with the session cookie must come from this site.',
      });
    }
    c.set('actor', actorOf(session.userId, session.roles));
    c.set('scopes', SCOPES);
    c.set('via', { kind: 'session', token });
    return next();
  };
  return Object.assign(check, {
    forgetKey(keyId: string) {
      for (const [key, hit] of cache) if (hit.owner?.keyId === keyId) cache.delete(key);
    },
  });
}

const actorOf = (id: string, roles: readonly Role[]): Actor => ({
  id,
  role: roles.includes('operator') ? 'operator' : 'user',
});

function sameOrigin(origin: string | undefined, url: string): boolean {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === new URL(url).host;
  } catch {
    return false;
  }
}

function unauthenticated(): Response {
  const res = problem('unauthenticated', 'Sign in or send an API key', 401, {
    detail: 'Send "Authorization: Bearer <key>" with a live API key, or sign in.',
  });
  res.headers.set('www-authenticate', 'Bearer');
  return res;
}
