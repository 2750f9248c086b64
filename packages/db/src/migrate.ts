import { fileURLToPath } from 'node:url';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { DatabaseHandle } from './connect.ts';
import { schema } from './schema.ts';

export const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Any constant: the advisory lock that keeps two processes from migrating at once. */
const MIGRATION_LOCK = 7_311_530_001;

/** Applies every pending migration; running it again changes nothing. */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.engine === 'pglite') {
    await migratePglite(handle.db as Parameters<typeof migratePglite>[0], { migrationsFolder });
    return;
  }
  // Several API and worker processes may start together: one migrates, the others wait, then find
  // nothing left to do.
  const client = await handle.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migratePg(drizzlePg(client, { schema }), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
