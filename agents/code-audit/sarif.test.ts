import { describe, expect, it } from 'vitest';
import type { Finding } from './findings.ts';
import { toSarif } from './sarif.ts';

const finding = (
  line: number,
  message = 'Password in a connection URL committed: `pw… (2 chars)`.',
): Finding => ({
  ruleId: 'secret/url-credentials',
  level: 'error',
  category: 'secrets',
  message,
  file: 'src/db.ts',
  line,
  column: 5,
});

const fingerprints = (findings: Finding[]) =>
  toSarif(findings, { toolVersion: '1.0.0', notes: [] }).runs[0]!.results!.map(
    (r) => r.partialFingerprints!['jetonFinding/v1'],
  );

describe('SARIF fingerprints', () => {
  it('differ for identical findings in one file, and stay the same across runs', () => {
    const first = fingerprints([finding(3), finding(9), finding(12, 'Another message.')]);
    expect(new Set(first).size).toBe(3);
    expect(fingerprints([finding(3), finding(9), finding(12, 'Another message.')])).toEqual(first);
    // Lines moved (code added above): the same findings keep their fingerprints.
    expect(fingerprints([finding(13), finding(19), finding(22, 'Another message.')])).toEqual(first);
  });
});
