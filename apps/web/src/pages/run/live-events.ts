import type { Run, RunEvent, RunFailure, RunStatus } from '@jeton/sdk';
import { useEffect, useState } from 'react';
import { api } from '../../api.ts';

export type Question = NonNullable<Run['question']>;
export type LogLine = { seq: number; at: string; level: 'info' | 'warn' | 'error'; message: string };
export type Charge = {
  seq: number;
  at: string;
  event: string;
  quantity: number;
  credits: number;
  total: number;
};

/** What the event stream has told so far. */
export interface Live {
  lastSeq: number;
  status: RunStatus | null;
  percent: number | null;
  message: string;
  logs: LogLine[];
  charges: Charge[];
  question: Pick<Question, 'id' | 'text' | 'schema' | 'deadline'> | null;
  failure: RunFailure | null;
  charged: number | null;
  refunded: number | null;
  artifactEvents: number;
}

export const EMPTY: Live = {
  lastSeq: 0,
  status: null,
  percent: null,
  message: '',
  logs: [],
  charges: [],
  question: null,
  failure: null,
  charged: null,
  refunded: null,
  artifactEvents: 0,
};

/** What is known once `e` has come. */
export function apply(live: Live, e: RunEvent): Live {
  if (e.seq <= live.lastSeq) return live; // seen already (a reconnection never repeats, but be sure)
  const next = { ...live, lastSeq: e.seq };
  switch (e.type) {
    case 'status':
      next.status = e.status;
      if (e.status !== 'awaiting_input') next.question = null;
      if (e.failure) next.failure = e.failure;
      if (e.charged !== undefined) next.charged = e.charged;
      if (e.refunded !== undefined) next.refunded = e.refunded;
      return next;
    case 'progress':
      if (e.percent !== null) next.percent = e.percent;
      next.message = e.message;
      return next;
    case 'log':
      next.logs = [...live.logs, { seq: e.seq, at: e.at, level: e.level, message: e.message }];
      return next;
    case 'question':
      next.question = e.question;
      next.status = 'awaiting_input';
      return next;
    case 'answer':
      if (live.question?.id === e.questionId) next.question = null;
      return next;
    case 'artifact':
      next.artifactEvents = live.artifactEvents + 1;
      return next;
    case 'charge':
      next.charges = [
        ...live.charges,
        { seq: e.seq, at: e.at, event: e.event, quantity: e.quantity, credits: e.credits, total: e.total },
      ];
      return next;
    default:
      return next;
  }
}

/**
 * The run, then its events from the first on (what happened so far, then live) until its final
 * status, then the run again (its row has the settlement). `loadError`: the run could not be read;
 * `streamError`: the events stopped coming.
 */
export function useLiveRun(id: string) {
  const [run, setRun] = useState<Run | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [live, setLive] = useState<Live>(EMPTY);
  const [streamError, setStreamError] = useState<unknown>(null);

  useEffect(() => {
    const abort = new AbortController();
    let loaded = false;
    setRun(null);
    setLive(EMPTY);
    setLoadError(null);
    setStreamError(null);
    void (async () => {
      try {
        const first = await api.runs.get(id, { signal: abort.signal });
        if (abort.signal.aborted) return;
        loaded = true;
        setRun(first);
        for await (const event of api.runs.events(id, { signal: abort.signal })) {
          setLive((l) => apply(l, event));
        }
        // Final: the run's row has the settlement.
        if (!abort.signal.aborted) setRun(await api.runs.get(id, { signal: abort.signal }));
      } catch (error) {
        if (abort.signal.aborted) return;
        if (loaded) setStreamError(error);
        else setLoadError(error);
      }
    })();
    return () => abort.abort();
  }, [id]);

  return { run, setRun, live, loadError, streamError };
}
