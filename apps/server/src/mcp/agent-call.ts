import {
  type Actor,
  type Artifact,
  isFinal,
  type Question,
  type Run,
  type RunEngine,
  type RunEvent,
  type SubmitError,
} from '@jeton/core';
import type { DrizzleRunStore } from '@jeton/db';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type Problem, problemType } from '../problem.ts';
import type { RunWatchers } from '../routes/run-events.ts';
import { runProblem } from '../routes/run-problems.ts';

export interface CallDeps {
  engine: RunEngine;
  store: Pick<DrizzleRunStore, 'events' | 'artifacts'>;
  watchers: RunWatchers;
}

export interface AgentCall {
  actor: Actor;
  /** The tool's name: the agent's slug. */
  slug: string;
  input: Record<string, unknown>;
  /** The request's `_meta`, where the optional controls are. */
  meta: Record<string, unknown> | undefined;
  /** Where artifact links point: `<origin>/v1/runs/...`. */
  origin: string;
  /** Aborted when the client cancels the call or goes away: the run is then cancelled. */
  signal: AbortSignal;
  /** Sends `notifications/progress`; null when the client sent no progress token. */
  progress: ((progress: number, message: string) => Promise<void>) | null;
}

export const MAX_CREDITS_META = 'jeton/maxCredits';
export const IDEMPOTENCY_KEY_META = 'jeton/idempotencyKey';
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const PAGE = 500;
/** Database notifications wake a waiting call at once; this is only the fallback for a missed one. */
const POLL_MS = 500;
/** The most progress a run that has not ended shows, out of 100. */
const BEFORE_END = 99.999;

/**
 * One `tools/call`: submits the run as the caller (the engine checks the input, quotes it and holds
 * the quote), follows its events as progress notifications until it ends, and answers with the
 * outcome. Every refusal and every unhappy ending is a result with `isError`, never a protocol error,
 * so that the model calling the tool reads what happened. Whatever happens to the call, the run does
 * not outlive it unattended: a client that cancels or goes away, and an agent that asks a question
 * (which MCP gives no way to answer here), cancel the run, settled at once by the engine's rules.
 */
export async function callAgent(d: CallDeps, call: AgentCall): Promise<CallToolResult> {
  const controls = readControls(call.meta);
  if (!controls.ok) return refused(controls.problem);
  const submitted = await d.engine.submit({
    buyer: call.actor,
    agent: call.slug,
    input: call.input,
    maxCredits: controls.maxCredits,
    idempotencyKey: controls.idempotencyKey,
  });
  if (!submitted.ok) return refused(await problemOf(submitted.error));
  const { run: created, replayed } = submitted.value;
  const progress = new ProgressReporter(call.progress);
  await progress.report(
    null,
    `Run ${created.id} ${replayed ? 'already submitted with this idempotency key' : 'submitted'}: up to ${created.maxCredits} credits held`,
  );

  const ending = await follow(d, call, created.id, progress);
  if (ending.type !== 'final') await d.engine.cancel(call.actor, created.id);
  const run = await d.engine.get(call.actor, created.id);
  if (!run.ok) throw new Error(`run ${created.id} vanished while its buyer waited for it`);
  const artifacts = await d.store.artifacts(created.id);
  return outcome(run.value, artifacts, call.origin, ending);
}

type Ending = { type: 'final' } | { type: 'question'; question: Question } | { type: 'aborted' };

/** Reads the run's events from the start until it ends, asks a question, or the call is aborted. */
async function follow(
  d: CallDeps,
  call: AgentCall,
  runId: string,
  progress: ProgressReporter,
): Promise<Ending> {
  let after = 0;
  let question: Question | null = null;
  while (!call.signal.aborted) {
    // Taken before reading, so that news arriving during the read is not missed.
    const news = d.watchers.watch(runId, POLL_MS, call.signal);
    const page = await d.store.events(runId, after, PAGE);
    let ended = false;
    for (const e of page) {
      after = e.seq;
      if (e.data.type === 'question') question = e.data.question;
      else if (e.data.type === 'answer') question = null;
      else if (e.data.type === 'status' && isFinal(e.data.status)) ended = true;
      await progress.event(e);
    }
    if (ended || question || page.length === PAGE) news.cancel();
    if (ended) return { type: 'final' };
    if (question) return { type: 'question', question };
    if (page.length < PAGE) await news.done;
  }
  return { type: 'aborted' };
}

