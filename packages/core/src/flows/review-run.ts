import type { Catalog } from '../catalog/catalog.ts';
import type { Actor, CatalogError, Review } from '../catalog/types.ts';
import { isFinal } from '../runs/statuses.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import { err, type Result } from '../shared/result.ts';
import type { RunEngine } from './run-engine.ts';
import { runOutcomeOf } from './run-outcome.ts';

/**
 * A buyer reviews their finished run. The catalog learns of finished runs in batches, a moment after
 * they end; a buyer who reviews at once must not be told their run is unknown, so its outcome is
 * recorded here first (recording it again changes nothing).
 */
export async function reviewRun(
  deps: { engine: RunEngine; catalog: Catalog; clock?: Clock },
  actor: Actor,
  runId: string,
  rating: number,
  body: string,
): Promise<Result<Review, CatalogError>> {
  const run = await deps.engine.get(actor, runId);
  if (!run.ok || run.value.buyerId !== actor.id) {
    return err({
      type: 'review_not_allowed',
      runId,
      reason: 'only the buyer of a finished run can review it',
    });
  }
  if (!isFinal(run.value.status)) {
    return err({ type: 'review_not_allowed', runId, reason: 'the run has not ended yet' });
  }
  await deps.catalog.recordRunOutcome(runOutcomeOf(run.value, (deps.clock ?? systemClock).now()));
  return deps.catalog.review(actor, runId, rating, body);
}
