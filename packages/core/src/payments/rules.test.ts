import { describe, expect, it } from 'vitest';
import { decideDailyLimit, decidePayout, topUpCommandId, utcDayStart } from './rules.ts';

describe('payment rules', () => {
  it('lets a top-up through only when it fits within what is left of the day, whole', () => {
    expect(decideDailyLimit(400n, 600n, 1000n)).toEqual({ ok: true, value: 400n });
    expect(decideDailyLimit(401n, 600n, 1000n)).toEqual({
      ok: false,
      error: { type: 'daily_limit_reached', limit: 1000n, usedToday: 600n, remaining: 400n },
    });
    // A limit lowered below what was already used leaves nothing, never a negative remainder.
    expect(decideDailyLimit(1n, 1200n, 1000n)).toMatchObject({ ok: false, error: { remaining: 0n } });
  });

  it('counts the day from midnight UTC', () => {
    expect(utcDayStart(new Date('2026-03-04T23:59:59.999Z')).toISOString()).toBe('2026-03-04T00:00:00.000Z');
    expect(utcDayStart(new Date('2026-03-05T00:00:00.000Z')).toISOString()).toBe('2026-03-05T00:00:00.000Z');
  });

  it('pays out everything withdrawable by default, refusing below the minimum or above the earnings', () => {
    expect(decidePayout(undefined, 2500n, 1000n)).toEqual({ ok: true, value: 2500n });
    expect(decidePayout(1000n, 2500n, 1000n)).toEqual({ ok: true, value: 1000n });
    expect(decidePayout(999n, 2500n, 1000n)).toMatchObject({
      ok: false,
      error: { type: 'below_payout_minimum', minimum: 1000n, amount: 999n },
    });
    expect(decidePayout(undefined, 300n, 1000n)).toMatchObject({
      ok: false,
      error: { type: 'below_payout_minimum', amount: 300n },
    });
    expect(decidePayout(2501n, 2500n, 1000n)).toMatchObject({
      ok: false,
      error: { type: 'insufficient_earnings', available: 2500n, requested: 2501n },
    });
  });

  it('names one ledger command per provider payment, whatever event reports it', () => {
    expect(topUpCommandId('stripe', 'cs_test_a1')).toBe('topup:stripe:cs_test_a1');
  });
});
