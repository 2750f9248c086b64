import type { ConcurrencyLimits, Run, StartOutcome } from '@jeton/core';
import { jsonLiteral, type SqlRunner } from '../ledger/sql-runner.ts';
import { activeCountsOfRunsSql, lockSlotsAndRunsSql } from './locks.ts';
import { EVENTS_CHANNEL, notifySql, runFromJson, ts } from './rows.ts';

/**
 * Starts queued runs: each gets a new attempt, owned by the worker, with a deadline from its
 * manifest's timeout. A run whose buyer or agent is at its concurrency limit stays queued, marked
 * blocked, until an ending run frees a slot. A run that is not queued (a repeated job, a cancelled
 * run) is skipped. Two round trips, one transaction.
 */
export async function startRuns(
  run: SqlRunner,
  requests: readonly { runId: string; workerId: string }[],
  limits: ConcurrencyLimits,
  now: Date,
): Promise<StartOutcome[]> {
  const ids = [...new Set(requests.map((r) => r.runId))];
  // One round trip: the slots, the rows, and the counts the decision is made on.
  const [, locked, counted] = await run([...lockSlotsAndRunsSql(ids), activeCountsOfRunsSql(ids)]);
  const rows = ((locked?.[0]?.runs ?? []) as Record<string, unknown>[]).map(runFromJson);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const active = new Map<string, number>();
  for (const c of (counted?.[0]?.counts ?? []) as { kind: string; id: string; n: number }[]) {
    active.set(`${c.kind}:${c.id}`, c.n);
  }

  const decided = new Map<string, StartOutcome>();
  const starting: { run: Run; workerId: string }[] = [];
  const blocked: { id: string; on: 'buyer' | 'agent' }[] = [];
  // Oldest first, so that a limit lets the earliest runs through.
  const order = [...requests].sort(
    (a, b) => (byId.get(a.runId)?.createdAt.getTime() ?? 0) - (byId.get(b.runId)?.createdAt.getTime() ?? 0),
  );
  const considered = new Set<string>();
  for (const req of order) {
    if (considered.has(req.runId)) continue;
    considered.add(req.runId);
    const r = byId.get(req.runId);
    if (r?.status !== 'queued') {
      decided.set(req.runId, { type: 'skipped', status: r?.status ?? null });
      continue;
    }
    const b = active.get(`b:${r.buyerId}`) ?? 0;
    const a = active.get(`a:${r.agentId}`) ?? 0;
    if (b >= limits.perBuyer || a >= limits.perAgent) {
      const on = b >= limits.perBuyer ? 'buyer' : 'agent';
      blocked.push({ id: r.id, on });
      decided.set(req.runId, { type: 'blocked', on });
      continue;
    }
    active.set(`b:${r.buyerId}`, b + 1);
    active.set(`a:${r.agentId}`, a + 1);
    starting.push({ run: r, workerId: req.workerId });
  }

  const statements: string[] = [];
  if (starting.length > 0) {
    const rows = starting.map((s) => ({ id: s.run.id, attempt: s.run.attempt + 1, worker_id: s.workerId }));
    statements.push(
      `with s as (select * from json_to_recordset(${jsonLiteral(rows)}) as s(id text, attempt int, worker_id text)),
            upd as (
              update runs set status = 'running', attempt = s.attempt, blocked_on = null,
                              started_at = coalesce(runs.started_at, ${ts(now)}),
                              deadline_at = ${ts(now)} + runs.timeout_seconds * interval '1 second',
                              last_seq = runs.last_seq + 1
                from s where runs.id = s.id returning runs.*
            ),
            att as (
              insert into run_attempts (run_id, number, worker_id, started_at, heartbeat_at)
              select id, attempt, worker_id, ${ts(now)}, ${ts(now)} from s
            ),
            -- The status event takes the sequence number the same update gave it: one write of the run.
            ev as (
              insert into run_events (run_id, seq, type, data, at)
              select id, last_seq, 'status',
                     jsonb_build_object('type', 'status', 'status', 'running', 'attempt', attempt), ${ts(now)}
                from upd
            )
       select coalesce(json_agg(row_to_json(upd)), '[]'::json) as runs from upd`,
      ...notifySql(
        EVENTS_CHANNEL,
        starting.map((s) => s.run.id),
      ),
    );
  }
  if (blocked.length > 0) {
    statements.push(
      `update runs set blocked_on = b.on_ from json_to_recordset(${jsonLiteral(
        blocked.map((b) => ({ id: b.id, on_: b.on })),
      )}) as b(id text, on_ text) where runs.id = b.id`,
    );
  }
  if (statements.length > 0) {
    const [updated] = await run(statements, { last: true });
    if (starting.length > 0) {
      for (const j of (updated?.[0]?.runs ?? []) as Record<string, unknown>[]) {
        const r = runFromJson(j);
        decided.set(r.id, { type: 'started', run: r });
      }
    }
  }
  // A run named twice in one batch (a repeated job) starts once.
  const seen = new Set<string>();
  return requests.map((req) => {
    const first = !seen.has(req.runId);
    seen.add(req.runId);
    const outcome = decided.get(req.runId)!;
    return first || outcome.type !== 'started' ? outcome : { type: 'skipped', status: 'running' };
  });
}
