import { describe, expect, it } from 'vitest';
import { readEvalCases, runEvalCase } from '../evals.ts';
import agent from './agent.ts';
import { detectDelimiter } from './delimiter.ts';
import { DistinctCounter } from './distinct.ts';
import { here } from './test-support.ts';
import { parseDate, valueKind } from './values.ts';

describe('the rules behind the profile', () => {
  it('detects delimiters from a sample, quote-aware', () => {
    expect(detectDelimiter('a;b;c\nx;1,5;2,5\ny;3,5;4,5\n', true)).toBe(';');
    expect(detectDelimiter('name,note\nAnn,"a; b; c"\nBo,"d;e"\n', true)).toBe(',');
    expect(detectDelimiter('a\tb\n"x\ty"\t2\n', true)).toBe('\t');
    expect(detectDelimiter('a|b|c\n1|2|3\n', true)).toBe('|');
    expect(detectDelimiter('single\nvalue\n', true)).toBe(',');
  });

  it('recognises only real calendar dates and plain numbers', () => {
    expect(parseDate('2024-02-29')?.iso).toBe('2024-02-29');
    expect(parseDate('2023-02-29')).toBeNull();
    expect(parseDate('2024-13-01')).toBeNull();
    expect(parseDate('2024-05-06T07:08:09.123+02:00')?.iso).toBe('2024-05-06T07:08:09');
    expect(parseDate('31/12/2024')).toMatchObject({ dayFirst: '2024-12-31', monthFirst: null });
    expect(valueKind('007', false)).toBe('text');
    expect(valueKind('-12', false)).toBe('integer');
    expect(valueKind('1e3', false)).toBe('number');
    expect(valueKind('1e999', false)).toBe('text');
    expect(valueKind('12,5', true)).toBe('number');
    expect(valueKind('12,5', false)).toBe('text');
    expect(valueKind('$12', false)).toBe('text');
    expect(valueKind('Yes', false)).toBe('boolean');
  });

  it('counts distinct values exactly up to the cap, then estimates', () => {
    const small = new DistinctCounter(100);
    for (let i = 0; i < 250; i++) small.add(`v${i % 80}`);
    expect(small.result()).toEqual({ count: 80, exact: true });
    const large = new DistinctCounter(100);
    for (let i = 0; i < 100_000; i++) large.add(`value-${i}`);
    const { count, exact } = large.result();
    expect(exact).toBe(false);
    expect(Math.abs(count - 100_000) / 100_000).toBeLessThan(0.05);
  });
});

describe('evals.json', () => {
  it('passes every eval case', async () => {
    const cases = readEvalCases(here);
    expect(cases.length).toBeGreaterThanOrEqual(3);
    for (const c of cases) {
      const outcome = await runEvalCase(agent as never, here, c);
      expect({ name: c.name, failures: outcome.failures }).toEqual({ name: c.name, failures: [] });
    }
  });
});
