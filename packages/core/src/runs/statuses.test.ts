import { describe, expect, it } from 'vitest';
import { FINAL_STATUSES, isFinal, nextStatus, RUN_STATUSES, type RunMove } from './statuses.ts';

const EVENTS: RunMove[] = ['start', 'ask', 'answer', 'succeed', 'fail', 'cancel', 'time_out', 'retry'];

describe('run statuses', () => {
  it.each([
    ['queued', 'start', 'running'],
    ['running', 'ask', 'awaiting_input'],
    ['awaiting_input', 'answer', 'running'],
    ['running', 'succeed', 'succeeded'],
    ['running', 'retry', 'queued'],
    ['awaiting_input', 'retry', 'queued'],
    ['queued', 'fail', 'failed'],
    ['awaiting_input', 'fail', 'failed'],
    ['queued', 'cancel', 'cancelled'],
    ['awaiting_input', 'cancel', 'cancelled'],
    ['running', 'time_out', 'timed_out'],
    ['awaiting_input', 'time_out', 'timed_out'],
  ] as const)('%s --%s--> %s', (from, event, to) => {
    expect(nextStatus(from, event)).toEqual({ ok: true, value: to });
  });

  it('lets nothing move a run that has ended', () => {
    for (const from of FINAL_STATUSES) {
      for (const event of EVENTS) {
        expect(nextStatus(from, event)).toMatchObject({
          ok: false,
          error: { type: 'invalid_transition', from, event },
        });
      }
    }
  });

  it('refuses moves the table does not have, with a sentence', () => {
    expect(nextStatus('queued', 'succeed')).toMatchObject({
      ok: false,
      error: { message: 'a queued run cannot succeed' },
    });
    expect(nextStatus('awaiting_input', 'succeed').ok).toBe(false);
    expect(nextStatus('queued', 'time_out').ok).toBe(false);
    expect(nextStatus('succeeded', 'cancel')).toMatchObject({
      ok: false,
      error: { message: 'the run has already ended (succeeded)' },
    });
  });

  it('reaches every status, and ends only in the final ones', () => {
    const reached = new Set<string>(['queued']);
    for (let round = 0; round < RUN_STATUSES.length; round++) {
      for (const from of [...reached]) {
        for (const event of EVENTS) {
          const r = nextStatus(from as never, event);
          if (r.ok) reached.add(r.value);
        }
      }
    }
    expect([...reached].sort()).toEqual([...RUN_STATUSES].sort());
    expect(RUN_STATUSES.filter(isFinal)).toEqual([...FINAL_STATUSES]);
  });
});
