import type pg from 'pg';
import type { DatabaseHandle } from '../connect.ts';
import { WEBHOOKS_CHANNEL } from './event-types.ts';

/**
 * Calls `onWake` whenever deliveries are written (`pg_notify` on commit): on Postgres over a dedicated
 * connection (reconnected after an error), on PGlite in the process. A hint only: the dispatcher also
 * polls, so a notification lost to a reconnect delays a delivery by one poll at most.
 */
export async function listenForDeliveries(
  handle: DatabaseHandle,
  onWake: () => void,
): Promise<() => Promise<void>> {
  if (handle.engine === 'pglite') return handle.pglite.listen(WEBHOOKS_CHANNEL, () => onWake());
  let closed = false;
  let client: pg.PoolClient | null = null;
  const connect = async (): Promise<void> => {
    const c = await handle.pool.connect();
    client = c;
    c.on('notification', () => onWake());
    c.on('error', () => {
      c.release(true);
      if (client === c) client = null;
      if (!closed) setTimeout(() => void connect().catch(() => {}), 1000).unref();
    });
    await c.query(`listen ${WEBHOOKS_CHANNEL}`);
    if (closed) c.release(true);
  };
  await connect();
  return async () => {
    closed = true;
    (client as pg.PoolClient | null)?.release(true);
    client = null;
  };
}
