import type { Catalog } from '../catalog/catalog.ts';
import type { ApplyContext } from '../ledger/apply.ts';
import { DEFAULT_RETRY, failureOutcome, type RetryPolicy, retryDecision } from '../runs/failures.ts';
import type { ConcurrencyLimits, FinishOutcome, FinishRequest, RunStore } from '../runs/port.ts';
import { isFinal } from '../runs/statuses.ts';
import { runOutcomeOf } from './run-outcome.ts';

export interface SweepOptions {
  /** An open attempt whose heartbeat is older than this has lost its worker. */
  leaseMs: number;
  limit: number;
  limits: ConcurrencyLimits;
  retry?: RetryPolicy;
  random?: () => number;
}

export interface SweepReport {
  lost: number;
  timedOut: number;
  unanswered: number;
  expired: number;
  unblocked: number;
}

const end = (
  { runId, attempt }: { runId: string; attempt: number },
  status: 'failed' | 'timed_out',
  code: Parameters<typeof failureOutcome>[0],
  message: string,
): FinishRequest => ({ runId, attempt, decision: { type: 'end', status, failure: failure(code, message) } });

const failure = (code: Parameters<typeof failureOutcome>[0], message: string) => ({
  code,
  fault: failureOutcome(code).fault,
  message,
});

/**
 * Ends what no worker will: attempts whose worker died (retried when the agent is retry-safe and
 * attempts remain, otherwise failed and refunded), runs past their deadline (a stuck agent), questions
 * never answered, runs about to outlive their hold. Every end is the same compare-and-set as a worker's,
 * so a sweep racing a worker (or another sweep) changes a run once. Safe to run in every process.
 */
export async function sweepRuns(
  store: RunStore,
  catalog: Catalog | null,
  ctx: ApplyContext,
  options: SweepOptions,
): Promise<SweepReport> {
  const c = await store.sweepCandidates(ctx.now, options.leaseMs, options.limit);
  const requests: FinishRequest[] = [
    ...c.lostAttempts.map(({ runId, attempt, retrySafe }): FinishRequest => {
      const f = failure('worker_lost', 'The worker running the agent stopped answering.');
      const d = retryDecision(
        'worker_lost',
        attempt,
        retrySafe,
        options.retry ?? DEFAULT_RETRY,
        options.random,
      );
      return {
        runId,
        attempt,
        decision:
          d.type === 'retry'
            ? { type: 'retry', delayMs: d.delayMs, failure: f }
            : { type: 'end', status: d.outcome.status, failure: f },
      };
    }),
    ...c.pastDeadline.map((r) => end(r, 'timed_out', 'agent_timeout', 'The agent ran past its timeout.')),
    ...c.unanswered.map((r) =>
      end(r, 'failed', 'question_unanswered', 'The question was not answered in time.'),
    ),
    ...c.expiring.map((r) =>
      end(r, 'failed', 'platform_transient', 'The run could not be completed in time; nothing was charged.'),
    ),
  ];
  const outcomes = requests.length ? await finishEach(store, requests, ctx) : [];
  const done = (from: number, count: number) =>
    outcomes.slice(from, from + count).filter((o) => o.type === 'finished').length;
  const n1 = c.lostAttempts.length;
  const n2 = c.pastDeadline.length;
  const n3 = c.unanswered.length;
  if (catalog) {
    const ended = outcomes.flatMap((o) => (o.type === 'finished' && isFinal(o.run.status) ? [o.run] : []));
    await catalog.recordRunOutcomes(ended.map((r) => runOutcomeOf(r, ctx.now)));
  }
  return {
    lost: done(0, n1),
    timedOut: done(n1, n2),
    unanswered: done(n1 + n2, n3),
    expired: done(n1 + n2 + n3, c.expiring.length),
    unblocked: await store.unblock(options.limit, options.limits),
  };
}

/**
 * Ends the sweep's candidates together, or, if that fails, one by one: a run that cannot be ended (a
 * bug, a broken row) must not keep every other run from being swept, sweep after sweep.
 */
async function finishEach(
  store: RunStore,
  requests: FinishRequest[],
  ctx: ApplyContext,
): Promise<FinishOutcome[]> {
  try {
    return await store.finish(requests, ctx, { tellWorkers: true });
  } catch {
    const outcomes: FinishOutcome[] = [];
    for (const r of requests) {
      const one = await store.finish([r], ctx, { tellWorkers: true }).catch(() => null);
      outcomes.push(one?.[0] ?? { type: 'stale', run: null });
    }
    return outcomes;
  }
}
