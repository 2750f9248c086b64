import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { type DatabaseHandle, type Engine, openDatabase } from '../connect.ts';
import { migrateDatabase } from '../migrate.ts';

/**
 * The engines a database suite runs on: always PGlite, and Postgres too when `DATABASE_URL` is set.
 *
 * @example
 * describe.each(testEngines())('ledger on %s', (engine) => { ... });
 */
export function testEngines(): Engine[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDatabase extends Disposable {
  handle: DatabaseHandle;
  /** The Postgres URL of this database; undefined on PGlite. */
  url: string | undefined;
  /** Closes the connection and, on Postgres, drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one suite: in-memory PGlite, or a new Postgres database created
 * next to `DATABASE_URL`'s and dropped by `drop()`.
 */
export async function createTestDatabase(
  engine: Engine,
  options: { poolMax?: number } = {},
): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const handle = await openDatabase({ dataDir: 'memory' });
    await migrateDatabase(handle);
    return {
      handle,
      url: undefined,
      drop: () => handle.close(),
      [Symbol.dispose]: () => void handle.close(),
    };
  }
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('the Postgres suite needs DATABASE_URL');
  const name = `jeton_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), poolMax: options.poolMax ?? 20 });
  await migrateDatabase(handle);
  const drop = async () => {
    await handle.close();
    await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
  };
  return { handle, url: url.toString(), drop, [Symbol.dispose]: () => void drop() };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** Empties the ledger (transfers, operations, holds) and zeroes every account, keeping the accounts. */
export async function resetLedger(handle: DatabaseHandle): Promise<void> {
  await handle.db.execute(sql`truncate ledger_transfers, ledger_operations, ledger_holds`);
  await handle.db.execute(
    sql`update ledger_accounts set debits_pending = 0, debits_posted = 0, credits_pending = 0, credits_posted = 0`,
  );
}
export { eventually, perEvent, testAgents, testExecutor } from '../runs/runs-suite.ts';
export { agentManifest } from './catalog-fixtures.ts';
