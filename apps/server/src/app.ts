import { OpenAPIHono } from '@hono/zod-openapi';
import type { Catalog } from '@jeton/core';
import type { IdempotencyKeys } from '@jeton/db';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { storedIdempotency } from './idempotency.ts';
import { mcpRoutes } from './mcp/mcp-routes.ts';
import { serveDocument } from './openapi/document.ts';
import type { EndpointDeps } from './openapi/endpoint.ts';
import { problem } from './problem.ts';
import { ipRateLimit, type RateLimiter } from './rate-limit.ts';
import { type AccountRouteDeps, accountRoutes } from './routes/accounts.ts';
import { type Availability, catalogRoutes } from './routes/catalog.ts';
import { fileRoutes } from './routes/files.ts';
import { MAX_JSON_BYTES } from './routes/json-body.ts';
import { operatorRoutes } from './routes/operator.ts';
import { publishingRoutes } from './routes/publishing.ts';
import { type RunRouteDeps, runRoutes } from './routes/runs.ts';
import { studioRoutes } from './routes/studio.ts';
import { type WalletRouteDeps, walletRoutes } from './routes/wallet.ts';
import { type WebhookRouteDeps, webhookRoutes } from './routes/webhooks.ts';
import { serveWebApp } from './web.ts';

export interface HealthReport {
  engine: 'pglite' | 'postgres';
  migrations: number;
}

export interface AppDeps {
  logger: Logger;
  /** Answers when the database does; throws when it does not. */
  health: () => Promise<HealthReport>;
  version: string;
  catalog: Catalog;
  /** Why an agent version cannot run here, or null (the runtime's answer). */
  availability?: Availability;
  runs: RunRouteDeps;
  /** Requests a minute per client address (none when absent). */
  ipLimit?: { limiter: RateLimiter; trustProxy: boolean };
  /** Check every JSON answer against its documented schema (tests). */
  checkResponses?: boolean;
  /** The built web app (default: apps/web/dist). */
  webDist?: string | null;
  accounts: AccountRouteDeps;
  /** Where `Idempotency-Key` responses of money POSTs are kept. */
  idempotency: IdempotencyKeys;
  /** The wallet, top-ups, the payment provider's webhook, creator earnings and payouts. */
  wallet?: WalletRouteDeps;
  /** Webhook endpoints and their delivery log. */
  webhooks?: WebhookRouteDeps;
}

/** The HTTP application: routes and the one place where errors become problem+json. */
export function createApp(deps: AppDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  const endpoints: EndpointDeps = {
    auth: deps.runs.auth,
    ...(deps.checkResponses ? { checkResponses: true } : {}),
    idempotency: storedIdempotency(deps.idempotency, deps.logger),
  };

  app.get('/health', async (c) => {
    try {
      const report = await deps.health();
      return c.json({ status: 'ok', version: deps.version, database: { status: 'up', ...report } });
    } catch (error) {
      deps.logger.error({ err: error }, 'health check: database unreachable');
      return problem('database-unavailable', 'The database is unavailable', 503, {
        detail: 'The server is running but cannot reach its database.',
      });
    }
  });

  // No resource has a NUL in its name, and no database column can hold one: refused before any
  // route can hand it to SQL.
  app.use('*', (c, next) =>
    /%00/.test(new URL(c.req.url).pathname)
      ? Promise.resolve(problem('not-found', 'No such resource', 404, { detail: 'The path contains a NUL.' }))
      : next(),
  );

  // Every request but the health check counts against its address's allowance, before any work.
  if (deps.ipLimit) {
    const limit = ipRateLimit(deps.ipLimit.limiter, deps.ipLimit.trustProxy);
    app.use('*', (c, next) => (c.req.path === '/health' ? next() : limit(c, next)));
  }

  const jsonLimit = bodyLimit({
    maxSize: MAX_JSON_BYTES,
    onError: () => {
      const res = problem('body-too-large', 'The body is too large', 413, {
        detail: `At most ${MAX_JSON_BYTES} bytes.`,
      });
      // The rest of the body is not read: the connection cannot carry another request.
      res.headers.set('connection', 'close');
      return res;
    },
  });
  // Uploads have their own limits (a field's, or JETON_UPLOAD_MAX_MB); everything else is JSON.
  app.use('/v1/*', (c, next) => (c.req.path === '/v1/files' ? next() : jsonLimit(c, next)));
  app.route('/', accountRoutes(deps.accounts, endpoints));
  app.route('/', operatorRoutes(deps.accounts.users, endpoints));
  app.route('/', catalogRoutes(deps.catalog, endpoints, deps.availability));
  app.route('/', publishingRoutes(deps.catalog, deps.runs.engine, endpoints));
  app.route('/', studioRoutes(deps.catalog, deps.accounts.ledger.commissionBps, endpoints));
  app.route('/', runRoutes(deps.runs, endpoints));
  app.route('/', fileRoutes(deps.runs.engine, endpoints));
  if (deps.wallet) app.route('/', walletRoutes(deps.wallet, endpoints));
  if (deps.webhooks) app.route('/', webhookRoutes(deps.webhooks, endpoints));
  app.route(
    '/',
    mcpRoutes({
      ...deps.runs,
      catalog: deps.catalog,
      availability: deps.availability,
      version: deps.version,
      ...(deps.accounts.publicUrl ? { publicUrl: deps.accounts.publicUrl } : {}),
    }),
  );
  serveDocument(app, deps.version);
  serveWebApp(app, deps.webDist ?? undefined);

  app.notFound((c) =>
    problem('not-found', 'No such resource', 404, {
      detail: `Nothing answers ${c.req.method} ${c.req.path}.`,
    }),
  );

  // A 5xx is always a bug: log it whole, tell the client only that it happened.
  app.onError((error, c) => {
    deps.logger.error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error');
    return problem('internal', 'Internal server error', 500, {
      detail: 'This is a bug on our side; it has been logged.',
    });
  });

  return app;
}
