import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { builtinAgentModules } from '@jeton/agents';
import { type AgentExecutor, Catalog, type Config, createLogger, Ledger, type Logger } from '@jeton/core';
import {
  ApiKeys,
  type DatabaseHandle,
  DrizzleCatalogStore,
  DrizzleLedgerStore,
  EVENTS_CHANNEL,
  IdempotencyKeys,
  LocalBlobStorage,
  migrateDatabase,
  openDatabase,
  type RunPlatform,
  S3BlobStorage,
  Sessions,
  startRunPlatform,
  Users,
  WebhookDispatcher,
  Webhooks,
} from '@jeton/db';
import {
  BuiltinPool,
  ModelRegistry,
  RuntimeExecutor,
  RuntimeTestRunner,
  secretsFromEnv,
} from '@jeton/runtime';
import { sql } from 'drizzle-orm';
import { createApp } from './app.ts';
import { authenticate } from './auth.ts';
import { type PaymentsOverrides, walletDeps } from './payments/setup.ts';
import { RateLimiter } from './rate-limit.ts';
import { RunWatchers } from './routes/run-events.ts';
import { JETON_LABS, seedCatalog } from './seed.ts';
import { httpSender } from './webhooks/send.ts';

export interface RunningServer {
  /** The HTTP address; null in a worker-only process. */
  url: string | null;
  database: DatabaseHandle;
  ledger: Ledger;
  catalog: Catalog;
  runs: RunPlatform;
  keys: ApiKeys;
  users: Users;
  /** Outgoing webhooks: endpoints, deliveries, and `emit` for events other than runs'. */
  webhooks: Webhooks;
  close(): Promise<void>;
}

export interface ServerRoles {
  /** Serve the HTTP API (default true). */
  api?: boolean;
  /** Execute runs and sweep (default true). On the embedded database a process always does both. */
  worker?: boolean;
  /** What runs agents; by default the agent runtime with the built-in agents of this version. */
  executor?: AgentExecutor;
  /** The model providers (from JETON_MODEL_PROVIDERS); none by default. */
  models?: ModelRegistry;
  /** The payment provider, its settings and user notifications; by default from the environment. */
  payments?: PaymentsOverrides;
  /** The pauses between webhook attempts (tests); by default 5 s, 5 min, 30 min, 2 h, 5 h, 10 h. */
  webhookRetryDelaysMs?: readonly number[];
}

export const VERSION = '0.1.0';

/**
 * Starts the platform in one process: the database (migrated on every start, on either engine), the
 * catalog (seeded with the built-in agents), the run engine, and per role the HTTP API and/or a
 * worker with the sweeps (holds, catalog, runs). `npm start` runs every role on the embedded
 * database; on Postgres any number of API and worker processes share the work.
 */
