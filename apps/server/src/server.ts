import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Catalog, type Config, createLogger, Ledger, type Logger } from '@jeton/core';
import {
  type DatabaseHandle,
  DrizzleCatalogStore,
  DrizzleLedgerStore,
  migrateDatabase,
  openDatabase,
} from '@jeton/db';
import { sql } from 'drizzle-orm';
import { createApp } from './app.ts';
import { seedCatalog } from './seed.ts';

export interface RunningServer {
  url: string;
  database: DatabaseHandle;
  ledger: Ledger;
  catalog: Catalog;
  close(): Promise<void>;
}

export const VERSION = '0.1.0';

/**
 * Starts the whole platform in one process: database (migrated on every start, on either engine),
 * the ledger's hold-expiry sweep, the catalog (seeded with the built-in agents) and its sweep, and the
 * HTTP server.
 */
export async function startServer(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
): Promise<RunningServer> {
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.dbPoolMax,
  });
  await migrateDatabase(database);
  logger.info(
    { engine: database.engine, dataDir: database.engine === 'pglite' ? config.dataDir : undefined },
    'database ready',
  );

  const ledger = new Ledger(new DrizzleLedgerStore(database), {
    commissionBps: config.commissionBps,
    payoutMinimum: config.payoutMinimum,
  });
  const sweep = setInterval(() => {
    ledger
      .expireDue()
      .then((n) => n > 0 && logger.info({ expired: n }, 'expired holds released'))
      .catch((err) => logger.error({ err }, 'hold expiry sweep failed'));
  }, config.holdSweepSeconds * 1000);
  sweep.unref();

  const catalog = new Catalog(new DrizzleCatalogStore(database), { priceNoticeDays: config.priceNoticeDays });
  await seedCatalog(catalog, logger);
  const catalogSweep = setInterval(() => {
    catalog
      .sweep()
      .then((r) => r.promoted > 0 && logger.info(r, 'price changes applied'))
      .catch((err) => logger.error({ err }, 'catalog sweep failed'));
  }, config.catalogSweepSeconds * 1000);
  catalogSweep.unref();

  const app = createApp({
    logger,
    version: VERSION,
    catalog,
    health: async () => {
      const rows = (await database.db.execute(
        sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
      )) as unknown as {
        rows: { n: number }[];
      };
      return { engine: database.engine, migrations: Number(rows.rows[0]?.n ?? 0) };
    },
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url }, 'listening');

  return {
    url,
    database,
    ledger,
    catalog,
    close: async () => {
      clearInterval(sweep);
      clearInterval(catalogSweep);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  };
}
