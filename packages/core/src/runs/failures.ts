/**
 * Every way a run can go wrong, mapped in one exhaustive switch to the status it ends in, who is at
 * fault (shown to the buyer), and whether the platform may try again. Only the platform's own
 * transient troubles are retried, and only for agents that declare themselves safe to run twice.
 */
export type FailureCode =
  /** The input did not match the agent's input schema (caught before any hold, normally). */
  | 'input_invalid'
  /** The agent asked the buyer a question and no answer came in time. */
  | 'question_unanswered'
  /** The agent's code threw, or returned something its manifest does not allow. */
  | 'agent_error'
  /** The agent ran past its manifest's timeout. */
  | 'agent_timeout'
  /** The sandbox stopped the agent: memory limit, forbidden host, escape attempt. */
  | 'agent_violation'
  /** A model provider refused the agent's request (bad request, auth): the creator must act. */
  | 'provider_fatal'
  /** A model provider was rate-limited or failed with a 5xx. */
  | 'provider_transient'
  /** The worker running the attempt stopped answering (crash, kill -9, lost machine). */
  | 'worker_lost'
  /** Something in the platform failed that a new attempt may not meet again. */
  | 'platform_transient'
  /** The buyer cancelled. */
  | 'cancelled_by_buyer';

export type Fault = 'input' | 'agent' | 'platform' | 'user_cancel';

export interface FailureOutcome {
  status: 'failed' | 'timed_out' | 'cancelled';
  fault: Fault;
  /** Whether a new attempt may be made (if the agent is retry-safe and attempts remain). */
  transient: boolean;
}

export function failureOutcome(code: FailureCode): FailureOutcome {
  switch (code) {
    case 'input_invalid':
    case 'question_unanswered':
      return { status: 'failed', fault: 'input', transient: false };
    case 'agent_error':
    case 'agent_violation':
    case 'provider_fatal':
      return { status: 'failed', fault: 'agent', transient: false };
    case 'agent_timeout':
      return { status: 'timed_out', fault: 'agent', transient: false };
    case 'provider_transient':
    case 'worker_lost':
    case 'platform_transient':
      return { status: 'failed', fault: 'platform', transient: true };
    case 'cancelled_by_buyer':
      return { status: 'cancelled', fault: 'user_cancel', transient: false };
  }
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 };

export type RetryDecision = { type: 'retry'; delayMs: number } | { type: 'end'; outcome: FailureOutcome };

/**
 * After attempt number `attempt` (1-based) failed with `code`: try again after a capped exponential
 * delay with full jitter (`random` in [0, 1), injected so that tests are exact), or end the run.
 */
export function retryDecision(
  code: FailureCode,
  attempt: number,
  retrySafe: boolean,
  policy: RetryPolicy = DEFAULT_RETRY,
  random: () => number = Math.random,
): RetryDecision {
  const outcome = failureOutcome(code);
  if (!outcome.transient || !retrySafe || attempt >= policy.maxAttempts) return { type: 'end', outcome };
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return { type: 'retry', delayMs: Math.round(ceiling * random()) };
}
