import type { Actor } from '@jeton/core';
import type { ApiKeys, KeyOwner, Scope } from '@jeton/db';
import type { MiddlewareHandler } from 'hono';
import { problem } from './problem.ts';
import { RateLimiter, rateLimited } from './rate-limit.ts';

export type AuthEnv = { Variables: { actor: Actor; scopes: Scope[] } };

/** A middleware that requires a live API key with `scope`. */
export type Authenticate = (scope: Scope) => MiddlewareHandler<AuthEnv>;

/** Verified keys are remembered this long: a revoked key stops working within it. */
const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;

/**
 * `Authorization: Bearer jtn_...`: the caller acts as the key's user, within its scopes. Unknown,
 * malformed and revoked keys all get the same 401, so that the answer tells nothing about which.
 */
export function apiKeyAuth(
  keys: ApiKeys,
  /** Requests a minute per key (shared by every route that authenticates); none by default. */
  limiter: RateLimiter = new RateLimiter(0),
): Authenticate {
  const cache = new Map<string, { owner: KeyOwner | null; until: number }>();
  const verify = async (key: string) => {
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.owner;
    const owner = await keys.verify(key);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, { owner, until: Date.now() + CACHE_MS });
    return owner;
  };
  return (scope) => async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const owner = match ? await verify(match[1]!) : null;
    if (!owner) {
      const res = problem('unauthenticated', 'An API key is required', 401, {
        detail: 'Send "Authorization: Bearer <key>" with a live API key.',
      });
      res.headers.set('www-authenticate', 'Bearer');
      return res;
    }
    const wait = limiter.take(owner.keyId);
    if (wait > 0) return rateLimited(wait, `More than ${limiter.perMinute} requests a minute with this key`);
    if (!owner.scopes.includes(scope)) {
      return problem('insufficient-scope', 'This key may not do that', 403, {
        detail: `The key lacks the "${scope}" scope.`,
      });
    }
    c.set('actor', { id: owner.userId, role: 'user' });
    c.set('scopes', owner.scopes);
    await next();
  };
}
