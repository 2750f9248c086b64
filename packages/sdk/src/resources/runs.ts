import { anySignal, sleep } from '../abortable.ts';
import { ConnectionError, RateLimitError, ServerError } from '../errors.ts';
import type { Transport } from '../transport.ts';
import { unwrap } from '../transport.ts';
import {
  type Artifact,
  isFinalStatus,
  type Run,
  type RunAnswer,
  type RunCreate,
  type RunEvent,
  type RunListQuery,
  type RunPage,
} from '../types.ts';
import { type EventsOptions, followEvents } from './run-events.ts';

export interface CreateOptions {
  /**
   * The same key returns the same run instead of starting (and paying for) another. Default: a fresh
   * random key per call, so that the SDK's own retries after a lost answer never run twice.
   */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Give up after this long: rejects with a `TimeoutError` (the run goes on). */
  timeoutMs?: number;
  /** How often to ask when the event stream cannot be followed (default 1000 ms). */
  pollIntervalMs?: number;
  /** Each event as it arrives (a progress bar). */
  onEvent?: (event: RunEvent) => void;
}

/** Runs: start one, follow it, get its artifacts. Every call acts for the API key's user. */
export class Runs {
  readonly #t: Transport;
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Validates the input, quotes, holds the quote from the wallet and queues the run. */
  async create(body: RunCreate, options: CreateOptions = {}): Promise<Run> {
    return unwrap(
      await this.#t.api.POST('/v1/runs', {
        body,
        params: { header: { 'idempotency-key': options.idempotencyKey ?? crypto.randomUUID() } },
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  }

  /** Your runs, newest first; one page (pass `nextCursor` back as `cursor`). */
  async list(query: RunListQuery = {}): Promise<RunPage> {
    return unwrap(await this.#t.api.GET('/v1/runs', { params: { query } }));
  }

  async get(id: string, options: { signal?: AbortSignal } = {}): Promise<Run> {
    return unwrap(
      await this.#t.api.GET('/v1/runs/{id}', {
        params: { path: { id } },
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  }

  /** Releases the hold (or charges what per-event work was already delivered). */
  async cancel(id: string): Promise<Run> {
    return unwrap(await this.#t.api.POST('/v1/runs/{id}/cancel', { params: { path: { id } } }));
  }

  /** Answers the question a run in `awaiting_input` asked (`run.question`). */
  async answer(id: string, body: RunAnswer): Promise<Run> {
    return unwrap(await this.#t.api.POST('/v1/runs/{id}/answer', { params: { path: { id } }, body }));
  }

  /** The run's events, live, until its final status: `for await (const e of runs.events(id))`. */
  events(id: string, options: EventsOptions = {}): AsyncGenerator<RunEvent, void, undefined> {
    return followEvents(this.#t, id, options);
  }

  /**
   * Resolves with the run once it has reached a final status (succeeded, failed, cancelled,
   * timed_out: check `status`; a failed run is not an exception). Follows the event stream, and
   * polls instead when the stream cannot be followed.
   */
  async wait(id: string, options: WaitOptions = {}): Promise<Run> {
    const signal = anySignal(
      options.signal,
      options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs),
    );
    try {
      for await (const event of this.events(id, signal ? { signal } : {})) options.onEvent?.(event);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const streamProblem =
        error instanceof ConnectionError || error instanceof ServerError || error instanceof RateLimitError;
      if (!streamProblem) throw error;
    }
    // The final status event is written with the settlement; the run's row says the same.
    for (;;) {
      const run = await this.get(id, signal ? { signal } : {});
      if (isFinalStatus(run.status)) return run;
      await sleep(options.pollIntervalMs ?? 1000, signal);
    }
  }

  async artifacts(id: string): Promise<Artifact[]> {
    return unwrap(await this.#t.api.GET('/v1/runs/{id}/artifacts', { params: { path: { id } } })).data;
  }

  /**
   * An artifact's bytes: the answer itself, its body unread (`res.body` is a web ReadableStream;
   * `content-type` and `etag` (its SHA-256) are in the headers).
   */
  async downloadArtifact(runId: string, artifactId: string, options: { signal?: AbortSignal } = {}) {
    const result = await this.#t.api.GET('/v1/runs/{id}/artifacts/{artifactId}', {
      params: { path: { id: runId, artifactId } },
      parseAs: 'stream',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    unwrap(result);
    return result.response;
  }

  /** Artifacts are kept until their buyer deletes them. */
  async deleteArtifact(runId: string, artifactId: string): Promise<void> {
    unwrap(
      await this.#t.api.DELETE('/v1/runs/{id}/artifacts/{artifactId}', {
        params: { path: { id: runId, artifactId } },
      }),
    );
  }
}
