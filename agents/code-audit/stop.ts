import { AgentFailure } from '@jeton/runtime/sdk';

/** Ends the work when the run was cancelled or timed out; called between files, not just between steps. */
export function stopIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AgentFailure('agent_error', 'The run has stopped.');
}

/**
 * Lets the event loop run once. The type checker is synchronous: without a pause between files, a
 * cancellation posted to this worker thread would only be seen after the whole check.
 */
export function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
