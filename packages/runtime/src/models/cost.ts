/**
 * Model prices and costs, in integers only. Operators write prices as decimal numbers of credits per
 * million tokens (1 credit = US$0.01: gpt-4o-mini's $0.15 per million input tokens is 15). They are
 * kept as exact integers of micro-credits (millionths of a credit) per million tokens, and a call's
 * cost is `ceil((inputTokens × inputPrice + outputTokens × outputPrice) / 10⁶)` micro-credits: one
 * rounding, upwards, per provider call, so the platform never undercharges what a provider bills it.
 */

/** Millionths of a credit in a credit. */
export const MICRO_PER_CREDIT = 1_000_000n;
const TOKENS_PER_MILLION = 1_000_000n;
/** The finest price an operator can write: 6 decimal places of a credit per million tokens. */
export const PRICE_DECIMALS = 6;
/** 10⁹ credits (US$10 million) per million tokens: far above any real price, far below overflow concerns. */
const MAX_PRICE_MICRO = 1_000_000_000n * MICRO_PER_CREDIT;

export interface ModelPrices {
  /** Micro-credits per million input (prompt) tokens, exact. */
  readonly inputMicroCreditsPerMillionTokens: bigint;
  /** Micro-credits per million output (completion) tokens, exact. */
  readonly outputMicroCreditsPerMillionTokens: bigint;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * A decimal amount of credits (`0.075`, `"15"`, `2.5e-1`) as an exact integer of micro-credits, or a
 * sentence saying why it cannot be one (negative, not a number, finer than 6 decimal places, too
 * large). A JSON number is read through its shortest decimal form (`String(n)`), which is what the
 * operator wrote, so `0.1` is exactly 100,000 micro-credits, never 0.1000000000000000055….
 */
export function decimalCreditsToMicro(value: number | string): bigint | string {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'must be a finite number';
  const text = (typeof value === 'number' ? String(value) : value).trim();
  const m = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/.exec(text);
  if (!m) {
    return text.startsWith('-') ? 'must not be negative' : 'must be a decimal number such as 0.15 or 15';
  }
  const whole = m[1]!;
  const fraction = m[2] ?? '';
  const exponent = Number(m[3] ?? '0');
  // digits × 10^(exponent − fraction.length), scaled by 10^6.
  const digits = BigInt(whole + fraction);
  const shift = exponent - fraction.length + PRICE_DECIMALS;
  let micro: bigint;
  if (shift >= 0) {
    if (shift > 30) return 'is too large';
    micro = digits * 10n ** BigInt(shift);
  } else {
    if (digits === 0n) return 0n;
    if (-shift > 60) return `has more than ${PRICE_DECIMALS} decimal places`;
    const divisor = 10n ** BigInt(-shift);
    if (digits % divisor !== 0n) return `has more than ${PRICE_DECIMALS} decimal places`;
    micro = digits / divisor;
  }
  if (micro > MAX_PRICE_MICRO) return 'is too large (at most 1,000,000,000 credits per million tokens)';
  return micro;
}

function tokens(name: string, n: number): bigint {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
  return BigInt(n);
}

/** What one provider call cost, in micro-credits, rounded up. */
export function modelCostMicroCredits(usage: TokenUsage, prices: ModelPrices): bigint {
  const total =
    tokens('inputTokens', usage.inputTokens) * prices.inputMicroCreditsPerMillionTokens +
    tokens('outputTokens', usage.outputTokens) * prices.outputMicroCreditsPerMillionTokens;
  return (total + TOKENS_PER_MILLION - 1n) / TOKENS_PER_MILLION;
}

/** Micro-credits as a decimal string of credits, for messages (`1234567n` → `"1.234567"`). */
export function formatMicroCredits(micro: bigint): string {
  const sign = micro < 0n ? '-' : '';
  const abs = micro < 0n ? -micro : micro;
  const fraction = (abs % MICRO_PER_CREDIT).toString().padStart(PRICE_DECIMALS, '0').replace(/0+$/, '');
  return `${sign}${abs / MICRO_PER_CREDIT}${fraction ? `.${fraction}` : ''}`;
}
