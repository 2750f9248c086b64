import type { Manifest, TestRunner, TestRunOutput } from '@jeton/core';
import type { RuntimeExecutor } from './executor.ts';
import { runLocally } from './local/run-locally.ts';

/**
 * Runs a manifest's test cases (on publish and nightly) with the runtime that runs its paid runs, in
 * memory: nothing is charged and nothing is kept but the report.
 */
export class RuntimeTestRunner implements TestRunner {
  constructor(private readonly executor: RuntimeExecutor) {}

  unavailable(manifest: Manifest): string | null {
    return this.executor.unavailable(manifest, undefined);
  }

  async run(request: {
    manifest: Manifest;
    bundle: string | null;
    input: Record<string, unknown>;
    signal: AbortSignal;
  }): Promise<TestRunOutput> {
    const { manifest, bundle } = request;
    const r = await runLocally(manifest, (ctx) => this.executor.executeAttempt(manifest, bundle, ctx), {
      input: request.input,
      signal: request.signal,
    });
    return {
      status: r.status === 'cancelled' ? 'failed' : r.status,
      ...(r.failure ? { error: r.failure.message } : {}),
      artifacts: [...r.artifacts.values()],
      creditsCharged: r.credits,
    };
  }
}
