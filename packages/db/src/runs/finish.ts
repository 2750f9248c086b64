import type { RunEventData } from '@jeton/core';
import {
  type ApplyContext,
  type CommandResult,
  EMPTY_USAGE,
  type FinishDecision,
  type FinishOutcome,
  type LedgerCommand,
  nextStatus,
  type Run,
  type RunMove,
  settle,
} from '@jeton/core';
import { prepareInTransaction } from '../ledger/apply-in-transaction.ts';
import { jsonLiteral, type SqlQuery, type SqlRunner, textList } from '../ledger/sql-runner.ts';
import { lockRunsSql } from './locks.ts';
import type { RunJob, RunQueue } from './queue.ts';
import { CONTROL_CHANNEL, EVENTS_CHANNEL, notifySql, runFromJson, ts } from './rows.ts';

export interface FinishItem {
  runId: string;
  /** The attempt that ends, or 'current' (the buyer cancels whatever runs). */
  attempt: number | 'current';
  decision: FinishDecision;
  /** When set, only this buyer's run may be ended (a cancellation). */
  buyerId?: string;
}

const MOVE: Record<FinishDecision['type'] | 'failed' | 'timed_out' | 'cancelled', RunMove> = {
  succeeded: 'succeed',
  retry: 'retry',
  end: 'fail',
  failed: 'fail',
  timed_out: 'time_out',
  cancelled: 'cancel',
};

interface Plan {
  item: FinishItem;
  run: Run;
  status: Run['status'];
  command: LedgerCommand | null;
  settlement: { charged: number; refunded: number } | null;
}

/**
 * Ends attempts in one transaction: every run moves by the one transition table (a move it does not
 * allow, or an attempt that is no longer the run's, is `stale` and changes nothing), a final status
 * captures or releases the hold in the same transaction, a retry sends a new (delayed) job, and every
 * slot freed lets a waiting run be offered again.
 */
