import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { schema } from './schema.ts';

export type Schema = typeof schema;
/** One type for both engines: the domain never knows which one runs. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Engine = 'pglite' | 'postgres';

export type DatabaseHandle =
  | { engine: 'postgres'; db: Database; pool: pg.Pool; close(): Promise<void> }
  | { engine: 'pglite'; db: Database; pglite: PGlite; close(): Promise<void> };

export interface OpenOptions {
  /** A postgres:// URL: Postgres. Absent: embedded PGlite. */
  url?: string | undefined;
  /** PGlite's data directory; absent or 'memory': in memory, gone when closed. */
  dataDir?: string | undefined;
  /** Postgres connections in the pool. */
  poolMax?: number;
}

/**
 * Opens the database: Postgres when a URL is given, otherwise PGlite. PGlite never fsyncs: its data
 * survives a process crash but not necessarily a power loss, which is why production runs Postgres.
 */
/** Extensions the schema uses: trigram matching for typo-tolerant search. */
const extensions = { pg_trgm };

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  if (options.url) {
    // Jeton's queries are short, and many run at once. JIT compiles plans whose estimated cost is
    // high, which a catalog search with tiers that never run can reach: it added 25 ms to 4 ms queries
    // (measured). Parallel workers take cores the other connections need. Both are off.
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax ?? 20,
      // Statements built from literals rely on standard strings (only `'` is special): pinned, not assumed.
      options: '-c jit=off -c max_parallel_workers_per_gather=0 -c standard_conforming_strings=on',
    });
    // An idle client that errors (server restart) must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const db = drizzlePg(pool, { schema }) as unknown as Database;
    return { engine: 'postgres', db, pool, close: () => pool.end() };
  }
  let pglite: PGlite;
  if (!options.dataDir || options.dataDir === 'memory') {
    pglite = await PGlite.create({ extensions });
  } else {
    const dir = resolve(options.dataDir);
    mkdirSync(dir, { recursive: true });
    pglite = await PGlite.create(dir, { extensions });
  }
  const db = drizzlePglite(pglite, { schema }) as unknown as Database;
  return { engine: 'pglite', db, pglite, close: () => pglite.close() };
}
