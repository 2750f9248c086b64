import type { RunOutcome } from '../catalog/types.ts';
import type { Run } from '../runs/types.ts';

/** A finished run as the catalog's stats learn of it (how long it worked, what it was paid). */
export function runOutcomeOf(run: Run, now: Date): RunOutcome {
  const endedAt = run.endedAt ?? now;
  return {
    runId: run.id,
    agentId: run.agentId,
    versionId: run.versionId,
    buyerId: run.buyerId,
    status: run.status as RunOutcome['status'],
    durationMs: Math.max(0, endedAt.getTime() - (run.startedAt ?? run.createdAt).getTime()),
    creditsPaid: run.charged ?? 0,
    finishedAt: endedAt,
  };
}
