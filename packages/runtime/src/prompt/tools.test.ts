import { describe, expect, it } from 'vitest';
import { evaluateArithmetic, PLATFORM_TOOLS, platformToolSet, unknownTools } from './tools.ts';

describe('evaluateArithmetic', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 ^ 3 ^ 2', 512],
    ['2 ** 10', 1024],
    ['-2 ^ 2', -4],
    ['10 % 4', 2],
    ['0.1 + 0.2', 0.3],
    ['1.5e3 / 3', 500],
    ['.5 * 4', 2],
    ['sqrt(16) + abs(-3)', 7],
    ['round(2.34567, 2)', 2.35],
    ['max(1, 7, 3) - min(4, 2)', 5],
    ['log(1000)', 3],
    ['ln(e)', 1],
    ['round(sin(pi / 2))', 1],
    ['- - 3', 3],
  ])('%s = %d', (expression, expected) => {
    expect(evaluateArithmetic(expression)).toBe(expected);
  });

  it.each([
    ['1 / 0', 'division by zero'],
    ['5 % 0', 'division by zero'],
    ['', 'the expression is empty'],
    ['2 +', 'the expression ends too early'],
    ['(1 + 2', 'expected ")"'],
    ['1 2', 'unexpected "2"'],
    ['process.exit(1)', 'unexpected "." at position 8'],
    ['constructor', 'unknown name "constructor"'],
    ['alert(1)', 'unknown name "alert"'],
    ['sqrt(1, 2)', 'sqrt() takes 1 argument(s)'],
    ['sqrt(-1)', 'the result is not a finite number'],
    ['10 ^ 400', 'the result is not a finite number'],
    ['1; 2', 'unexpected ";"'],
  ])('refuses %j (%s)', (expression, message) => {
    expect(() => evaluateArithmetic(expression)).toThrow(message);
  });

  it('refuses very long or very deep expressions', () => {
    expect(() => evaluateArithmetic(`${'1+'.repeat(600)}1`)).toThrow('longer than 1000 characters');
    expect(() => evaluateArithmetic(`${'('.repeat(200)}1${')'.repeat(200)}`)).toThrow('nested too deeply');
    expect(() => evaluateArithmetic(`${'-'.repeat(300)}1`)).toThrow('nested too deeply');
  });
});

describe('current_time', () => {
  const now = () => new Date('2026-03-01T23:30:00Z');
  it('gives the instant in UTC and the local date in a time zone', () => {
    expect(PLATFORM_TOOLS.current_time!.execute({ timeZone: 'Asia/Tokyo' }, { now })).toEqual({
      utc: '2026-03-01T23:30:00.000Z',
      timeZone: 'Asia/Tokyo',
      date: '2026-03-02',
      time: '08:30:00',
      weekday: 'Monday',
    });
    expect(PLATFORM_TOOLS.current_time!.execute({}, { now })).toMatchObject({
      timeZone: 'UTC',
      date: '2026-03-01',
    });
    expect(() => PLATFORM_TOOLS.current_time!.execute({ timeZone: 'Mars/Olympus' }, { now })).toThrow(
      'unknown time zone "Mars/Olympus"',
    );
  });
});

describe('platform tool set', () => {
  it('knows its tools and validates inputs', async () => {
    expect(unknownTools(['calculator', 'current_time', 'shell'])).toEqual(['shell']);
    const set = platformToolSet(['calculator']);
    const schema = set.calculator!.inputSchema as {
      validate?: (v: unknown) => Promise<{ success: boolean }> | { success: boolean };
    };
    expect((await schema.validate!({ expression: '1+1' })).success).toBe(true);
    expect((await schema.validate!({ expr: '1+1' })).success).toBe(false);
    expect(() => platformToolSet(['shell'])).toThrow('"shell" is not a platform tool');
  });
});
