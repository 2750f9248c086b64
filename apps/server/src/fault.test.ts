import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Actor, Catalog, Ledger } from '@jeton/core';
import { ApiKeys, DrizzleCatalogStore, DrizzleLedgerStore } from '@jeton/db';
import { agentManifest, createTestDatabase, type TestDatabase } from '@jeton/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(ROOT, 'apps/server/src/testing/fault-main.ts');
const RUNS = 1000;
/** Plus one run whose events are streamed from the other API process. */
const TOTAL = RUNS + 1;
const BUYERS = 10;
const labs: Actor = { id: 'jeton-labs', role: 'user' };

interface Proc {
  child: ChildProcess;
  url: string | null;
  log: string[];
}

/**
 * The run engine under fire, on Postgres with real processes: 2 API and 3 worker processes, 1,000
 * runs submitted over HTTP, workers killed with SIGKILL at random moments and restarted. Afterwards
 * every run has ended, none succeeded twice, every hold is resolved and matches what its run charged,
 * the ledger verifies clean (through `jeton ledger verify`), and the credits charged are exactly the
 * succeeded runs' prices.
 */
describe.skipIf(!process.env.DATABASE_URL)('run engine under SIGKILL (Postgres, real processes)', () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  const procs = new Set<Proc>();
  const allLogs: string[] = [];

  function start(role: 'api' | 'worker'): Promise<Proc> {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: ROOT,
      env: { ...process.env, ...env, ROLE: role },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const p: Proc = { child, url: null, log: [] };
    procs.add(p);
    child.stderr!.on('data', (d) => p.log.push(String(d)));
    child.on('exit', () => procs.delete(p));
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += String(d);
        allLogs.push(String(d));
        const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
        if (line && p.url === null) {
          p.url = JSON.parse(line).url ?? '';
          resolve(p);
        }
      });
      child.on('exit', (code) => {
        if (p.url === null) reject(new Error(`${role} exited with ${code}: ${p.log.join('')}`));
      });
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase('postgres', { poolMax: 5 });
    env = {
      DATABASE_URL: db.url!,
      PORT: '0',
      LOG_LEVEL: 'error',
      JETON_DB_POOL_MAX: '8',
      JETON_BLOB_DIR: mkdtempSync(join(tmpdir(), 'jeton-fault-')),
      JETON_HEARTBEAT_MS: '200',
      JETON_ATTEMPT_LEASE_SECONDS: '1',
      JETON_RUN_SWEEP_SECONDS: '1',
      JETON_WORKER_CONCURRENCY: '16',
      JETON_RUNS_PER_BUYER: '10',
      // One test client drives 1,000 runs and their polling: no rate limits.
      JETON_RATE_PER_IP: '0',
      JETON_RATE_PER_KEY: '0',
    };
  }, 60_000);

  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await db?.drop();
  });

  it('ends every run once, resolves every hold once, and charges exactly the succeeded prices', async () => {
    // The test agents and the buyers, written before any process starts.
    const catalog = new Catalog(new DrizzleCatalogStore(db.handle));
    await catalog.registerCreator({ id: labs.id, handle: 'jeton-labs', displayName: 'Jeton Labs' });
    for (const [slug, retrySafe] of [
      ['steady', true],
      ['fragile', false],
    ] as const) {
      const d = await catalog.saveDraft(labs, agentManifest(slug, { limits: { retrySafe } as never }));
      if (!d.ok) throw new Error(JSON.stringify(d.error));
      const p = await catalog.publish(labs, slug, '1.0.0');
      if (!p.ok) throw new Error(JSON.stringify(p.error));
    }
    const ledger = new Ledger(new DrizzleLedgerStore(db.handle));
    const keys = new ApiKeys(db.handle.db);
    const buyerKeys: string[] = [];
    for (let i = 0; i < BUYERS; i++) {
      const id = `usr_fault${i}`;
      await ledger.openAccounts(id);
      await ledger.topUp({ id: `fault-top-${i}`, userId: id, amount: 100_000n });
      buyerKeys.push((await keys.create(id, 'fault test')).key);
    }

    const apis = await Promise.all([start('api'), start('api')]);
    const workers: Proc[] = await Promise.all([start('worker'), start('worker'), start('worker')]);

    // Kill a random worker every 0.5-1.5 s and start a new one at once, until told to stop: a worker
    // may die while it starts, runs or sits idle. Its replacement joins when it is ready.
    let killing = true;
    let kills = 0;
    const killer = (async () => {
      while (killing) {
        await new Promise((r) => setTimeout(r, 500 + Math.random() * 1000));
        if (!killing) break;
        const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0];
        if (victim) {
          victim.child.kill('SIGKILL');
          kills++;
        }
        start('worker').then(
          (w) => workers.push(w),
          () => {}, // killed while starting: counted as a kill, replaced by the next round
        );
        if (workers.length === 0) workers.push(await start('worker'));
      }
    })();

    // 1,000 submissions over HTTP, spread over both API processes and over about ten seconds (20
    // clients, each pausing 150 ms), so that the kills land while runs are in flight.
    const submitted: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < RUNS) {
          const n = next++;
          const res = await fetch(`${apis[n % 2]!.url}/v1/runs`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${buyerKeys[n % BUYERS]}` },
            body: JSON.stringify({ agent: n % 2 ? 'steady' : 'fragile', input: { text: `run ${n}` } }),
          });
          expect(res.status).toBe(201);
          submitted.push(((await res.json()) as { id: string }).id);
          await new Promise((r) => setTimeout(r, 150));
        }
      }),
    );
    expect(submitted).toHaveLength(RUNS);

    // A run submitted through one API process streams its events, live, from the other.
    const watched = await fetch(`${apis[0]!.url}/v1/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${buyerKeys[0]}` },
      body: JSON.stringify({ agent: 'steady', input: { text: 'watched' } }),
    });
    const watchedId = ((await watched.json()) as { id: string }).id;
    const stream = await fetch(`${apis[1]!.url}/v1/runs/${watchedId}/events`, {
      headers: { authorization: `Bearer ${buyerKeys[0]}` },
    });
    const streamed = await stream.text(); // the stream ends after the final status
    expect(streamed).toMatch(/event: status\ndata: \{"seq":1,[^\n]*"status":"queued"/);
    expect(streamed).toMatch(/"status":"(succeeded|failed)"/);

    // Let the killing go on a little longer, then let the survivors finish.
    await new Promise((r) => setTimeout(r, 3000));
    killing = false;
    await killer;
    const query = async <T>(q: ReturnType<typeof sql>) =>
      ((await db.handle.db.execute(q)) as unknown as { rows: T[] }).rows;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [open] = await query<{ n: number }>(
        sql`select count(*)::int as n from runs where ended_at is null`,
      );
      if (open!.n === 0) break;
      if (Date.now() > deadline) {
        const stuck =
          await query(sql`select r.id, r.status, r.attempt, r.blocked_on, r.buyer_id, r.created_at, r.started_at,
              (select json_agg(a) from run_attempts a where a.run_id = r.id) as attempts,
              (select json_agg(json_build_object('state', j.state, 'start_after', j.start_after, 'retry', j.retry_count)) from pgboss.job j where j.data->>'runId' = r.id) as jobs
            from runs r where ended_at is null limit 5`);
        const logs = [...allLogs, ...[...procs].flatMap((p) => p.log)]
          .join('')
          .split('\n')
          .filter((l) => l.includes('"level":50') || l.includes('Error'))
          .slice(0, 20)
          .join('\n');
        throw new Error(`${open!.n} runs never ended: ${JSON.stringify(stuck, null, 1)}\n${logs}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(kills).toBeGreaterThanOrEqual(5);

    const [totals] = await query<{
      runs: number;
      recovered: number;
      succeeded: number;
      charged: number;
      lost: number;
      retried: number;
    }>(sql`
        select count(*)::int as runs,
               count(*) filter (where slug = 'steady' and attempt > 1 and status = 'succeeded')::int as recovered,
               count(*) filter (where status = 'succeeded')::int as succeeded,
               coalesce(sum(charged), 0)::int as charged,
               count(*) filter (where failure_code = 'worker_lost')::int as lost,
               count(*) filter (where attempt > 1)::int as retried
          from runs`);
    expect(totals!.runs).toBe(TOTAL);
    // The kills must have hit runs, or this test proves nothing.
    expect(totals!.lost).toBeGreaterThan(0);
    expect(totals!.recovered).toBeGreaterThan(0);
    console.info(
      `fault test: ${kills} kills, ${totals!.lost} runs failed with their worker, ${totals!.recovered} retried to success`,
    );
    // Every run is final; a fragile run lost with its worker fails, a steady one is retried.
    const statuses = await query<{ status: string; n: number }>(
      sql`select status, count(*)::int as n from runs group by status`,
    );
    for (const s of statuses) expect(['succeeded', 'failed']).toContain(s.status);
    // A steady (retry-safe) run fails only when its worker was lost on every one of its 3 attempts.
    const [steadyFailed] = await query<{ n: number }>(sql`
        select count(*)::int as n from runs
         where slug = 'steady' and status <> 'succeeded' and not (failure_code = 'worker_lost' and attempt = 3)`);
    expect(steadyFailed!.n).toBe(0);

    // Executed to success at most once: one succeeded attempt and one succeeded event per run at most.
    const [twice] = await query<{ n: number }>(sql`
        select count(*)::int as n from (
          select run_id from run_attempts where outcome = 'succeeded' group by run_id having count(*) > 1
          union all
          select run_id from run_events where type = 'status' and data->>'status' = 'succeeded'
           group by run_id having count(*) > 1) x`);
    expect(twice!.n).toBe(0);

    // Every hold resolved exactly once, for what its run charged.
    const [holds] = await query<{ pending: number; mismatched: number; total: number }>(sql`
        select count(*) filter (where h.status = 'pending')::int as pending,
               count(*) filter (where coalesce(h.captured_amount, 0) <> r.charged)::int as mismatched,
               count(*)::int as total
          from runs r join ledger_holds h on h.id = r.hold_id`);
    expect(holds).toEqual({ pending: 0, mismatched: 0, total: TOTAL });

    // Credits charged = the succeeded runs' prices (10 each), and that is what left the buyers' wallets.
    expect(totals!.charged).toBe(10 * totals!.succeeded);
    const [spent] = await query<{ spent: number }>(sql`
        select (${BUYERS}::bigint * 100000 - sum(credits_posted - debits_posted))::int as spent
          from ledger_accounts where owner_id like 'usr_fault%' and kind in ('wallet_paid', 'wallet_promo')`);
    expect(spent!.spent).toBe(totals!.charged);

    // `jeton ledger verify`, the command an operator runs.
    const verify = spawn(
      process.execPath,
      [join(ROOT, 'apps/cli/bin/jeton.js'), 'ledger', 'verify', '--json'],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db.url!, LOG_LEVEL: 'silent' },
      },
    );
    let report = '';
    verify.stdout.on('data', (d) => {
      report += String(d);
    });
    const code = await new Promise<number | null>((r) => verify.on('exit', r));
    expect(JSON.parse(report)).toMatchObject({ ok: true });
    expect(code).toBe(0);

    for (const p of [...apis, ...workers]) p.child.kill('SIGTERM');
  }, 240_000);
});
