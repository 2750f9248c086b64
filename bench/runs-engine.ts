import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Actor, Catalog, type Config, Ledger, loadConfig } from '@jeton/core';
import {
  ApiKeys,
  type DatabaseHandle,
  DrizzleCatalogStore,
  DrizzleLedgerStore,
  type Engine,
} from '@jeton/db';
import { agentManifest, createTestDatabase } from '@jeton/db/testing';
import { startServer } from '@jeton/server';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { benchExecutor } from './bench-agents.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const labs: Actor = { id: 'jeton-labs', role: 'user' };
const BUYERS = 64;

export interface RunsResult {
  engine: Engine;
  topology: string;
  mode: 'saturation' | 'paced';
  clients: number;
  offered: number | null;
  seconds: number;
  submitted: number;
  completed: number;
  /** Submit (the run's creation) to start (its attempt began), ms. */
  startP50: number;
  startP99: number;
  /** Submit to succeeded and charged, ms. */
  endP50: number;
  endP99: number;
}

/** Settings for the processes: limits out of the way (the benchmark measures the engine, not a cap). */
const ENV = {
  LOG_LEVEL: 'error',
  PORT: '0',
  JETON_RUNS_PER_BUYER: '100000',
  JETON_RUNS_PER_AGENT: '1000000',
  JETON_WORKER_CONCURRENCY: '256',
  // The load generator is one client sending as fast as the platform takes: no rate limits.
  JETON_RATE_PER_IP: '0',
  JETON_RATE_PER_KEY: '0',
};

export interface Platform {
  engine: Engine;
  topology: string;
  url: string;
  keys: string[];
  /** Where the `wait` agent notes when it was told to stop. */
  marks: string;
  handle: DatabaseHandle;
  /** The platform's own processes (kind, pid); the embedded one runs in this process. */
  processes(): [string, number][];
  /** The Postgres cluster's postmaster, when there is one. */
  postmasterPid: number | null;
  close(): Promise<void>;
}

async function prepare(handle: DatabaseHandle): Promise<string[]> {
  const catalog = new Catalog(new DrizzleCatalogStore(handle));
  await catalog.registerCreator({ id: labs.id, handle: 'jeton-labs', displayName: 'Jeton Labs' });
  for (const slug of ['noop', 'wait']) {
    const d = await catalog.saveDraft(
      labs,
      agentManifest(slug, { pricing: { model: 'per_run', credits: 1 } }),
    );
    if (!d.ok) throw new Error(JSON.stringify(d.error));
    const p = await catalog.publish(labs, slug, '1.0.0');
    if (!p.ok) throw new Error(JSON.stringify(p.error));
  }
  const ledger = new Ledger(new DrizzleLedgerStore(handle));
  const keys = new ApiKeys(handle.db);
  const out: string[] = [];
  for (let i = 0; i < BUYERS; i++) {
    const id = `usr_bench${i}`;
    await ledger.openAccounts(id);
    await ledger.topUp({ id: `bench-top-${i}`, userId: id, amount: 10n ** 12n });
    out.push((await keys.create(id, 'bench')).key);
  }
  return out;
}

/**
 * The platform the API and runs benchmarks measure on `engine`: `npm start` as shipped (embedded), or
 * an API process and two workers on Postgres.
 */
export function startPlatform(engine: Engine): Promise<Platform> {
  return engine === 'pglite' ? startEmbedded() : startPostgres(2);
}

