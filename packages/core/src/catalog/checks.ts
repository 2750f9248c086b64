import type { Check } from './manifest-schema.ts';
import { compileSafe } from './safe-regexp.ts';

/** What a test run of an agent produced, as the runtime reports it. */
export interface TestRunOutput {
  status: 'succeeded' | 'failed' | 'timed_out';
  error?: string;
  artifacts: { name: string; mediaType: string; bytes: Uint8Array }[];
  creditsCharged: number;
}

const MAX_TEXT_BYTES = 5 * 1024 * 1024;

/** Every check that does not hold, each as a sentence a creator can act on; empty when all pass. */
export function failedChecks(output: TestRunOutput, checks: readonly Check[]): string[] {
  const failures: string[] = [];
  const artifact = (name: string) => output.artifacts.find((a) => a.name === name);
  const text = (name: string) => {
    const a = artifact(name);
    return a ? new TextDecoder().decode(a.bytes.subarray(0, MAX_TEXT_BYTES)) : undefined;
  };
  for (const check of checks) {
    switch (check.kind) {
      case 'succeeds':
        if (output.status !== 'succeeded') {
          failures.push(`the run ended ${output.status}${output.error ? `: ${output.error}` : ''}`);
        }
        break;
      case 'artifact': {
        const a = artifact(check.name);
        if (!a) failures.push(`no artifact "${check.name}"`);
        else if (check.mediaType && a.mediaType !== check.mediaType) {
          failures.push(`"${check.name}" is ${a.mediaType}, expected ${check.mediaType}`);
        } else if (check.minBytes !== undefined && a.bytes.length < check.minBytes) {
          failures.push(`"${check.name}" has ${a.bytes.length} bytes, fewer than ${check.minBytes}`);
        } else if (check.maxBytes !== undefined && a.bytes.length > check.maxBytes) {
          failures.push(`"${check.name}" has ${a.bytes.length} bytes, more than ${check.maxBytes}`);
        }
        break;
      }
      case 'contains': {
        const t = text(check.artifact);
        if (t === undefined) failures.push(`no artifact "${check.artifact}"`);
        else if (!t.includes(check.text))
          failures.push(`"${check.artifact}" does not contain ${JSON.stringify(check.text)}`);
        break;
      }
      case 'matches': {
        const t = text(check.artifact);
        if (t === undefined) failures.push(`no artifact "${check.artifact}"`);
        else if (!compileSafe(check.pattern)?.test(t))
          failures.push(`"${check.artifact}" does not match /${check.pattern}/`);
        break;
      }
      case 'max_credits':
        if (output.creditsCharged > check.credits) {
          failures.push(`the run cost ${output.creditsCharged} credits, more than ${check.credits}`);
        }
        break;
    }
  }
  return failures;
}
