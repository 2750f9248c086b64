import {
  type ChargeOutcome,
  decideCharge,
  type MeterOutcome,
  type ModelCall,
  modelBudgetLeft,
  type Run,
  type RunEventData,
  type RunUsage,
} from '@jeton/core';
import { jsonLiteral, literal, type SqlRunner } from '../ledger/sql-runner.ts';
import { appendEventsSql, EVENTS_CHANNEL, notifySql, runFromJson } from './rows.ts';

/**
 * What an attempt uses, recorded as it goes: per-event charges and metered model calls. Each is one
 * transaction that locks the run, checks that the attempt is still the live one, and writes the new
 * usage with its event, so that usage and the log never disagree and an ended attempt adds nothing.
 */

/** The run, locked, if `attempt` is its live attempt (running, or waiting for the buyer's answer). */
async function lockLive(run: SqlRunner, runId: string, attempt: number): Promise<Run | null> {
  const [rows] = await run([
    `select row_to_json(r) as run from runs r where id = ${literal(runId)} for update`,
  ]);
  const j = rows?.[0]?.run as Record<string, unknown> | undefined;
  if (!j) return null;
  const r = runFromJson(j);
  return r.attempt === attempt && (r.status === 'running' || r.status === 'awaiting_input') ? r : null;
}

async function writeUsage(run: SqlRunner, runId: string, usage: RunUsage, event: RunEventData, now: Date) {
  await run(
    [
      `update runs set usage = ${jsonLiteral(usage)}::jsonb where id = ${literal(runId)}`,
      appendEventsSql([{ runId, events: [event] }], now),
      ...notifySql(EVENTS_CHANNEL, [runId]),
    ],
    { last: true },
  );
}

/** Records `quantity` of a per-event price's `event`; refused past the run's maximum. */
export async function chargeRun(
  run: SqlRunner,
  runId: string,
  attempt: number,
  event: string,
  quantity: number,
  now: Date,
): Promise<ChargeOutcome> {
  const r = await lockLive(run, runId, attempt);
  if (!r) return { type: 'stale' };
  const decision = decideCharge(r.pricing, r.usage.events, event, quantity);
  if (decision.type !== 'charged') return decision;
  const { credits, total } = decision;
  const usage = {
    ...r.usage,
    events: { ...r.usage.events, [event]: (r.usage.events[event] ?? 0) + quantity },
  };
  await writeUsage(run, runId, usage, { type: 'charge', event, quantity, credits, total }, now);
  return decision;
}

/**
 * Records a model call's cost. The cost was spent whatever happens next, but only a live attempt's
 * usage is what its run is billed for: a call that ends after its attempt did is not recorded.
 */
export async function meterRun(
  run: SqlRunner,
  runId: string,
  attempt: number,
  call: ModelCall,
  now: Date,
): Promise<MeterOutcome> {
  const r = await lockLive(run, runId, attempt);
  if (!r) return { type: 'stale' };
  const spent = BigInt(r.usage.modelCostMicroCredits) + call.costMicroCredits;
  await writeUsage(
    run,
    runId,
    { ...r.usage, modelCostMicroCredits: spent.toString() },
    {
      type: 'model',
      model: call.model,
      inputTokens: call.inputTokens,
      outputTokens: call.outputTokens,
      costMicroCredits: call.costMicroCredits.toString(),
    },
    now,
  );
  return { type: 'metered', remainingMicroCredits: modelBudgetLeft(r.pricing, spent) };
}