export async function startServer(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
  roles: ServerRoles = {},
): Promise<RunningServer> {
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.dbPoolMax,
  });
  await migrateDatabase(database);
  const api = roles.api ?? true;
  const worker = database.engine === 'pglite' || (roles.worker ?? true);
  logger.info(
    {
      engine: database.engine,
      dataDir: database.engine === 'pglite' ? config.dataDir : undefined,
      api,
      worker,
    },
    'database ready',
  );

  const ledger = new Ledger(new DrizzleLedgerStore(database), {
    commissionBps: config.commissionBps,
    payoutMinimum: config.payoutMinimum,
  });
  const builtins = new BuiltinPool({ modules: builtinAgentModules, logger });
  const runtime = new RuntimeExecutor({
    builtins,
    models: roles.models ?? new ModelRegistry({ providers: [], defaultModel: null }),
    code: {
      // V8 lost control of an isolate: this process can no longer be trusted to run anything. Its
      // runs are given up as lost and settled by the sweep (on Postgres, another worker goes on).
      onCatastrophicError: (message) => {
        logger.fatal({ message }, 'sandbox failure: exiting');
        process.exit(70);
      },
    },
  });
  const executor = roles.executor ?? runtime;
  const catalog = new Catalog(new DrizzleCatalogStore(database), {
    priceNoticeDays: config.priceNoticeDays,
    tests: new RuntimeTestRunner(runtime),
  });
  if (api) {
    await ledger.openAccounts(JETON_LABS.id);
    await seedCatalog(catalog, logger);
  }

  const runs = await startRunPlatform({
    handle: database,
    url: config.databaseUrl,
    catalog,
    executor,
    storage: config.s3 ? new S3BlobStorage(config.s3) : new LocalBlobStorage(config.blobDir),
    maxUploadBytes: config.uploadMaxBytes,
    limits: { perBuyer: config.runs.perBuyer, perAgent: config.runs.perAgent },
    maxRunMs: config.runs.maxRunHours * 3600_000,
    commissionBps: config.commissionBps,
    payoutMinimum: config.payoutMinimum,
    logger,
    ...(worker
      ? {
          worker: {
            capacity: config.runs.workerConcurrency,
            heartbeatMs: config.runs.heartbeatMs,
            leaseMs: config.runs.leaseSeconds * 1000,
            sweepMs: config.runs.sweepSeconds * 1000,
            questionTimeoutMs: config.runs.questionTimeoutSeconds * 1000,
            maxArtifactBytes: config.runs.artifactMaxBytes,
            secrets: secretsFromEnv(process.env),
          },
        }
      : {}),
  });
  const keys = new ApiKeys(database.db);
  const users = new Users(database.db);
  const sessions = new Sessions(database.db, config.accounts.sessionDays * 86_400_000);
  const idempotency = new IdempotencyKeys(database.db);
  const webhooks = new Webhooks(database.db, {
    onDropped: (dropped) => logger.warn(dropped, 'webhook event dropped: the endpoint has too many pending'),
  });
  // Webhook deliveries go out from worker processes (on the embedded database, from this one).
  const dispatcher = worker
    ? new WebhookDispatcher({
        handle: database,
        send: httpSender({ allowPrivate: config.webhooksAllowPrivate }),
        ...(roles.webhookRetryDelaysMs ? { retryDelaysMs: roles.webhookRetryDelaysMs } : {}),
        onError: (err) => logger.error({ err }, 'webhook dispatch failed'),
      })
    : null;
  await dispatcher?.start();

  const timers: ReturnType<typeof setInterval>[] = [];
  const every = (seconds: number, task: () => Promise<unknown>, what: string) => {
    const t = setInterval(
      () => void task().catch((err) => logger.error({ err }, `${what} failed`)),
      seconds * 1000,
    );
    t.unref();
    timers.push(t);
  };
  if (worker) {
    every(
      3600,
      async () => {
        await sessions.deleteExpired();
        await idempotency.deleteOlderThan(new Date(Date.now() - 86_400_000));
      },
      'session and idempotency-key expiry',
    );
    every(
      3600,
      async () => {
        // Ended webhook deliveries are kept 30 days (RETENTION_DAYS), and 20 attempts per delivery.
        const r = await webhooks.deleteOlderThan(new Date(Date.now() - 30 * 86_400_000));
        if (r.deliveries + r.attempts > 0) logger.info(r, 'webhook deliveries pruned');
      },
      'webhook retention sweep',
    );
    every(
      config.holdSweepSeconds,
      async () => {
        const n = await ledger.expireDue();
        if (n > 0) logger.info({ expired: n }, 'expired holds released');
      },
      'hold expiry sweep',
    );
    every(
      config.catalogSweepSeconds,
      async () => {
        const r = await catalog.sweep();
        if (r.promoted > 0) logger.info(r, 'price changes applied');
      },
      'catalog sweep',
    );
  }

  let server: ReturnType<typeof serve> | null = null;
  let url: string | null = null;
  if (api) {
    const watchers = new RunWatchers();
    runs.notifications.on(EVENTS_CHANNEL, (ids) => watchers.notify(ids));
    const auth = authenticate({
      keys,
      sessions,
      limiter: new RateLimiter(config.rateLimits.perKeyPerMinute),
    });
    const app = createApp({
      accounts: {
        users,
        sessions,
        keys,
        ledger,
        catalog,
        welcomeCredits: config.accounts.welcomeCredits,
        sessionDays: config.accounts.sessionDays,
        onKeyRevoked: (keyId) => auth.forgetKey(keyId),
        passwordAttempts: {
          perEmail: new RateLimiter(config.accounts.signInPerEmail),
          perAddress: new RateLimiter(config.accounts.signInPerAddress),
          trustProxy: config.rateLimits.trustProxy,
        },
        ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
        logger,
      },
      idempotency,
      webhooks: { webhooks, allowPrivate: config.webhooksAllowPrivate },
      wallet: walletDeps({
        ledger,
        db: database.db,
        payoutMinimum: config.payoutMinimum,
        logger,
        events: webhooks,
        ...roles.payments,
      }),
      logger,
      version: VERSION,
      catalog,
      availability: (manifest, bundle) => executor.unavailable(manifest, bundle),
      runs: {
        engine: runs.engine,
        store: runs.store,
        storage: runs.storage,
        auth,
        watchers,
        logger,
      },
      checkResponses: config.checkResponses,
      webDist: config.webDist,
      ipLimit: {
        limiter: new RateLimiter(config.rateLimits.perIpPerMinute),
        trustProxy: config.rateLimits.trustProxy,
      },
      health: async () => {
        const rows = (await database.db.execute(
          sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
        )) as unknown as { rows: { n: number }[] };
        return { engine: database.engine, migrations: Number(rows.rows[0]?.n ?? 0) };
      },
    });
    server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url }, 'listening');
  }

  return {
    url,
    database,
    ledger,
    catalog,
    runs,
    keys,
    users,
    webhooks,
    close: async () => {
      for (const t of timers) clearInterval(t);
      if (server) {
        const s = server;
        // Open event streams would hold the server open: close them too.
        (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      await dispatcher?.close();
      await runs.close(5000);
      await builtins.close();
      await database.close();
    },
  };
}
