import { err, ok, type Result } from '../shared/result.ts';

/**
 * A run's public status, and the one table of the moves between them. Every write of a status is a
 * compare-and-set on the status the writer read; a move the table does not have is an error, never
 * a silent write.
 *
 *            start            ask              succeed
 *   queued ────────▶ running ─────▶ awaiting_input      running ─────────▶ succeeded
 *     ▲                │  ▲            │
 *     └──── retry ─────┘  └── answer ──┘
 *     ▲                               │
 *     └──────────── retry ────────────┘   (the worker was lost while the run waited)
 *
 *   queued | running | awaiting_input ── fail ──────▶ failed
 *   queued | running | awaiting_input ── cancel ────▶ cancelled
 *   running | awaiting_input ─────────── time_out ──▶ timed_out
 */
export const RUN_STATUSES = [
  'queued',
  'running',
  'awaiting_input',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const FINAL_STATUSES = [
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const satisfies readonly RunStatus[];
export type FinalStatus = (typeof FINAL_STATUSES)[number];

export const isFinal = (status: RunStatus): status is FinalStatus =>
  (FINAL_STATUSES as readonly RunStatus[]).includes(status);

export type RunMove = 'start' | 'ask' | 'answer' | 'succeed' | 'fail' | 'cancel' | 'time_out' | 'retry';

const TABLE: Record<RunMove, Partial<Record<RunStatus, RunStatus>>> = {
  start: { queued: 'running' },
  ask: { running: 'awaiting_input' },
  answer: { awaiting_input: 'running' },
  succeed: { running: 'succeeded' },
  fail: { queued: 'failed', running: 'failed', awaiting_input: 'failed' },
  cancel: { queued: 'cancelled', running: 'cancelled', awaiting_input: 'cancelled' },
  time_out: { running: 'timed_out', awaiting_input: 'timed_out' },
  retry: { running: 'queued', awaiting_input: 'queued' },
};

export interface InvalidTransition {
  type: 'invalid_transition';
  from: RunStatus;
  event: RunMove;
  message: string;
}

/** Where `event` takes a run in status `from`, or why it cannot. */
export function nextStatus(from: RunStatus, event: RunMove): Result<RunStatus, InvalidTransition> {
  const to = TABLE[event][from];
  if (to === undefined) {
    const why = isFinal(from)
      ? `the run has already ended (${from})`
      : `a ${from} run cannot ${event.replace('_', ' ')}`;
    return err({ type: 'invalid_transition', from, event, message: why });
  }
  return ok(to);
}
