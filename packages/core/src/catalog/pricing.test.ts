import { describe, expect, it } from 'vitest';
import { comparePricing, eventPrice, maxCreditsPerRun, type Pricing } from './pricing.ts';

const perRun = (credits: number): Pricing => ({ model: 'per_run', credits });
const perEvent = (events: Record<string, number>, max: number): Pricing => ({
  model: 'per_event',
  events: Object.entries(events).map(([name, credits]) => ({ name, credits })),
  maxCreditsPerRun: max,
});

describe('pricing', () => {
  it('holds the price for per-run pricing and the declared maximum otherwise', () => {
    expect(maxCreditsPerRun(perRun(20))).toBe(20);
    expect(maxCreditsPerRun(perEvent({ image: 5 }, 50))).toBe(50);
    expect(maxCreditsPerRun({ model: 'per_token', markupBps: 2000, maxCreditsPerRun: 80 })).toBe(80);
    expect(eventPrice(perEvent({ image: 5 }, 50), 'image')).toBe(5);
    expect(eventPrice(perEvent({ image: 5 }, 50), 'video')).toBeUndefined();
  });

  it.each([
    ['a higher per-run price', perRun(20), perRun(21), 'rise'],
    ['a lower per-run price', perRun(20), perRun(19), 'cut'],
    ['the same price', perRun(20), perRun(20), 'same'],
    ['a change of model', perRun(20), perEvent({ image: 1 }, 10), 'rise'],
    ['a dearer event', perEvent({ image: 5 }, 50), perEvent({ image: 6 }, 50), 'rise'],
    ['a new event', perEvent({ image: 5 }, 50), perEvent({ image: 5, video: 1 }, 50), 'rise'],
    ['a removed event', perEvent({ image: 5, video: 9 }, 50), perEvent({ image: 5 }, 50), 'cut'],
    ['a cheaper event but a higher maximum', perEvent({ image: 5 }, 50), perEvent({ image: 4 }, 60), 'rise'],
    ['a cheaper event and a lower maximum', perEvent({ image: 5 }, 50), perEvent({ image: 4 }, 40), 'cut'],
    [
      'a higher markup',
      { model: 'per_token', markupBps: 2000, maxCreditsPerRun: 80 },
      { model: 'per_token', markupBps: 2500, maxCreditsPerRun: 80 },
      'rise',
    ],
  ] as const)('calls %s a %s', (_name, before, after, expected) => {
    expect(comparePricing(before, after)).toBe(expected);
  });
});
