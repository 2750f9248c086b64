import type pg from 'pg';
import type { DatabaseHandle } from '../connect.ts';
import { CONTROL_CHANNEL, EVENTS_CHANNEL } from './rows.ts';

export type Channel = typeof EVENTS_CHANNEL | typeof CONTROL_CHANNEL;
type Handler = (runIds: string[]) => void;

/**
 * LISTEN for the run engine's notifications: which runs have new events (for live streams) and which
 * a worker must look at now (a cancellation, an answer). On Postgres one dedicated connection carries
 * them across processes; on PGlite they stay in the process. Notifications are a hint, never the
 * truth: readers re-read the tables, and poll as a fallback, so a notification lost to a reconnect only
 * delays news.
 */
export class RunNotifications {
  readonly #handlers = new Map<Channel, Set<Handler>>();
  #client: pg.PoolClient | null = null;
  #unlisten: (() => Promise<void>)[] = [];
  #closed = false;

  private constructor(private readonly handle: DatabaseHandle) {}

  static async open(handle: DatabaseHandle): Promise<RunNotifications> {
    const n = new RunNotifications(handle);
    await n.#connect();
    return n;
  }

  on(channel: Channel, handler: Handler): () => void {
    const set = this.#handlers.get(channel) ?? new Set<Handler>();
    this.#handlers.set(channel, set);
    set.add(handler);
    return () => set.delete(handler);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const u of this.#unlisten) await u().catch(() => {});
    this.#client?.release(true);
    this.#client = null;
  }

  #dispatch(channel: string, payload: string | undefined): void {
    const ids = (payload ?? '').split(',').filter(Boolean);
    for (const h of this.#handlers.get(channel as Channel) ?? []) h(ids);
  }

  async #connect(): Promise<void> {
    if (this.handle.engine === 'pglite') {
      for (const channel of [EVENTS_CHANNEL, CONTROL_CHANNEL]) {
        this.#unlisten.push(await this.handle.pglite.listen(channel, (p) => this.#dispatch(channel, p)));
      }
      return;
    }
    const client = await this.handle.pool.connect();
    this.#client = client;
    client.on('notification', (m) => this.#dispatch(m.channel, m.payload));
    client.on('error', () => {
      client.release(true);
      if (this.#client === client) this.#client = null;
      if (!this.#closed) setTimeout(() => void this.#connect().catch(() => {}), 1000).unref();
    });
    await client.query(`listen ${EVENTS_CHANNEL}; listen ${CONTROL_CHANNEL}`);
  }
}