/**
 * Progress notifications from run events, out of 100: the run's percent when it reports one, and a
 * message. MCP requires every notification to increase `progress`, so an event that brings no higher
 * percent nudges it up by a thousandth; it stays below 100 until the run has ended (an agent may say
 * 100% before storing its artifacts), and an event that could not raise it is not sent.
 */
class ProgressReporter {
  readonly #send: AgentCall['progress'];
  #last = 0;

  constructor(send: AgentCall['progress']) {
    this.#send = send;
  }

  async report(percent: number | null, message: string, ended = false): Promise<void> {
    if (!this.#send) return;
    const reported = percent === null ? null : Math.min(percent, BEFORE_END);
    const next = ended
      ? 100
      : reported !== null && reported > this.#last
        ? reported
        : Math.round((this.#last + 0.001) * 1000) / 1000;
    if (next <= this.#last || (!ended && next > BEFORE_END)) return;
    this.#last = next;
    try {
      await this.#send(next, message);
    } catch {
      // The client went away: the abort signal says so, and the run is cancelled there.
    }
  }

  event(e: RunEvent): Promise<void> {
    const d = e.data;
    switch (d.type) {
      case 'status':
        return this.report(null, statusMessage(d), isFinal(d.status));
      case 'progress':
        return this.report(d.percent, d.message);
      case 'artifact':
        return this.report(null, `Artifact ready: ${d.artifact.name} (${d.artifact.mediaType})`);
      case 'charge':
        return this.report(
          null,
          `Charged ${d.credits} credits for ${d.event}${d.quantity > 1 ? ` × ${d.quantity}` : ''} (${d.total} so far)`,
        );
      case 'question':
        return this.report(null, `The agent asks: ${d.question.text}`);
      default:
        // Logs, model calls and answers are in the run's event stream (GET /v1/runs/:id/events).
        return Promise.resolve();
    }
  }
}

function statusMessage(d: Extract<RunEvent['data'], { type: 'status' }>): string {
  switch (d.status) {
    case 'queued':
      return d.attempt && d.attempt > 1 ? `Queued again (attempt ${d.attempt})` : 'Queued';
    case 'running':
      return d.attempt && d.attempt > 1 ? `Running (attempt ${d.attempt})` : 'Running';
    case 'awaiting_input':
      return 'Waiting for an answer';
    case 'succeeded':
      return `Succeeded: charged ${d.charged ?? 0} credits`;
    default:
      return `${d.status}${d.failure ? `: ${d.failure.message}` : ''}`;
  }
}

/** The run's outcome: a short text, links to its artifacts, and the same as `structuredContent`. */
function outcome(run: Run, artifacts: Artifact[], origin: string, ending: Ending): CallToolResult {
  const charged = run.charged ?? 0;
  const refunded = run.refunded ?? 0;
  const money =
    refunded > 0
      ? `Charged ${charged} credits; ${refunded} of the ${run.maxCredits} credits held went back to your wallet.`
      : `Charged ${charged} credits.`;
  const lines = [`${run.slug}@${run.version}: ${run.status} (run ${run.id}). ${money}`];
  if (run.failure)
    lines.push(`Failure: ${run.failure.message} (${run.failure.code}, fault: ${run.failure.fault}).`);
  // The run may have ended on its own just before the cancellation: then there is nothing to explain.
  if (run.status === 'cancelled' && ending.type === 'question') {
    lines.push(
      `The agent asked a question ("${ending.question.text}"), which cannot be answered over MCP, so the run was cancelled. ` +
        'Give more in the input, or run it through the HTTP API (POST /v1/runs, then POST /v1/runs/:id/answer).',
    );
  } else if (run.status === 'cancelled' && ending.type === 'aborted') {
    lines.push('The call was cancelled, and so was the run.');
  }
  const links = artifacts.map((a) => ({ ...a, url: `${origin}/v1/runs/${run.id}/artifacts/${a.id}` }));
  if (links.length > 0) {
    lines.push(
      `${links.length} artifact(s), linked below: download them with the same Authorization header.`,
    );
  }
  return {
    ...(run.status === 'succeeded' ? {} : { isError: true }),
    content: [
      { type: 'text', text: lines.join('\n') },
      ...links.map((a) => ({
        type: 'resource_link' as const,
        uri: a.url,
        name: a.name,
        mimeType: a.mediaType,
        size: a.size,
        description: `${a.name}, ${a.size} bytes, made by run ${run.id}`,
      })),
    ],
    structuredContent: {
      status: run.status,
      runId: run.id,
      runUrl: `${origin}/v1/runs/${run.id}`,
      agent: run.slug,
      version: run.version,
      quote: run.maxCredits,
      charged: run.charged,
      refunded: run.refunded,
      failure: run.failure,
      ...(run.status === 'cancelled' && ending.type === 'question'
        ? { question: { text: ending.question.text, schema: ending.question.schema } }
        : {}),
      artifacts: links.map((a) => ({
        id: a.id,
        name: a.name,
        mediaType: a.mediaType,
        size: a.size,
        sha256: a.sha256,
        url: a.url,
      })),
    },
  };
}

/** A submission the platform refused: nothing was held, nothing ran. */
function refused(p: Problem): CallToolResult {
  const issues = Array.isArray(p.issues) ? (p.issues as { path: string; message: string }[]) : [];
  const text = [
    `Refused: ${p.title}.${p.detail ? ` ${p.detail}` : ''}`,
    ...issues.map((i) => `${i.path}: ${i.message}`),
    p.detail?.includes('Nothing was charged') ? '' : 'Nothing was charged.',
  ]
    .filter(Boolean)
    .join('\n');
  return {
    isError: true,
    content: [{ type: 'text', text }],
    structuredContent: { status: 'refused', problem: p },
  };
}

/** The engine's refusal exactly as the HTTP API words it (same `type`, title, detail and issues). */
async function problemOf(e: SubmitError): Promise<Problem> {
  return (await runProblem(e).json()) as Problem;
}

type Controls =
  | { ok: true; maxCredits: number | undefined; idempotencyKey: string | undefined }
  | { ok: false; problem: Problem };

/** The optional controls a caller may send in the request's `_meta`, beside the agent's own input. */
function readControls(meta: Record<string, unknown> | undefined): Controls {
  const maxCredits = meta?.[MAX_CREDITS_META];
  const key = meta?.[IDEMPOTENCY_KEY_META];
  const issues: { path: string; message: string }[] = [];
  if (
    maxCredits !== undefined &&
    !(typeof maxCredits === 'number' && Number.isInteger(maxCredits) && maxCredits >= 1 && maxCredits <= 1e9)
  ) {
    issues.push({
      path: `_meta["${MAX_CREDITS_META}"]`,
      message: 'a whole number of credits, 1 to 1000000000',
    });
  }
  if (key !== undefined && !(typeof key === 'string' && IDEMPOTENCY_KEY.test(key))) {
    issues.push({ path: `_meta["${IDEMPOTENCY_KEY_META}"]`, message: '1-200 printable ASCII characters' });
  }
  if (issues.length > 0) {
    return {
      ok: false,
      problem: {
        type: problemType('invalid-request'),
        title: 'The request is not valid',
        status: 400,
        issues,
      },
    };
  }
  return {
    ok: true,
    maxCredits: maxCredits as number | undefined,
    idempotencyKey: key as string | undefined,
  };
}
