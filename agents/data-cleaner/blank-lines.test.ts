import { describe, expect, it } from 'vitest';
import { outputs, run } from './test-support.ts';

describe('blank lines', () => {
  it('removes a line of only whitespace as a blank line, not an all-missing ragged row', async () => {
    const { profile, cleaned, report } = outputs(await run('a,b\n1,2\n   \n3,4\n \t \n5,6\n'));
    expect(cleaned).toBe('a,b\n1,2\n3,4\n5,6\n');
    expect(profile.rows).toMatchObject({ data: 3, blankLinesSkipped: 2, allMissing: 0 });
    expect(profile.rows.ragged.count).toBe(0);
    expect(report).toContain('| Blank lines removed | 2 |');
  });

  it('keeps the line numbers of later rows right', async () => {
    const { profile } = outputs(await run('a,b\n1,2\n  \n1,2\n'));
    expect(profile.rows.duplicates.lines).toEqual([4]);
  });

  it('keeps a row of delimiters only as an all-missing row', async () => {
    const { profile, cleaned } = outputs(await run('a,b\n1,2\n , \n3,4\n'));
    expect(cleaned).toBe('a,b\n1,2\n,\n3,4\n');
    expect(profile.rows).toMatchObject({ data: 3, blankLinesSkipped: 0, allMissing: 1 });
  });

  it('skips a whitespace line before the header', async () => {
    const { profile } = outputs(await run('  \na,b\n1,2\n'));
    expect(profile.rows.headerLine).toBe(2);
    expect(profile.columns.map((c) => c.name)).toEqual(['a', 'b']);
  });
});
