import { EventSourceParserStream } from 'eventsource-parser/stream';
import { sleep } from '../abortable.ts';
import { ConnectionError, JetonError, RateLimitError, ServerError } from '../errors.ts';
import type { Transport } from '../transport.ts';
import { unwrap } from '../transport.ts';
import { isFinalStatus, type RunEvent } from '../types.ts';

export interface EventsOptions {
  /** Start after this sequence number (the last one you saw); default 0, every event. */
  after?: number;
  signal?: AbortSignal;
  /** Reconnections in a row without a new event before giving up (default 5). */
  maxReconnects?: number;
}

/**
 * A run's events in `seq` order, from `after` on, live, until the final status event. When the
 * connection drops (a restart, a proxy's timeout) it reconnects with `Last-Event-ID`: nothing is
 * missed, nothing repeated. When the stream ends without a final status (the run was already over
 * when asked from past its end), the run itself is checked.
 */
export async function* followEvents(
  t: Transport,
  runId: string,
  options: EventsOptions = {},
): AsyncGenerator<RunEvent, void, undefined> {
  let last = options.after ?? 0;
  const maxReconnects = options.maxReconnects ?? 5;
  let failures = 0;
  for (;;) {
    let progressed = false;
    try {
      for await (const event of open(t, runId, last, options.signal)) {
        last = event.seq;
        progressed = true;
        yield event;
        if (event.type === 'status' && isFinalStatus(event.status)) return;
      }
      // Ended without a final status: over already (nothing after `last`), or cut short.
      if (!progressed) {
        const run = unwrap(await t.api.GET('/v1/runs/{id}', { params: { path: { id: runId } } }));
        if (isFinalStatus(run.status)) return;
      }
    } catch (error) {
      if (options.signal?.aborted || !transient(error)) throw error;
    }
    failures = progressed ? 0 : failures + 1;
    if (failures > maxReconnects) {
      throw new ConnectionError(t.baseUrl, new Error(`the event stream of ${runId} kept breaking`));
    }
    if (failures > 0) await sleep(Math.min(250 * 2 ** (failures - 1), 5000), options.signal);
  }
}

/** One connection's events. */
async function* open(t: Transport, runId: string, after: number, signal: AbortSignal | undefined) {
  const body = unwrap(
    await t.api.GET('/v1/runs/{id}/events', {
      params: { path: { id: runId } },
      headers: { accept: 'text/event-stream', 'last-event-id': String(after) },
      parseAs: 'stream',
      ...(signal ? { signal } : {}),
    }),
  );
  if (!body) return;
  const messages = body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const message of messages) {
    // Comments (keep-alives) never reach here; every message is one event whose id is its seq.
    if (!message.data) continue;
    yield JSON.parse(message.data) as RunEvent;
  }
}

/** Worth reconnecting: the connection, not the request, was the problem. */
function transient(error: unknown): boolean {
  if (error instanceof JetonError) {
    return (
      error instanceof ConnectionError || error instanceof ServerError || error instanceof RateLimitError
    );
  }
  // A body that breaks mid-stream surfaces as a TypeError ("terminated") from undici.
  return error instanceof TypeError;
}
