import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Access, AuthEnv, Authenticate } from '../auth.ts';
import { problem } from '../problem.ts';
import { parseJsonBody } from '../routes/json-body.ts';
import { problemSchema } from './schemas.ts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Schema = z.ZodType;
type Out<S> = S extends Schema ? z.output<S> : undefined;

export interface ResponseSpec {
  description: string;
  /** The JSON body; absent for an empty body (204) or a body that is not JSON. */
  schema?: Schema;
  /** The media type when the body is not JSON (an artifact, an event stream). */
  mediaType?: string;
}

export interface EndpointSpec<B extends Schema | undefined, Q extends Schema | undefined> {
  method: Method;
  /** OpenAPI style, `{name}` for a path parameter: `/v1/runs/{id}`. */
  path: string;
  /** Stable and unique: the SDK and the reference page name the operation by it (`runs.create`). */
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /**
   * The scope an API key needs (a signed-in session has them all); `signed-in` for any key or session;
   * `session` for a person signed in (not a key); `public` for anyone.
   */
  auth: Access | 'public';
  body?: B;
  query?: Q;
  /** The body is raw bytes (an upload) with this description, read by the handler itself. */
  rawBody?: string;
  /**
   * Accepts `Idempotency-Key`: `stored` replays the first response stored for the key (the middleware
   * in `EndpointDeps`); `native` when the domain itself takes the key in its transaction (runs).
   */
  idempotent?: 'stored' | 'native';
  responses: Record<number, ResponseSpec>;
  /** Statuses that answer problem+json, beyond the ones every endpoint may answer (400, 413, 422, 429). */
  problems?: number[];
}

export interface EndpointInput<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
}

export interface EndpointDeps {
  auth: Authenticate;
  /** Checks every JSON response against its documented schema (tests): a mismatch is a 500. */
  checkResponses?: boolean;
  /** Stores and replays the first response per `Idempotency-Key` (for `idempotent` endpoints). */
  idempotency?: MiddlewareHandler<AuthEnv>;
}

const COMMON_PROBLEMS: Record<number, string> = {
  400: 'Malformed request (not JSON, a bad query parameter)',
  401: 'Not signed in, or no live API key',
  403: 'Signed in, but not allowed to do this',
  404: 'No such resource (or not yours)',
  409: 'Conflicts with the current state',
  413: 'The body is too large',
  415: 'The body is not JSON (`content-type: application/json`)',
  422: 'The body is not valid: every issue with its JSON path',
  429: 'Too many requests: retry after `Retry-After` seconds',
};

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

const idempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'Replays the first response for the same key; another body under it is a 409.' }),
});

/**
 * Declares one endpoint: its OpenAPI description and its handler, from the same zod schemas. The body
 * and query are validated here (problem+json with every issue's path), so the document can never
 * describe something other than what the server accepts.
 */
export function endpoint<B extends Schema | undefined = undefined, Q extends Schema | undefined = undefined>(
  app: OpenAPIHono<AuthEnv>,
  deps: EndpointDeps,
  spec: EndpointSpec<B, Q>,
  handler: (c: Context<AuthEnv>, input: EndpointInput<Out<B>, Out<Q>>) => Response | Promise<Response>,
): void {
  app.openAPIRegistry.registerPath(describe(spec));
  const middlewares: MiddlewareHandler<AuthEnv>[] = [];
  if (spec.auth !== 'public') middlewares.push(deps.auth(spec.auth));
  if (spec.idempotent === 'stored') {
    if (!deps.idempotency) throw new Error(`${spec.operationId}: no idempotency store`);
    middlewares.push(deps.idempotency);
  }
  const honoPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
  app.on(spec.method.toUpperCase(), [honoPath], ...middlewares, async (c: Context<AuthEnv>) => {
    const key = c.req.header('idempotency-key');
    if (spec.idempotent && key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      return problem('invalid-request', 'The request is not valid', 400, {
        issues: [{ path: 'Idempotency-Key', message: '1-200 printable ASCII characters' }],
      });
    }
    let query: unknown;
    if (spec.query) {
      const q = spec.query.safeParse(c.req.query());
      if (!q.success) return invalidQuery(q.error);
      query = q.data;
    }
    let body: unknown;
    if (spec.body) {
      const b = await parseJsonBody(c, spec.body);
      if (!b.ok) return b.response;
      body = b.value;
    }
    const res = await handler(c, { body, query, params: c.req.param() } as EndpointInput<Out<B>, Out<Q>>);
    return deps.checkResponses ? checkResponse(spec, res) : res;
  });
}

function describe(spec: EndpointSpec<Schema | undefined, Schema | undefined>) {
  const params = [...spec.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.schema
        ? { content: { 'application/json': { schema: r.schema } } }
        : r.mediaType
          ? { content: { [r.mediaType]: { schema: z.string().meta({ format: 'binary' }) } } }
          : {}),
    };
  }
  const problems = new Set([
    400,
    413,
    ...(spec.body ? [415] : []),
    422,
    429,
    ...(spec.auth === 'public' ? [] : [401, 403]),
    ...(spec.problems ?? []),
  ]);
  for (const status of problems) {
    responses[String(status)] ??= {
      description: COMMON_PROBLEMS[status] ?? 'A problem',
      content: { 'application/problem+json': { schema: problemSchema } },
    };
  }
  return createRoute({
    method: spec.method,
    path: spec.path,
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    security:
      spec.auth === 'public'
        ? []
        : spec.auth === 'session'
          ? [{ session: [] }]
          : [{ apiKey: [] }, { session: [] }],
    request: {
      ...(params.length > 0
        ? { params: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) }
        : {}),
      ...(spec.query ? { query: spec.query as z.ZodObject } : {}),
      ...(spec.idempotent ? { headers: idempotencyHeader } : {}),
      ...(spec.body
        ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } }
        : spec.rawBody
          ? {
              body: {
                required: true,
                description: spec.rawBody,
                content: { '*/*': { schema: z.string().meta({ format: 'binary' }) } },
              },
            }
          : {}),
    },
    responses,
  });
}

async function checkResponse(
  spec: EndpointSpec<Schema | undefined, Schema | undefined>,
  res: Response,
): Promise<Response> {
  const documented = spec.responses[res.status];
  const isProblem = res.headers.get('content-type')?.startsWith('application/problem+json');
  if (isProblem && res.status >= 400) return res;
  if (!documented) {
    throw new Error(`${spec.operationId} answered ${res.status}, which its description does not list`);
  }
  if (!documented.schema) return res;
  const json = await res.clone().json();
  const parsed = documented.schema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `${spec.operationId} answered ${res.status} with a body its schema refuses: ${JSON.stringify(parsed.error.issues.slice(0, 5))}`,
    );
  }
  return res;
}

function invalidQuery(error: z.ZodError): Response {
  return problem('invalid-request', 'The request is not valid', 400, {
    issues: error.issues.map((i) => ({ path: ['$', ...i.path].join('.'), message: i.message })),
  });
}
