import { type Actor, isFinal, type RunEngine, type RunEvent } from '@jeton/core';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { runProblem } from './run-problems.ts';
import { eventJson } from './run-view.ts';

/** Wakes the streams of runs that have news; fed by the database's notifications. */
export class RunWatchers {
  readonly #waiting = new Map<string, Set<() => void>>();

  /** Call with the ids of runs that have new events. */
  notify(runIds: readonly string[]): void {
    for (const id of runIds) {
      const set = this.#waiting.get(id);
      if (!set) continue;
      this.#waiting.delete(id);
      for (const wake of set) wake();
    }
  }

  /**
   * Resolves `done` at the next news of `runId`, or after `ms`. Taken before reading the log, so that
   * news arriving while the reader reads is not missed; `cancel` when it is not needed after all.
   */
  watch(runId: string, ms: number, signal: AbortSignal): { done: Promise<void>; cancel: () => void } {
    let finish = () => {};
    const done = new Promise<void>((resolve) => {
      const set = this.#waiting.get(runId) ?? new Set();
      this.#waiting.set(runId, set);
      finish = () => {
        clearTimeout(timer);
        set.delete(finish);
        if (set.size === 0 && this.#waiting.get(runId) === set) this.#waiting.delete(runId);
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      set.add(finish);
      signal.addEventListener('abort', finish, { once: true });
    });
    return { done, cancel: () => finish() };
  }
}

const PAGE = 500;
/** Without news, a comment this often keeps proxies from closing the stream (and catches missed notifications). */
const KEEPALIVE_MS = 15_000;

/**
 * A run's events as Server-Sent Events, from `Last-Event-ID` (or `?after=`) on: first what is stored,
 * then live, until the run's final status has been sent. Each event's id is its sequence number, so a
 * client that reconnects with the last id it saw misses nothing and sees nothing twice.
 */
export async function streamRunEvents(
  c: Context,
  engine: RunEngine,
  readEvents: (runId: string, afterSeq: number, limit: number) => Promise<RunEvent[]>,
  watchers: RunWatchers,
  actor: Actor,
  onError: (error: unknown) => void,
) {
  const runId = c.req.param('id')!;
  const from = c.req.header('last-event-id') ?? c.req.query('after') ?? '0';
  if (!/^\d{1,9}$/.test(from)) {
    return runProblem({
      type: 'input_invalid',
      issues: [{ path: 'Last-Event-ID', message: 'must be a sequence number' }],
    });
  }
  // Whose run it is was checked here, once: a run never changes hands, so each wake only reads events.
  const first = await engine.get(actor, runId);
  if (!first.ok) return runProblem(first.error);

  return streamSSE(
    c,
    async (stream) => {
      const closed = new AbortController();
      stream.onAbort(() => closed.abort());
      let after = Number(from);
      let ended = isFinal(first.value.status) && first.value.lastSeq <= after;
      while (!ended && !closed.signal.aborted) {
        const news = watchers.watch(runId, KEEPALIVE_MS, closed.signal);
        const page = await readEvents(runId, after, PAGE);
        for (const e of page) {
          await stream.writeSSE({
            id: String(e.seq),
            event: e.data.type,
            data: JSON.stringify(eventJson(e)),
          });
          after = e.seq;
          if (e.data.type === 'status' && isFinal(e.data.status)) ended = true;
        }
        if (ended || page.length === PAGE) {
          news.cancel();
          continue;
        }
        await news.done;
        if (!closed.signal.aborted) await stream.write(': keep-alive\n\n');
      }
    },
    async (error) => {
      // The stream just ends (the client reconnects with Last-Event-ID); what went wrong is logged, not sent.
      onError(error);
    },
  );
}
