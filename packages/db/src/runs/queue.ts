import { fromPglite, PgBoss } from 'pg-boss';
import type { DatabaseHandle } from '../connect.ts';
import { literal, type SqlQuery } from '../ledger/sql-runner.ts';

/** The one queue: a job says "start run X"; the run's row says whether that still makes sense. */
export const RUN_QUEUE = 'jeton-runs';

export interface RunJob {
  runId: string;
  /** For a retry: not before this moment. */
  startAfter?: Date;
}

export interface RunQueueOptions {
  /** Postgres only: the URL pg-boss opens its own small pool (and its LISTEN connection) with. */
  url?: string;
  /** Whether this process maintains the queue (expiry, retention). Any number may; one is enough. */
  supervise?: boolean;
}

/**
 * Runs ride on pg-boss: it claims jobs with SKIP LOCKED, wakes workers through LISTEN/NOTIFY, and
 * re-offers a job whose worker died before it confirmed the start. A job is confirmed as soon as the
 * run is started (or found not to need starting), so a job never lives as long as its run: attempts
 * have their own heartbeats (see the sweep).
 */
export class RunQueue {
  private constructor(readonly boss: PgBoss) {}

  static async start(handle: DatabaseHandle, options: RunQueueOptions = {}): Promise<RunQueue> {
    const common = {
      useListenNotify: true,
      supervise: options.supervise ?? true,
      schedule: false,
      // Nothing here needs pg-boss's per-second bookkeeping; the run tables say what happened.
      persistQueueStats: false,
      // Expired claims (a worker killed after it took a job) are re-offered by this pass: every 2 s,
      // so that a lost job waits seconds, not the default minute. One process does it at a time.
      superviseIntervalSeconds: 2,
      monitorIntervalSeconds: 2,
    } as const;
    const boss =
      handle.engine === 'pglite'
        ? new PgBoss({ ...common, db: fromPglite(handle.pglite), backend: 'pglite' })
        : new PgBoss({ ...common, connectionString: requireUrl(options.url), max: 4 });
    boss.on('error', () => {});
    await boss.start();
    await boss.createQueue(RUN_QUEUE, {
      // A worker that dies between claiming a job and starting its run strands the job this long; a
      // worker that holds jobs while it waits for capacity lets them go to others after it too (the
      // start is a compare-and-set, so a job taken twice starts its run once).
      expireInSeconds: 5,
      retryLimit: 20,
      retryDelay: 1,
      retryBackoff: true,
      retryDelayMax: 10,
      deleteAfterSeconds: 600,
      notify: true,
    });
    return new RunQueue(boss);
  }

  /** Enqueues jobs inside the caller's transaction: they exist exactly when the transaction commits. */
  async enqueue(query: SqlQuery, jobs: readonly RunJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.boss.insert(RUN_QUEUE, toInserts(jobs), {
      db: { executeSql: (text, values) => query(text, values ?? []) },
    });
  }

  /**
   * The statement that enqueues `jobs`, to send with the caller's own last statements (one round trip
   * fewer per transaction). pg-boss builds it; its one parameter (the jobs as JSON) becomes a literal.
   * Null when pg-boss builds something else than expected: the caller then uses `enqueue`.
   */
  async enqueueSql(jobs: readonly RunJob[]): Promise<string | null> {
    if (jobs.length === 0) return null;
    let captured: { text: string; values: unknown[] } | null = null;
    await this.boss.insert(RUN_QUEUE, toInserts(jobs), {
      db: {
        executeSql: async (text, values) => {
          captured = { text, values: values ?? [] };
          return { rows: [] };
        },
      },
    });
    const c = captured as { text: string; values: unknown[] } | null;
    const param = '$1::text::json';
    if (c?.values.length !== 1 || typeof c.values[0] !== 'string') return null;
    if (c.text.split(param).length !== 2 || (c.text.match(/\$\d/g) ?? []).length !== 1) return null;
    const json = `${literal(c.values[0])}::text::json`;
    return c.text.replace(param, () => json);
  }

  /** Statements that enqueue `jobs` with the caller's last round trip (or, failing that, enqueued now). */
  async enqueueStatements(query: SqlQuery, jobs: readonly RunJob[]): Promise<string[]> {
    const sql = await this.enqueueSql(jobs);
    if (sql) return [sql];
    await this.enqueue(query, jobs);
    return [];
  }

  /**
   * Calls `handler` with batches of run ids as jobs arrive; the jobs are confirmed when it resolves,
   * and offered again (after a delay) when it throws.
   */
  async work(batchSize: number, handler: (runIds: string[]) => Promise<void>): Promise<string> {
    return this.boss.work<{ runId: string }>(
      RUN_QUEUE,
      {
        batchSize,
        pollingIntervalSeconds: 1,
        notifyPollingIntervalSeconds: 2,
        burstWhenBatchFull: true,
      },
      async (jobs) => handler(jobs.map((j) => j.data.runId)),
    );
  }

  async stopWorking(): Promise<void> {
    await this.boss.offWork(RUN_QUEUE, { wait: true });
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, close: true });
  }
}

function toInserts(jobs: readonly RunJob[]) {
  return jobs.map((j) => ({
    data: { runId: j.runId },
    ...(j.startAfter ? { startAfter: j.startAfter } : {}),
  }));
}

function requireUrl(url: string | undefined): string {
  if (!url) throw new TypeError('RunQueue on Postgres needs the database URL');
  return url;
}
