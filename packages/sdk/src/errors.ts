import type { components } from './schema.d.ts';

/** An RFC 9457 problem, as every error of the API is answered. */
export type Problem = components['schemas']['Problem'];
/** One thing wrong with a request: `path` is a JSON path (`$.input.company`) or a header name. */
export type Issue = NonNullable<Problem['issues']>[number];

/**
 * Every error the API answers, with its problem details. Switch on `type` (a stable URI such as
 * `/problems/input-invalid`) or on the subclass, which is chosen by the HTTP status.
 */
export class JetonError extends Error {
  override name = 'JetonError';
  /** The HTTP status; 0 when no answer came (see ConnectionError). */
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly issues: Issue[];
  /** The whole problem body, extensions included (a quote-exceeds-cap problem carries `quote`). */
  readonly problem: Problem;

  constructor(problem: Problem, options?: ErrorOptions) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title, options);
    this.problem = problem;
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.issues = problem.issues ?? [];
  }
}

export class ValidationError extends JetonError {
  override name = 'ValidationError';
}
export class AuthenticationError extends JetonError {
  override name = 'AuthenticationError';
}
export class InsufficientCreditsError extends JetonError {
  override name = 'InsufficientCreditsError';
}
export class PermissionError extends JetonError {
  override name = 'PermissionError';
}
export class NotFoundError extends JetonError {
  override name = 'NotFoundError';
}
export class ConflictError extends JetonError {
  override name = 'ConflictError';
}
export class RateLimitError extends JetonError {
  override name = 'RateLimitError';
  /** Seconds to wait before trying again (`Retry-After`), when the server said. */
  readonly retryAfter: number | null;
  constructor(problem: Problem, retryAfter: number | null) {
    super(problem);
    this.retryAfter = retryAfter;
  }
}
export class ServerError extends JetonError {
  override name = 'ServerError';
}
/** The server could not be reached, or the connection broke before an answer. */
export class ConnectionError extends JetonError {
  override name = 'ConnectionError';
  constructor(baseUrl: string, cause: unknown) {
    const reason = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause : cause).message : '';
    super(
      {
        type: 'connection-error',
        title: `Could not reach ${baseUrl}`,
        status: 0,
        detail: reason || undefined,
      },
      { cause },
    );
  }
}

/** `Retry-After` in seconds (delta form, or an HTTP date), or null. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** The typed error for a non-2xx answer; `body` is what openapi-fetch parsed (JSON or text). */
export function errorFromResponse(response: Response, body: unknown): JetonError {
  const problem = asProblem(response, body);
  const s = response.status;
  if (s === 429) return new RateLimitError(problem, retryAfterSeconds(response.headers.get('retry-after')));
  if (s === 400 || s === 422) return new ValidationError(problem);
  if (s === 401) return new AuthenticationError(problem);
  if (s === 402) return new InsufficientCreditsError(problem);
  if (s === 403) return new PermissionError(problem);
  if (s === 404) return new NotFoundError(problem);
  if (s === 409) return new ConflictError(problem);
  if (s >= 500) return new ServerError(problem);
  return new JetonError(problem);
}

function asProblem(response: Response, body: unknown): Problem {
  if (body && typeof body === 'object' && typeof (body as Problem).type === 'string') {
    const p = body as Problem;
    return {
      ...p,
      status: response.status,
      title: typeof p.title === 'string' ? p.title : response.statusText,
    };
  }
  // Not problem+json (a proxy's error page, say): keep what there is.
  const text = typeof body === 'string' ? body.slice(0, 500) : undefined;
  return {
    type: 'about:blank',
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    ...(text ? { detail: text } : {}),
  };
}