/** Embedded: one process (API, worker and the database), as `npm start` runs it, on a persisted PGlite. */
export async function startEmbedded(): Promise<Platform> {
  const dir = mkdtempSync(join(tmpdir(), 'jeton-bench-runs-'));
  const marks = mkdtempSync(join(tmpdir(), 'jeton-bench-marks-'));
  const loaded = loadConfig({ ...ENV, JETON_DATA_DIR: join(dir, 'data') });
  if (!loaded.ok) throw new Error(loaded.errors.join());
  const server = await startServer(loaded.config as Config, pino({ level: 'error' }), {
    executor: benchExecutor(marks),
  });
  const keys = await prepare(server.database);
  return {
    engine: 'pglite',
    topology: '1 process',
    url: server.url!,
    keys,
    marks,
    handle: server.database,
    processes: () => [],
    postmasterPid: null,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Postgres: an API process and `workers` worker processes, as `jeton serve --api-only` and `jeton worker`. */
export async function startPostgres(workers: number): Promise<Platform> {
  const db = await createTestDatabase('postgres', { poolMax: 10 });
  const marks = mkdtempSync(join(tmpdir(), 'jeton-bench-marks-'));
  const keys = await prepare(db.handle);
  const children: ChildProcess[] = [];
  const start = (role: 'api' | 'worker') =>
    new Promise<string | null>((resolve, reject) => {
      const profile = process.env.BENCH_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}/${role}`]
        : [];
      const child = spawn(
        process.execPath,
        [...profile, '--import', 'tsx', join(ROOT, 'bench/runs-main.ts')],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            ...ENV,
            ROLE: role,
            DATABASE_URL: db.url!,
            BENCH_MARK_DIR: marks,
            JETON_BLOB_DIR: mkdtempSync(join(tmpdir(), 'jb-')),
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => {
        out += String(d);
        const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
        if (line) resolve(JSON.parse(line).url);
      });
      child.on('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
    });
  const url = await start('api');
  for (let i = 0; i < workers; i++) await start('worker');
  return {
    engine: 'postgres',
    topology: `API + ${workers} workers`,
    url: url!,
    keys,
    marks,
    handle: db.handle,
    processes: () => children.map((c, i) => [i === 0 ? 'API' : 'workers', c.pid!] as [string, number]),
    postmasterPid: await postmasterOf(db.handle),
    close: async () => {
      for (const c of children) c.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1000));
      for (const c of children) c.kill('SIGKILL');
      await db.drop();
    },
  };
}

/**
 * Submits runs of the no-op agent over HTTP from `clients` concurrent clients for `seconds` (paced to
 * `rate` runs/s in total, or as fast as they are accepted), then waits for them to end. Throughput is
 * runs that ended succeeded (and charged) inside the window; latencies come from the runs' own
 * timestamps (created → started, created → ended).
 */
export async function measureRuns(
  p: Platform,
  options: { clients: number; seconds: number; rate?: number },
): Promise<RunsResult> {
  const t0 = new Date();
  const until = t0.getTime() + options.seconds * 1000;
  let submitted = 0;
  let nextSlot = Date.now();
  const interval = options.rate ? 1000 / options.rate : 0;
  // node:http with keep-alive: the load generator shares the two cores with what it measures, and
  // fetch costs it several times more per request.
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients });
  await Promise.all(
    Array.from({ length: options.clients }, async (_, c) => {
      const key = p.keys[c % p.keys.length]!;
      while (Date.now() < until) {
        if (interval > 0) {
          const slot = nextSlot;
          nextSlot = Math.max(nextSlot, Date.now()) + interval;
          const wait = slot - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (Date.now() >= until) break;
        }
        const res = await post(agent, p.url, key);
        if (res.status !== 201) throw new Error(`submit: ${res.status} ${res.body}`);
        submitted++;
      }
    }),
  );
  const t1 = new Date();
  agent.destroy();
  const rows = async <T>(q: ReturnType<typeof sql>) =>
    ((await p.handle.db.execute(q)) as unknown as { rows: T[] }).rows;
  const drainUntil = Date.now() + 60_000;
  for (;;) {
    const [open] = await rows<{ n: number }>(sql`select count(*)::int as n from runs where ended_at is null`);
    if (open!.n === 0 || Date.now() > drainUntil) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const [s] = await rows<{
    completed: number;
    sp50: number;
    sp99: number;
    ep50: number;
    ep99: number;
    failed: number;
  }>(sql`
    select count(*) filter (where status = 'succeeded' and ended_at <= ${t1.toISOString()}::timestamptz)::int as completed,
           count(*) filter (where status <> 'succeeded')::int as failed,
           percentile_cont(0.5) within group (order by extract(epoch from started_at - created_at) * 1000) as sp50,
           percentile_cont(0.99) within group (order by extract(epoch from started_at - created_at) * 1000) as sp99,
           percentile_cont(0.5) within group (order by extract(epoch from ended_at - created_at) * 1000) as ep50,
           percentile_cont(0.99) within group (order by extract(epoch from ended_at - created_at) * 1000) as ep99
      from runs where created_at >= ${t0.toISOString()}::timestamptz and created_at < ${t1.toISOString()}::timestamptz`);
  if (s!.failed > 0) throw new Error(`${s!.failed} benchmark runs did not succeed`);
  const [charged] = await rows<{ ok: boolean }>(
    sql`select bool_and(charged = 1) as ok from runs where created_at >= ${t0.toISOString()}::timestamptz`,
  );
  if (!charged!.ok) throw new Error('a benchmark run was not charged its price');
  return {
    engine: p.engine,
    topology: p.topology,
    mode: options.rate ? 'paced' : 'saturation',
    clients: options.clients,
    offered: options.rate ?? null,
    seconds: (t1.getTime() - t0.getTime()) / 1000,
    submitted,
    completed: s!.completed,
    startP50: Number(s!.sp50),
    startP99: Number(s!.sp99),
    endP50: Number(s!.ep50),
    endP99: Number(s!.ep99),
  };
}

const BODY = '{"agent":"noop","input":{"text":"x"}}';

function post(agent: http.Agent, base: string, key: string): Promise<{ status: number; body: string }> {
  const url = new URL('/v1/runs', base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(BODY),
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

/**
 * CPU seconds used so far by each of the benchmark's processes (by pid, with its kind): Postgres (this
 * cluster's postmaster and backends), the API process, the worker processes, and this process (the
 * load generator). Linux /proc only.
 */
export function cpuSnapshot(p: Platform): Map<number, { kind: string; seconds: number }> {
  const out = new Map<number, { kind: string; seconds: number }>();
  const add = (kind: string, pid: number) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(pid, { kind, seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
    } catch {
      // the process has ended
    }
  };
  for (const [kind, pid] of p.processes()) add(kind, pid);
  add('load generator', process.pid);
  const postmaster = p.postmasterPid;
  if (postmaster !== null) {
    add('postgres', postmaster);
    for (const line of execFileSync('ps', ['--ppid', String(postmaster), '-o', 'pid='])
      .toString()
      .split('\n')) {
      if (line.trim()) add('postgres', Number(line));
    }
  }
  return out;
}

/**
 * CPU milliseconds per completed run, by kind, between two snapshots. A process that ended in between
 * is left out (its last seconds are not known); one that started counts from its start.
 */
export function cpuPerRun(
  before: Map<number, { kind: string; seconds: number }>,
  after: Map<number, { kind: string; seconds: number }>,
  runs: number,
): [string, number][] {
  const byKind = new Map<string, number>();
  for (const [pid, a] of after) {
    const spent = a.seconds - (before.get(pid)?.seconds ?? 0);
    byKind.set(a.kind, (byKind.get(a.kind) ?? 0) + spent);
  }
  return [...byKind].map(([kind, s]) => [kind, (s * 1000) / runs]);
}

/**
 * From a buyer's cancel (the moment the request is sent) to the running agent's AbortSignal firing,
 * for `count` runs of the `wait` agent, one at a time: the milliseconds, sorted.
 */
export async function measureCancel(p: Platform, count: number): Promise<number[]> {
  const key = p.keys[0]!;
  const call = (method: string, path: string, body?: string) =>
    fetch(`${p.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body ? { body } : {}),
    });
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const run = (await (await call('POST', '/v1/runs', '{"agent":"wait","input":{"text":"x"}}')).json()) as {
      id: string;
    };
    let status = '';
    for (let n = 0; n < 500 && status !== 'running'; n++) {
      status = ((await (await call('GET', `/v1/runs/${run.id}`)).json()) as { status: string }).status;
      if (status !== 'running') await new Promise((res) => setTimeout(res, 10));
    }
    if (status !== 'running') throw new Error(`run ${run.id} never started (${status})`);
    // The attempt is running; give the worker a moment to be inside the agent.
    await new Promise((res) => setTimeout(res, 50));
    const sent = Date.now();
    const res = await call('POST', `/v1/runs/${run.id}/cancel`);
    if (res.status !== 200) throw new Error(`cancel: ${res.status}`);
    const mark = join(p.marks, run.id);
    let abortedAt = Number.NaN;
    for (let n = 0; n < 1000 && Number.isNaN(abortedAt); n++) {
      try {
        abortedAt = Number(readFileSync(mark, 'utf8'));
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    // A cancel that never reached the agent is the worst result there is, not one to leave out.
    if (!Number.isFinite(abortedAt))
      throw new Error(`run ${run.id}: the agent was not told to stop within 5 s`);
    latencies.push(abortedAt - sent);
  }
  return latencies.sort((a, b) => a - b);
}

/** The postmaster of the cluster `handle` talks to: the parent of this connection's backend. */
async function postmasterOf(handle: DatabaseHandle): Promise<number | null> {
  try {
    const rows = (
      (await handle.db.execute(sql`select pg_backend_pid() as pid`)) as unknown as { rows: { pid: number }[] }
    ).rows;
    const stat = readFileSync(`/proc/${rows[0]!.pid}/stat`, 'utf8');
    return Number(stat.split(') ')[1]!.split(' ')[1]);
  } catch {
    return null;
  }
}
