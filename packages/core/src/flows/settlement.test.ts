import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Pricing } from '../catalog/pricing.ts';
import { FINAL_STATUSES } from '../runs/statuses.ts';
import { settle } from './settlement.ts';

const perRun: Pricing = { model: 'per_run', credits: 40 };
const perEvent: Pricing = {
  model: 'per_event',
  events: [
    { name: 'model', credits: 30 },
    { name: 'preview', credits: 5 },
  ],
  maxCreditsPerRun: 35,
};
const perToken: Pricing = { model: 'per_token', markupBps: 2_000, maxCreditsPerRun: 50 };
const none = { events: [], modelCostMicroCredits: 0n };

describe('settling a run', () => {
  it('charges the price of a successful per-run run, and nothing for any other ending', () => {
    expect(settle(perRun, 'succeeded', none)).toEqual({ capture: 40, release: 0 });
    for (const status of ['failed', 'timed_out', 'cancelled'] as const) {
      expect(settle(perRun, status, none)).toEqual({ capture: 0, release: 40 });
    }
  });

  it('charges the events delivered, on success and on cancellation, never on failure', () => {
    const delivered = { events: [{ name: 'model', quantity: 1 }], modelCostMicroCredits: 0n };
    expect(settle(perEvent, 'succeeded', delivered)).toEqual({ capture: 30, release: 5 });
    expect(settle(perEvent, 'cancelled', delivered)).toEqual({ capture: 30, release: 5 });
    expect(settle(perEvent, 'failed', delivered)).toEqual({ capture: 0, release: 35 });
    expect(settle(perEvent, 'timed_out', delivered)).toEqual({ capture: 0, release: 35 });
  });

  it('charges metered cost plus markup, rounded up to a whole credit, capped at the hold', () => {
    // 10 credits and one millionth of cost, +20%: 12.0000012 → 13.
    expect(settle(perToken, 'succeeded', { events: [], modelCostMicroCredits: 10_000_001n })).toEqual({
      capture: 13,
      release: 37,
    });
    expect(settle(perToken, 'succeeded', { events: [], modelCostMicroCredits: 10_000_000n })).toEqual({
      capture: 12,
      release: 38,
    });
    expect(settle(perToken, 'succeeded', { events: [], modelCostMicroCredits: 10n ** 12n })).toEqual({
      capture: 50,
      release: 0,
    });
    expect(settle(perToken, 'failed', { events: [], modelCostMicroCredits: 10_000_000n })).toEqual({
      capture: 0,
      release: 50,
    });
  });

  it('never captures more than the hold, nor less than zero, and always resolves all of it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(perRun, perEvent, perToken),
        fc.constantFrom(...FINAL_STATUSES),
        fc.array(
          fc.record({
            name: fc.constantFrom('model', 'preview', 'unknown'),
            quantity: fc.integer({ min: 0, max: 1_000 }),
          }),
        ),
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        (pricing, status, events, cost) => {
          const { capture, release } = settle(pricing, status, { events, modelCostMicroCredits: cost });
          const max = pricing.model === 'per_run' ? pricing.credits : pricing.maxCreditsPerRun;
          expect(Number.isInteger(capture) && Number.isInteger(release)).toBe(true);
          expect(capture).toBeGreaterThanOrEqual(0);
          expect(capture + release).toBe(max);
          if (status === 'failed' || status === 'timed_out') expect(capture).toBe(0);
        },
      ),
    );
  });
});