export async function finishRuns(
  run: SqlRunner,
  query: SqlQuery,
  queue: RunQueue,
  items: readonly FinishItem[],
  ctx: ApplyContext,
  tellWorkers: boolean,
): Promise<{ outcomes: FinishOutcome[]; unblock: { buyers: string[]; agents: string[] } | null }> {
  // Ending a run takes no concurrency slot lock: it only frees slots, which can never break a limit.
  const [locked] = await run([lockRunsSql([...new Set(items.map((i) => i.runId))])]);
  const byId = new Map(
    ((locked?.[0]?.runs ?? []) as Record<string, unknown>[]).map((j) => [String(j.id), runFromJson(j)]),
  );

  const outcomes: (FinishOutcome | null)[] = items.map(() => null);
  const plans: Plan[] = [];
  const planned = new Set<string>();
  items.forEach((item, i) => {
    const r = byId.get(item.runId);
    if (!r || planned.has(item.runId) || (item.buyerId !== undefined && item.buyerId !== r.buyerId)) {
      outcomes[i] = { type: 'stale', run: r && item.buyerId === undefined ? r : null };
      return;
    }
    const d = item.decision;
    const move = MOVE[d.type === 'end' ? d.status : d.type];
    const next = nextStatus(r.status, move);
    if (!next.ok || (item.attempt !== 'current' && item.attempt !== r.attempt)) {
      outcomes[i] = { type: 'stale', run: r };
      return;
    }
    planned.add(item.runId);
    if (d.type === 'retry') {
      plans.push({ item, run: r, status: next.value, command: null, settlement: null });
      return;
    }
    const s = settle(r.pricing, d.type === 'succeeded' ? 'succeeded' : d.status, {
      events: Object.entries(r.usage.events).map(([name, quantity]) => ({ name, quantity })),
      modelCostMicroCredits: BigInt(r.usage.modelCostMicroCredits),
    });
    const command: LedgerCommand =
      s.capture > 0
        ? {
            type: 'capture',
            id: `cap_${r.id}`,
            holdId: r.holdId,
            amount: BigInt(s.capture),
            creatorId: r.creatorId,
          }
        : { type: 'release', id: `rel_${r.id}`, holdId: r.holdId };
    plans.push({ item, run: r, status: next.value, command, settlement: null });
  });

  const withMoney = plans.filter((p) => p.command !== null);
  const { results, writes } = withMoney.length
    ? await prepareInTransaction(
        run,
        withMoney.map((p) => [p.command]),
        ctx,
      )
    : { results: [] as CommandResult[][], writes: [] as string[] };
  withMoney.forEach((p, n) => {
    const result = results[n]![0]!;
    if (result.ok) {
      const o = result.value;
      const charged = o.type === 'capture' ? Number(o.amount) : 0;
      p.settlement = { charged, refunded: p.run.maxCredits - charged };
    } else if (result.error.type === 'hold_already_resolved' || result.error.type === 'hold_expired') {
      // The hold ran out before the run ended (it outlives the run's deadline by an hour, so only a
      // stopped sweep gets here): the expiry gives the buyer everything back; the run charges nothing.
      p.settlement = { charged: 0, refunded: p.run.maxCredits };
    } else {
      throw new Error(`settling run ${p.run.id}: ${result.error.type}`);
    }
  });

  const statements: string[] = [];
  const jobs: RunJob[] = [];
  const ended = plans.filter((p) => p.settlement !== null);
  const retried = plans.filter((p) => p.item.decision.type === 'retry');
  if (ended.length > 0) {
    const rows = ended.map((p) => {
      const d = p.item.decision;
      const failure = d.type === 'succeeded' ? null : d.failure;
      const event: RunEventData = {
        type: 'status',
        status: p.status,
        attempt: p.run.attempt,
        ...(failure ? { failure } : {}),
        charged: p.settlement!.charged,
        refunded: p.settlement!.refunded,
      };
      return {
        id: p.run.id,
        status: p.status,
        failure_code: failure?.code ?? null,
        fault: failure?.fault ?? null,
        error_message: failure?.message ?? null,
        charged: p.settlement!.charged,
        refunded: p.settlement!.refunded,
        event,
      };
    });
    // The final status, its event (numbered by the same update) and the settlement: one write of the run.
    statements.push(`with f as (select * from json_to_recordset(${jsonLiteral(rows)}) as f(id text, status text,
                            failure_code text, fault text, error_message text, charged bigint, refunded bigint,
                            event jsonb)),
                          upd as (
                            update runs set status = f.status, failure_code = f.failure_code, fault = f.fault,
                                   error_message = f.error_message, charged = f.charged, refunded = f.refunded,
                                   ended_at = ${ts(ctx.now)}, question = null, question_deadline = null,
                                   blocked_on = null, last_seq = runs.last_seq + 1
                              from f where runs.id = f.id returning runs.id, runs.last_seq)
                     insert into run_events (run_id, seq, type, data, at)
                     select upd.id, upd.last_seq, 'status', f.event, ${ts(ctx.now)} from upd join f on f.id = upd.id`);
  }
  if (retried.length > 0) {
    const rows = retried.map((p) => {
      const d = p.item.decision as Extract<FinishDecision, { type: 'retry' }>;
      jobs.push({ runId: p.run.id, startAfter: new Date(ctx.now.getTime() + d.delayMs) });
      const event: RunEventData = {
        type: 'status',
        status: 'queued',
        attempt: p.run.attempt,
        failure: d.failure,
      };
      return { id: p.run.id, event };
    });
    // A new attempt starts from nothing: what the lost one charged was never delivered to the buyer.
    statements.push(`with f as (select * from json_to_recordset(${jsonLiteral(rows)}) as f(id text, event jsonb)),
                          upd as (
                            update runs set status = 'queued', deadline_at = null, question = null,
                                   question_deadline = null, usage = ${jsonLiteral(EMPTY_USAGE)}::jsonb,
                                   last_seq = runs.last_seq + 1
                              from f where runs.id = f.id returning runs.id, runs.last_seq)
                     insert into run_events (run_id, seq, type, data, at)
                     select upd.id, upd.last_seq, 'status', f.event, ${ts(ctx.now)} from upd join f on f.id = upd.id`);
  }
  if (plans.length > 0) {
    const attempts = plans
      .filter((p) => p.run.attempt > 0)
      .map((p) => {
        const d = p.item.decision;
        return {
          run_id: p.run.id,
          number: p.run.attempt,
          outcome: d.type === 'succeeded' ? 'succeeded' : d.failure.code,
          error_message: d.type === 'succeeded' ? null : d.failure.message,
        };
      });
    if (attempts.length > 0) {
      statements.push(`update run_attempts set ended_at = ${ts(ctx.now)}, outcome = a.outcome, error_message = a.error_message
                         from json_to_recordset(${jsonLiteral(attempts)}) as a(run_id text, number int, outcome text, error_message text)
                        where run_attempts.run_id = a.run_id and run_attempts.number = a.number and run_attempts.ended_at is null`);
    }
    const ids = plans.map((p) => p.run.id);
    statements.push(
      ...notifySql(EVENTS_CHANNEL, ids),
      ...(tellWorkers ? notifySql(CONTROL_CHANNEL, ids) : []),
    );
  }
  // Slots freed by runs that held one (running or waiting for an answer): runs waiting for them are
  // offered again after the commit (see `unblockSql`), if there are any.
  const freed = plans.filter((p) => p.run.status === 'running' || p.run.status === 'awaiting_input');
  const freedKeys = {
    buyers: [...new Set(freed.map((p) => p.run.buyerId))],
    agents: [...new Set(freed.map((p) => p.run.agentId))],
  };
  const waitingAt = statements.length;
  if (freed.length > 0) {
    statements.push(`select exists (select 1 from runs where blocked_on is not null and status = 'queued'
        and (buyer_id in ${textList(freedKeys.buyers)} or agent_id in ${textList(freedKeys.agents)})) as waiting`);
  }
  statements.push(...(await queue.enqueueStatements(query, jobs)));
  // The ledger's writes last: they lock the hot escrow and earnings accounts until the commit.
  const written = await run([...statements, ...writes], { last: true });
  const waiting = freed.length > 0 && Boolean(written[waitingAt]?.[0]?.waiting);

  for (const p of plans) {
    const d = p.item.decision;
    const s = p.settlement;
    const updated: Run = {
      ...p.run,
      status: p.status,
      failure: d.type === 'succeeded' || d.type === 'retry' ? null : d.failure,
      charged: s?.charged ?? null,
      refunded: s?.refunded ?? null,
      endedAt: s ? ctx.now : null,
      question: null,
      deadlineAt: d.type === 'retry' ? null : p.run.deadlineAt,
      lastSeq: p.run.lastSeq + 1,
    };
    outcomes[items.indexOf(p.item)] = { type: 'finished', run: updated };
  }
  return { outcomes: outcomes as FinishOutcome[], unblock: waiting ? freedKeys : null };
}
