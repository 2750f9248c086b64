import createClient, { type Client } from 'openapi-fetch';
import { sleep } from './abortable.ts';
import { ConnectionError, errorFromResponse, retryAfterSeconds } from './errors.ts';
import type { paths } from './schema.d.ts';

export interface JetonOptions {
  /** An API key (`jtn_…`). Optional: the catalog is public. */
  apiKey?: string | undefined;
  /** Where the API is; default http://127.0.0.1:3000 (`npm start`). */
  baseUrl?: string | undefined;
  /** A fetch of your own (a proxy, a test double); default the global one. */
  fetch?: typeof fetch | undefined;
  /**
   * How many times a request that is safe to repeat (a GET, or a POST with an `Idempotency-Key`) is
   * retried after a connection error, a 429 or a 502/503/504. Default 2; 0 turns retries off.
   */
  maxRetries?: number | undefined;
  /** Headers sent with every request (a User-Agent, say). */
  headers?: Record<string, string> | undefined;
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:3000';

/** What every resource shares: the typed client and where it points. */
export interface Transport {
  api: Client<paths>;
  baseUrl: string;
}

export function createTransport(options: JetonOptions): Transport {
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const inner = options.fetch ?? globalThis.fetch;
  const api = createClient<paths>({
    baseUrl,
    fetch: retrying(inner, options.maxRetries ?? 2, baseUrl),
    headers: {
      ...options.headers,
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    },
  });
  return { api, baseUrl };
}

/** The data of a 2xx answer; anything else is thrown as the JetonError its status calls for. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok) return result.data as T;
  throw errorFromResponse(result.response, result.error);
}

const RETRY_STATUSES = new Set([429, 502, 503, 504]);
/** Past this, waiting is the caller's decision: the 429 is thrown with its `retryAfter`. */
const MAX_RETRY_WAIT_MS = 10_000;

function retrying(
  inner: typeof fetch,
  maxRetries: number,
  baseUrl: string,
): (r: Request) => Promise<Response> {
  return async (request) => {
    const repeatable =
      request.method === 'GET' || request.method === 'HEAD' || request.headers.has('idempotency-key');
    for (let attempt = 0; ; attempt++) {
      const last = !repeatable || attempt >= maxRetries;
      let response: Response;
      try {
        response = await inner(last ? request : request.clone());
      } catch (error) {
        if (request.signal.aborted) throw error;
        if (last) throw new ConnectionError(baseUrl, error);
        await sleep(backoff(attempt), request.signal);
        continue;
      }
      if (last || !RETRY_STATUSES.has(response.status)) return response;
      const wait = (retryAfterSeconds(response.headers.get('retry-after')) ?? backoff(attempt) / 1000) * 1000;
      if (wait > MAX_RETRY_WAIT_MS) return response;
      await response.body?.cancel();
      await sleep(wait, request.signal);
    }
  };
}

const backoff = (attempt: number) => 250 * 2 ** attempt;
