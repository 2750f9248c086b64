import { describe, expect, it } from 'vitest';
import { outputs, run } from './test-support.ts';

const COUNTRIES = 'country,answer\nNA,None\nNa,yes\n  ,no\nFR,null\n';

describe('missing value spellings (option missingTokens)', () => {
  it('reads NA, None and NULL as missing by default', async () => {
    const { profile, cleaned, column } = outputs(await run(COUNTRIES));
    expect(profile.options.missingTokens).toBe('standard');
    expect(cleaned).toBe('country,answer\n,\n,yes\n,no\nFR,\n');
    expect(column('country').missing.total).toBe(3);
  });

  it('keeps them as values with "empty": only empty and whitespace cells are missing', async () => {
    const { profile, cleaned, column, report } = outputs(await run(COUNTRIES, { missingTokens: 'empty' }));
    expect(profile.options.missingTokens).toBe('empty');
    expect(cleaned).toBe('country,answer\nNA,None\nNa,yes\n,no\nFR,null\n');
    expect(column('country').missing.total).toBe(1);
    expect(column('country').missing.tokens).toEqual({});
    expect(column('answer').missing.total).toBe(0);
    expect(profile.rules.missing).not.toContain('"na"');
    expect(report).toContain('Missing values (whitespace only) written as empty');
  });
});
