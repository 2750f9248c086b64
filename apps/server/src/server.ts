import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Config, createLogger, Ledger, type Logger } from '@jeton/core';
import { type DatabaseHandle, DrizzleLedgerStore, migrateDatabase, openDatabase } from '@jeton/db';
import { sql } from 'drizzle-orm';
import { createApp } from './app.ts';

export interface RunningServer {
  url: string;
  database: DatabaseHandle;
  ledger: Ledger;
  close(): Promise<void>;
}

export const VERSION = '0.1.0';

/**
 * Starts the whole platform in one process: database (migrated on every start, on either engine),
 * the ledger's hold-expiry sweep, and the HTTP server.
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

  const app = createApp({
    logger,
    version: VERSION,
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
    close: async () => {
      clearInterval(sweep);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  };
}
