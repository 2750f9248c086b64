import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decimalCreditsToMicro,
  formatMicroCredits,
  type ModelPrices,
  modelCostMicroCredits,
} from './cost.ts';

const prices = (input: bigint, output: bigint): ModelPrices => ({
  inputMicroCreditsPerMillionTokens: input,
  outputMicroCreditsPerMillionTokens: output,
});

describe('decimalCreditsToMicro', () => {
  it('converts decimal prices exactly', () => {
    expect(decimalCreditsToMicro(15)).toBe(15_000_000n);
    expect(decimalCreditsToMicro(0.1)).toBe(100_000n);
    expect(decimalCreditsToMicro(0.075)).toBe(75_000n);
    expect(decimalCreditsToMicro('2.5')).toBe(2_500_000n);
    expect(decimalCreditsToMicro('0.000001')).toBe(1n);
    expect(decimalCreditsToMicro(1.5e3)).toBe(1_500_000_000n);
    expect(decimalCreditsToMicro('25e-2')).toBe(250_000n);
    expect(decimalCreditsToMicro(0)).toBe(0n);
    expect(decimalCreditsToMicro('0.0000000')).toBe(0n);
  });

  it('refuses what cannot be an exact price', () => {
    expect(decimalCreditsToMicro(1e-7)).toBe('has more than 6 decimal places');
    expect(decimalCreditsToMicro('0.0000015')).toBe('has more than 6 decimal places');
    expect(decimalCreditsToMicro(0.1 + 0.2)).toBe('has more than 6 decimal places');
    expect(decimalCreditsToMicro(-1)).toBe('must not be negative');
    expect(decimalCreditsToMicro('ten')).toBe('must be a decimal number such as 0.15 or 15');
    expect(decimalCreditsToMicro(Number.NaN)).toBe('must be a finite number');
    expect(decimalCreditsToMicro(Number.POSITIVE_INFINITY)).toBe('must be a finite number');
    expect(decimalCreditsToMicro(2e9)).toMatch(/too large/);
  });

  it('reads back every amount it formats, from a string and from a JSON number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1_000_000_000_000_000n }), (micro) => {
        const text = formatMicroCredits(micro);
        expect(decimalCreditsToMicro(text)).toBe(micro);
        expect(decimalCreditsToMicro(JSON.parse(text) as number)).toBe(micro);
      }),
    );
  });
});

describe('modelCostMicroCredits', () => {
  it('prices tokens exactly and rounds the call up once', () => {
    expect(
      modelCostMicroCredits({ inputTokens: 1000, outputTokens: 500 }, prices(2_500_000n, 10_000_000n)),
    ).toBe(7_500n);
    // 7 tokens at 0.075 credits per million = 0.525 micro-credits → 1.
    expect(modelCostMicroCredits({ inputTokens: 7, outputTokens: 0 }, prices(75_000n, 0n))).toBe(1n);
    // Rounded once on the sum (0.5 + 0.5 = 1), not per part (1 + 1).
    expect(modelCostMicroCredits({ inputTokens: 5, outputTokens: 5 }, prices(100_000n, 100_000n))).toBe(1n);
    expect(modelCostMicroCredits({ inputTokens: 0, outputTokens: 0 }, prices(1n, 1n))).toBe(0n);
  });

  it('refuses token counts that are not counts', () => {
    expect(() => modelCostMicroCredits({ inputTokens: -1, outputTokens: 0 }, prices(1n, 1n))).toThrow(
      RangeError,
    );
    expect(() => modelCostMicroCredits({ inputTokens: 1.5, outputTokens: 0 }, prices(1n, 1n))).toThrow(
      RangeError,
    );
  });

  it('is the exact cost rounded up: never below it, never a whole micro-credit above', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 10_000_000 }),
        fc.nat({ max: 10_000_000 }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        (input, output, pin, pout) => {
          const cost = modelCostMicroCredits({ inputTokens: input, outputTokens: output }, prices(pin, pout));
          const exactTimesMillion = BigInt(input) * pin + BigInt(output) * pout;
          expect(cost * 1_000_000n >= exactTimesMillion).toBe(true);
          expect((cost - 1n) * 1_000_000n < exactTimesMillion).toBe(true);
        },
      ),
    );
  });

  it('never decreases when more tokens are used', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1_000_000 }),
        fc.nat({ max: 1_000 }),
        fc.bigInt({ min: 0n, max: 10n ** 10n }),
        (n, more, p) => {
          const a = modelCostMicroCredits({ inputTokens: n, outputTokens: n }, prices(p, p));
          const b = modelCostMicroCredits({ inputTokens: n + more, outputTokens: n }, prices(p, p));
          expect(b >= a).toBe(true);
        },
      ),
    );
  });
});

describe('formatMicroCredits', () => {
  it('writes credits with up to 6 decimals', () => {
    expect(formatMicroCredits(1_234_567n)).toBe('1.234567');
    expect(formatMicroCredits(2_800_000n)).toBe('2.8');
    expect(formatMicroCredits(5n)).toBe('0.000005');
    expect(formatMicroCredits(0n)).toBe('0');
  });
});
