import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { problem } from './problem.ts';

/**
 * A token bucket per key (a client address, an API key), refilled continuously at `perMinute` a
 * minute up to `perMinute`: a client may use a minute's allowance at once, then as it refills. Kept in
 * this process: behind a balancer with N API processes a client gets up to N times the limit, which is
 * what a first line against floods and runaway scripts needs; the database never sees the traffic.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
    /** Past this many keys, the oldest are forgotten (a forgotten bucket is a full one). */
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes one request's token: 0 when allowed, otherwise the seconds until one is free. */
  take(key: string): number {
    if (this.perMinute <= 0) return 0;
    const now = this.now();
    const perMs = this.perMinute / 60_000;
    const b = this.#buckets.get(key);
    const tokens = b ? Math.min(this.perMinute, b.tokens + (now - b.at) * perMs) : this.perMinute;
    if (tokens < 1) {
      if (b) {
        b.tokens = tokens;
        b.at = now;
      }
      return Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
    }
    if (b) this.#buckets.delete(key);
    else if (this.#buckets.size >= this.maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
    // Re-inserted: the map's order is the order of last use, so the oldest go first.
    this.#buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }
}

export function rateLimited(retryAfterSeconds: number, what: string): Response {
  const res = problem('rate-limited', 'Too many requests', 429, {
    detail: `${what}: try again in ${retryAfterSeconds} s.`,
  });
  res.headers.set('retry-after', String(retryAfterSeconds));
  return res;
}

/** The client's address: the connection's, or the first of `X-Forwarded-For` behind a trusted proxy. */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Limits every request by the client's address, before anything else is done for it. */
export function ipRateLimit(limiter: RateLimiter, trustProxy: boolean): MiddlewareHandler {
  return async (c, next) => {
    const wait = limiter.take(clientAddress(c, trustProxy));
    if (wait > 0)
      return rateLimited(wait, `More than ${limiter.perMinute} requests a minute from this address`);
    await next();
  };
}
