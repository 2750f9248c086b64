import { failedChecks } from './checks.ts';
import type { Manifest } from './manifest-schema.ts';
import type { TestRunner } from './port.ts';
import type { TestCaseResult, TestReport } from './types.ts';

/**
 * Runs a manifest's test cases one after another, each under the manifest's timeout, and judges the
 * outputs by the cases' checks. A runner that throws fails its case with the message; it never fails
 * the caller.
 */
export async function runTestCases(
  runner: TestRunner,
  manifest: Manifest,
  bundle: string | null,
  now: () => Date,
): Promise<TestReport> {
  const at = () => now().toISOString();
  if (manifest.tests.length === 0) return { status: 'none', cases: [], at: at() };
  const reason = runner.unavailable(manifest);
  if (reason !== null) return { status: 'skipped', reason, cases: [], at: at() };
  const cases: TestCaseResult[] = [];
  for (const test of manifest.tests) {
    const started = performance.now();
    let failures: string[];
    try {
      const signal = AbortSignal.timeout(manifest.limits.timeoutSeconds * 1000);
      const output = await runner.run({ manifest, bundle, input: test.input, signal });
      failures = failedChecks(output, test.checks);
    } catch (e) {
      failures = [`the runtime failed: ${e instanceof Error ? e.message : String(e)}`];
    }
    cases.push({
      name: test.name,
      passed: failures.length === 0,
      failures,
      durationMs: Math.round(performance.now() - started),
    });
  }
  return { status: cases.every((c) => c.passed) ? 'passed' : 'failed', cases, at: at() };
}

/** For when no runtime is installed at all. */
export const noTestRunner: TestRunner = {
  unavailable: () => 'no agent runtime is installed on this server',
  run: () => Promise.reject(new Error('no agent runtime is installed on this server')),
};
