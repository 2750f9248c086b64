import { createHash } from 'node:crypto';
import type { IdempotencyKeys } from '@jeton/db';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import type { AuthEnv } from './auth.ts';
import { IDEMPOTENCY_KEY } from './openapi/endpoint.ts';
import { problem } from './problem.ts';

/** Headers of the first response that a replay repeats (the rest describe the transport). */
const KEPT_HEADERS = ['content-type', 'location'];

/**
 * `Idempotency-Key` on POSTs that create or move money, as Stripe does: the first response is stored
 * (per user and key) and replayed for the same request; the same key with another request is a 409;
 * a request that arrives while the first is still being answered is a 409 too (retry it). A 5xx is
 * not stored: that key may be used again. Runs do not use this: the engine takes their key in the
 * submission's own transaction.
 */
export function storedIdempotency(keys: IdempotencyKeys, logger?: Logger): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (key === undefined) return next();
    // Checked before anything is stored under it.
    if (!IDEMPOTENCY_KEY.test(key)) {
      return problem('invalid-request', 'The request is not valid', 400, {
        issues: [{ path: 'Idempotency-Key', message: '1-200 printable ASCII characters' }],
      });
    }
    const userId = c.get('actor').id;
    const body = await c.req.text();
    const fingerprint = createHash('sha256')
      .update(`${c.req.method} ${c.req.path}\n`)
      .update(body)
      .digest('base64url');
    const claim = await keys.claim(userId, key, fingerprint);
    switch (claim.type) {
      case 'mismatch':
        return problem('idempotency-key-reused', 'This Idempotency-Key was used for another request', 409, {
          detail: 'Use a new key for a new request.',
        });
      case 'in_progress':
        return problem('idempotency-key-in-use', 'A request with this Idempotency-Key is in progress', 409, {
          detail: 'Retry once it has been answered.',
        });
      case 'replay':
        return new Response(claim.body === '' ? null : claim.body, {
          status: claim.status,
          headers: { ...claim.headers, 'idempotent-replayed': 'true' },
        });
      case 'claimed':
        break;
    }
    try {
      await next();
    } catch (error) {
      await keys.release(userId, key);
      throw error;
    }
    const res = c.res;
    if (res.status >= 500) {
      await keys.release(userId, key);
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = res.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    try {
      await keys.complete(userId, key, { status: res.status, body: await res.clone().text(), headers });
    } catch (error) {
      // The work is done and its answer stands. The key stays claimed and unanswered: a retry under it
      // is told it is in progress, never allowed to move the money a second time.
      logger?.error({ err: error, userId }, 'idempotency: could not store the answer');
    }
  };
}
