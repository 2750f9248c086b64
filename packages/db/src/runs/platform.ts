import {
  type AgentExecutor,
  type BlobStorage,
  type Catalog,
  type ConcurrencyLimits,
  type Logger,
  newId,
  type RetryPolicy,
  RunEngine,
  RunWorker,
  type RunWorkerOptions,
  type SweepReport,
  sweepRuns,
} from '@jeton/core';
import type { DatabaseHandle } from '../connect.ts';
import { RunNotifications } from './notifications.ts';
import { RunQueue } from './queue.ts';
import { CONTROL_CHANNEL } from './rows.ts';
import { DrizzleRunStore } from './store.ts';

export interface RunPlatformOptions {
  handle: DatabaseHandle;
  /** Postgres only: the URL pg-boss connects with. */
  url?: string | undefined;
  catalog: Catalog;
  executor: AgentExecutor;
  storage: BlobStorage;
  limits: ConcurrencyLimits;
  maxRunMs: number;
  /** The largest input file a buyer may upload (a field's own limit may be lower). */
  maxUploadBytes?: number;
  commissionBps: number;
  payoutMinimum: bigint;
  /** Present: this process executes runs (and sweeps). Absent: it only accepts and shows them. */
  worker?: {
    capacity: number;
    heartbeatMs: number;
    leaseMs: number;
    sweepMs: number;
    questionTimeoutMs: number;
    maxArtifactBytes: number;
    retry?: RetryPolicy;
    /** The values of an agent's declared secrets. */
    secrets?: RunWorkerOptions['secrets'];
  };
  logger?: Logger;
}

export interface RunPlatform {
  engine: RunEngine;
  store: DrizzleRunStore;
  queue: RunQueue;
  notifications: RunNotifications;
  worker: RunWorker | null;
  storage: BlobStorage;
  sweep(): Promise<SweepReport>;
  /** Stops taking work; running attempts get `graceMs` to end before they are given up as lost. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The run engine wired to a database: the store, the queue (pg-boss), the notifications, and, in a
 * worker process, the worker with its heartbeat and the sweep. `npm start` runs both roles in one
 * process; `jeton serve` and `jeton worker` run one each, as many as wanted, sharing the database.
 */
export async function startRunPlatform(o: RunPlatformOptions): Promise<RunPlatform> {
  // PGlite has one connection: a second transaction in flight would only wait behind the first.
  const batchesInFlight = o.handle.engine === 'pglite' ? 1 : 2;
  // PGlite works on the event loop: a batch waits a moment for requests already on the wire.
  const batchLingerMs = o.handle.engine === 'pglite' ? 2 : 0;
  const queue = await RunQueue.start(o.handle, { url: o.url, supervise: o.worker !== undefined });
  const store = new DrizzleRunStore(o.handle, queue);
  const engine = new RunEngine(store, o.catalog, o.executor, {
    limits: o.limits,
    maxRunMs: o.maxRunMs,
    commissionBps: o.commissionBps,
    payoutMinimum: o.payoutMinimum,
    batchesInFlight,
    batchLingerMs,
    storage: o.storage,
    maxUploadBytes: o.maxUploadBytes ?? 100 * 1024 * 1024,
  });
  const notifications = await RunNotifications.open(o.handle);
  const sweep = () =>
    sweepRuns(store, o.catalog, engine.ledgerContext(), {
      leaseMs: o.worker?.leaseMs ?? 30_000,
      limit: 500,
      limits: o.limits,
      ...(o.worker?.retry ? { retry: o.worker.retry } : {}),
    });

  let worker: RunWorker | null = null;
  let sweeper: ReturnType<typeof setInterval> | null = null;
  if (o.worker) {
    const w = o.worker;
    worker = new RunWorker(store, o.catalog, o.executor, o.storage, {
      workerId: newId('wrk'),
      capacity: w.capacity,
      limits: o.limits,
      heartbeatMs: w.heartbeatMs,
      questionTimeoutMs: w.questionTimeoutMs,
      maxArtifactBytes: w.maxArtifactBytes,
      ledgerContext: () => engine.ledgerContext(),
      batchesInFlight,
      batchLingerMs,
      ...(w.retry ? { retry: w.retry } : {}),
      ...(w.secrets ? { secrets: w.secrets } : {}),
      ...(o.logger ? { logger: o.logger } : {}),
    });
    const running = worker;
    notifications.on(CONTROL_CHANNEL, (ids) => void running.onControl(ids).catch(() => {}));
    running.start();
    await queue.work(w.capacity, (ids) => running.onJobs(ids));
    sweeper = setInterval(() => {
      sweep()
        .then((r) => {
          if (r.lost + r.timedOut + r.unanswered + r.expired + r.unblocked > 0)
            o.logger?.info(r, 'runs swept');
        })
        .catch((err) => o.logger?.error({ err }, 'run sweep failed'));
    }, w.sweepMs);
    sweeper.unref();
  }

  return {
    engine,
    store,
    queue,
    notifications,
    worker,
    storage: o.storage,
    sweep,
    close: async (graceMs = 5000) => {
      if (sweeper) clearInterval(sweeper);
      if (worker) {
        // Stop taking jobs first: a queue handler waiting for a free slot gives its jobs back.
        worker.drain();
        await queue.stopWorking();
        await worker.stop(graceMs);
      }
      await notifications.close();
      await queue.stop();
    },
  };
}
