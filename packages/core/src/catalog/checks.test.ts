import { describe, expect, it } from 'vitest';
import { failedChecks, type TestRunOutput } from './checks.ts';

const output: TestRunOutput = {
  status: 'succeeded',
  creditsCharged: 12,
  artifacts: [
    {
      name: 'report.md',
      mediaType: 'text/markdown',
      bytes: new TextEncoder().encode('# Report\nNo secrets found.'),
    },
  ],
};

describe('test checks', () => {
  it('passes when every check holds', () => {
    expect(
      failedChecks(output, [
        { kind: 'succeeds' },
        { kind: 'artifact', name: 'report.md', mediaType: 'text/markdown', minBytes: 5 },
        { kind: 'contains', artifact: 'report.md', text: 'No secrets' },
        { kind: 'matches', artifact: 'report.md', pattern: '^# \\w+' },
        { kind: 'max_credits', credits: 12 },
      ]),
    ).toEqual([]);
  });

  it('says what failed, one sentence per check', () => {
    expect(
      failedChecks({ ...output, status: 'failed', error: 'boom' }, [
        { kind: 'succeeds' },
        { kind: 'artifact', name: 'report.md', mediaType: 'application/json' },
        { kind: 'artifact', name: 'report.sarif' },
        { kind: 'contains', artifact: 'report.md', text: 'CRITICAL' },
        { kind: 'matches', artifact: 'missing.txt', pattern: 'x' },
        { kind: 'max_credits', credits: 10 },
      ]),
    ).toEqual([
      'the run ended failed: boom',
      '"report.md" is text/markdown, expected application/json',
      'no artifact "report.sarif"',
      '"report.md" does not contain "CRITICAL"',
      'no artifact "missing.txt"',
      'the run cost 12 credits, more than 10',
    ]);
  });
});
