import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUsd, splitCommission } from './money.ts';

describe('splitCommission', () => {
  it('gives the platform the floor of the rate and the creator the rest', () => {
    expect(splitCommission(99n, 2000)).toEqual({ creator: 80n, platform: 19n });
    expect(splitCommission(100n, 2000)).toEqual({ creator: 80n, platform: 20n });
    expect(splitCommission(4n, 2000)).toEqual({ creator: 4n, platform: 0n });
    expect(splitCommission(0n, 2000)).toEqual({ creator: 0n, platform: 0n });
    expect(splitCommission(7n, 10_000)).toEqual({ creator: 0n, platform: 7n });
  });

  it('always adds up to the amount, with the fraction going to the creator', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.integer({ min: 0, max: 10_000 }),
        (amount, bps) => {
          const { creator, platform } = splitCommission(amount, bps);
          expect(creator + platform).toBe(amount);
          expect(platform * 10_000n <= amount * BigInt(bps)).toBe(true);
          expect((platform + 1n) * 10_000n > amount * BigInt(bps)).toBe(true);
        },
      ),
    );
  });

  it('refuses rates outside 0..10000 and fractional rates', () => {
    expect(() => splitCommission(10n, 10_001)).toThrow(/rate/);
    expect(() => splitCommission(10n, 12.5)).toThrow(/rate/);
    expect(() => splitCommission(-1n, 10)).toThrow(/negative/);
  });
});

describe('formatUsd', () => {
  it('formats whole cents without floating point', () => {
    expect(formatUsd(50n)).toBe('$0.50');
    expect(formatUsd(123456n)).toBe('$1234.56');
    expect(formatUsd(-5n)).toBe('-$0.05');
  });
});
