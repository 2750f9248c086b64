import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, failureOutcome, retryDecision } from './failures.ts';

describe('run failures', () => {
  it.each([
    ['input_invalid', 'failed', 'input', false],
    ['question_unanswered', 'failed', 'input', false],
    ['agent_error', 'failed', 'agent', false],
    ['agent_violation', 'failed', 'agent', false],
    ['provider_fatal', 'failed', 'agent', false],
    ['agent_timeout', 'timed_out', 'agent', false],
    ['provider_transient', 'failed', 'platform', true],
    ['worker_lost', 'failed', 'platform', true],
    ['platform_transient', 'failed', 'platform', true],
    ['cancelled_by_buyer', 'cancelled', 'user_cancel', false],
  ] as const)('%s ends %s, at fault: %s, transient: %s', (code, status, fault, transient) => {
    expect(failureOutcome(code)).toEqual({ status, fault, transient });
  });

  it('retries only transient platform trouble, only for retry-safe agents, only while attempts remain', () => {
    expect(retryDecision('worker_lost', 1, true, DEFAULT_RETRY, () => 0.5)).toEqual({
      type: 'retry',
      delayMs: 500,
    });
    expect(retryDecision('worker_lost', 1, false)).toMatchObject({
      type: 'end',
      outcome: { fault: 'platform' },
    });
    expect(retryDecision('agent_error', 1, true)).toMatchObject({ type: 'end', outcome: { fault: 'agent' } });
    expect(retryDecision('worker_lost', 3, true)).toMatchObject({
      type: 'end',
      outcome: { status: 'failed' },
    });
  });

  it('backs off exponentially up to a cap', () => {
    const policy = { maxAttempts: 20, baseDelayMs: 1_000, maxDelayMs: 60_000 };
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => {
      const d = retryDecision('provider_transient', attempt, true, policy, () => 0.999999);
      return d.type === 'retry' ? d.delayMs : -1;
    });
    expect(ceilings).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    const low = retryDecision('provider_transient', 4, true, policy, () => 0);
    expect(low).toEqual({ type: 'retry', delayMs: 0 });
  });
});
