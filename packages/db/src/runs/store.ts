import type {
  AnswerOutcome,
  ApplyContext,
  Artifact,
  ChargeOutcome,
  ConcurrencyLimits,
  FinishOutcome,
  FinishRequest,
  MeterOutcome,
  ModelCall,
  NewRun,
  Question,
  Run,
  RunEvent,
  RunEventData,
  RunStatus,
  RunStore,
  StartOutcome,
  StoredFile,
  SubmitOutcome,
  SweepCandidates,
} from '@jeton/core';
import type { DatabaseHandle } from '../connect.ts';
import {
  jsonLiteral,
  literal,
  type runTransaction,
  runTransactionWithRetry,
  textList,
} from '../ledger/sql-runner.ts';
import { type FinishItem, finishRuns } from './finish.ts';
import { activeCountsSql, unblockSql } from './locks.ts';
import type { RunQueue } from './queue.ts';
import {
  appendEventsSql,
  artifactFromJson,
  CONTROL_CHANNEL,
  EVENTS_CHANNEL,
  eventFromJson,
  fileFromJson,
  notifySql,
  runFromJson,
  ts,
} from './rows.ts';
import { startRuns } from './start.ts';
import { submitRuns } from './submit.ts';
import { chargeRun, meterRun } from './usage.ts';

const ACTIVE = `('running','awaiting_input')`;
const RETRYABLE = new Set(['40001', '40P01']);

/** The run engine's storage, on PGlite and Postgres alike; see `RunStore` for what each method does. */
export class DrizzleRunStore implements RunStore {
  constructor(
    private readonly handle: DatabaseHandle,
    private readonly queue: RunQueue,
  ) {}

  submit(runs: NewRun[], ctx: ApplyContext): Promise<SubmitOutcome[]> {
    return this.#tx((run, query) => submitRuns(run, query, this.queue, runs, ctx));
  }

  start(
    requests: { runId: string; workerId: string }[],
    limits: ConcurrencyLimits,
    now: Date,
  ): Promise<StartOutcome[]> {
    return this.#tx((run) => startRuns(run, requests, limits, now));
  }

  async finish(
    requests: FinishRequest[],
    ctx: ApplyContext,
    options: { tellWorkers?: boolean } = {},
  ): Promise<FinishOutcome[]> {
    const done = await this.#tx((run, query) =>
      finishRuns(run, query, this.queue, requests, ctx, options.tellWorkers ?? false),
    );
    if (done.unblock) await this.#unblockFor(done.unblock, requests.length * 2);
    return done.outcomes;
  }

  /**
   * Offers again the runs waiting for the slots just freed (a transaction of its own, after the end's).
   * The end has committed: if this fails, the sweep offers them instead, and the end still succeeded.
   */
  async #unblockFor(keys: { buyers: string[]; agents: string[] }, limit: number): Promise<void> {
    await this.#tx(async (run, query) => {
      const [res] = await run([unblockSql(keys.buyers, keys.agents, limit)]);
      const ids = (res?.[0]?.ids ?? []) as string[];
      await this.queue.enqueue(
        query,
        ids.map((runId) => ({ runId })),
      );
    }).catch(() => {});
  }

  async cancel(runId: string, buyerId: string, ctx: ApplyContext) {
    const item: FinishItem = {
      runId,
      buyerId,
      attempt: 'current',
      decision: {
        type: 'end',
        status: 'cancelled',
        failure: { code: 'cancelled_by_buyer', fault: 'user_cancel', message: 'Cancelled by the buyer.' },
      },
    };
    const done = await this.#tx((run, query) => finishRuns(run, query, this.queue, [item], ctx, true));
    if (done.unblock) await this.#unblockFor(done.unblock, 2);
    const [outcome] = done.outcomes;
    if (outcome!.type === 'finished') return { type: 'cancelled' as const, run: outcome!.run };
    const current = await this.get(runId);
    if (!current || current.buyerId !== buyerId) return { type: 'not_found' as const };
    return { type: 'already_ended' as const, run: current };
  }

  async ask(runId: string, attempt: number, question: Question): Promise<{ ok: boolean }> {
    const stored = {
      ...question,
      askedAt: question.askedAt.toISOString(),
      deadline: question.deadline.toISOString(),
    };
    return this.#tx(async (run) => {
      const [updated] = await run([
        `update runs set status = 'awaiting_input', question = ${jsonLiteral(stored)}::jsonb,
                         question_deadline = ${ts(question.deadline)}
          where id = ${literal(runId)} and attempt = ${Math.trunc(attempt)} and status = 'running'
          returning id`,
      ]);
      if (!updated?.length) return { ok: false };
      await run(
        [
          appendEventsSql([{ runId, events: [{ type: 'question', question }] }], question.askedAt),
          ...notifySql(EVENTS_CHANNEL, [runId]),
        ],
        {
          last: true,
        },
      );
      return { ok: true };
    });
  }

  async answer(
    runId: string,
    buyerId: string,
    questionId: string,
    answer: Record<string, unknown>,
    now: Date,
  ): Promise<AnswerOutcome | { type: 'not_found' }> {
    return this.#tx(async (run) => {
      const [rows] = await run([
        `select row_to_json(r) as run from runs r where id = ${literal(runId)} for update`,
      ]);
      const j = rows?.[0]?.run as Record<string, unknown> | undefined;
      if (!j || String(j.buyer_id) !== buyerId) return { type: 'not_found' as const };
      const r = runFromJson(j);
      if (r.status !== 'awaiting_input' || !r.question)
        return { type: 'no_question' as const, status: r.status };
      if (r.question.id !== questionId) return { type: 'wrong_question' as const, questionId: r.question.id };
      // The time spent waiting for the buyer does not count against the agent's timeout.
      const waitedMs = Math.max(0, now.getTime() - r.question.askedAt.getTime());
      const [updated] = await run(
        [
          `update runs set status = 'running', question = null, question_deadline = null,
                           deadline_at = deadline_at + ${waitedMs} * interval '1 millisecond'
            where id = ${literal(runId)} returning row_to_json(runs) as run`,
          appendEventsSql([{ runId, events: [{ type: 'answer', questionId, answer } as RunEventData] }], now),
          ...notifySql(EVENTS_CHANNEL, [runId]),
          ...notifySql(CONTROL_CHANNEL, [runId]),
        ],
        { last: true },
      );
      const after = runFromJson(updated?.[0]?.run as Record<string, unknown>);
      return { type: 'answered' as const, run: { ...after, lastSeq: after.lastSeq + 1 } };
    });
  }

  async answerOf(runId: string, questionId: string): Promise<Record<string, unknown> | null> {
    const rows = await this.#read(
      `select data->'answer' as answer from run_events
        where run_id = ${literal(runId)} and type = 'answer' and data->>'questionId' = ${literal(questionId)}
        order by seq desc limit 1`,
    );
    return (rows[0]?.answer as Record<string, unknown> | undefined) ?? null;
  }

  charge(runId: string, attempt: number, event: string, quantity: number, now: Date): Promise<ChargeOutcome> {
    return this.#tx((run) => chargeRun(run, runId, attempt, event, quantity, now));
  }

  meter(runId: string, attempt: number, call: ModelCall, now: Date): Promise<MeterOutcome> {
    return this.#tx((run) => meterRun(run, runId, attempt, call, now));
  }

  async append(
    items: { runId: string; attempt: number; events: RunEventData[] }[],
    now: Date,
  ): Promise<boolean[]> {
    return this.#tx(async (run) => {
      const [res] = await run(
        [
          appendEventsSql(items, now),
          ...notifySql(
            EVENTS_CHANNEL,
            items.map((i) => i.runId),
          ),
        ],
        {
          last: true,
        },
      );
      const done = new Set((res?.[0]?.ids ?? []) as string[]);
      return items.map((i) => done.has(i.runId));
    });
  }

  async addArtifact(
    a: Artifact,
    attempt: number,
  ): Promise<{ ok: true; replacedKey: string | null } | { ok: false }> {
    return this.#tx(async (run) => {
      const [rows, previous] = await run([
        `select 1 from runs where id = ${literal(a.runId)} and attempt = ${Math.trunc(attempt)}
            and status in ${ACTIVE} for update`,
        `select storage_key from run_artifacts where run_id = ${literal(a.runId)} and name = ${literal(a.name)}`,
      ]);
      if (!rows?.length) return { ok: false as const };
      const ref = { id: a.id, name: a.name, mediaType: a.mediaType, size: a.size, sha256: a.sha256 };
      await run(
        [
          // A second artifact of the same name replaces the first (an agent may refine its output).
          `insert into run_artifacts (id, run_id, owner_id, name, media_type, size, sha256, storage_key, created_at)
           values (${literal(a.id)}, ${literal(a.runId)}, ${literal(a.ownerId)}, ${literal(a.name)}, ${literal(a.mediaType)},
                   ${a.size}, ${literal(a.sha256)}, ${literal(a.storageKey)}, ${ts(a.createdAt)})
           on conflict (run_id, name) do update set id = excluded.id, media_type = excluded.media_type,
              size = excluded.size, sha256 = excluded.sha256, storage_key = excluded.storage_key,
              created_at = excluded.created_at`,
          appendEventsSql([{ runId: a.runId, events: [{ type: 'artifact', artifact: ref }] }], a.createdAt),
          ...notifySql(EVENTS_CHANNEL, [a.runId]),
        ],
        { last: true },
      );
      return { ok: true as const, replacedKey: (previous?.[0]?.storage_key as string | undefined) ?? null };
    });
  }

  async heartbeat(
    workerId: string,
    attempts: readonly { runId: string; attempt: number }[],
    now: Date,
  ): Promise<{ runId: string; attempt: number; status: RunStatus }[]> {
    if (attempts.length === 0) return [];
    const pairs = attempts.map((a) => ({ run_id: a.runId, number: a.attempt }));
    const rows = await this.#read(
      `with hb as (
         update run_attempts a set heartbeat_at = ${ts(now)}
           from json_to_recordset(${jsonLiteral(pairs)}) as p(run_id text, number int)
          where a.run_id = p.run_id and a.number = p.number
            and a.worker_id = ${literal(workerId)} and a.ended_at is null
          returning a.run_id, a.number)
       select hb.run_id, hb.number, r.status from hb join runs r on r.id = hb.run_id`,
    );
    return rows.map((r) => ({
      runId: String(r.run_id),
      attempt: Number(r.number),
      status: r.status as RunStatus,
    }));
  }

  async sweepCandidates(now: Date, leaseMs: number, limit: number): Promise<SweepCandidates> {
    const n = Math.trunc(limit);
    const [lost, late, unanswered, expiring] = await Promise.all([
      this.#read(
        `select a.run_id, a.number, r.retry_safe from run_attempts a join runs r on r.id = a.run_id and r.attempt = a.number
          where a.ended_at is null and a.heartbeat_at < ${ts(new Date(now.getTime() - leaseMs))}
            and r.status in ${ACTIVE} order by a.heartbeat_at limit ${n}`,
      ),
      this.#read(
        `select id, attempt from runs where status = 'running' and deadline_at < ${ts(now)} order by deadline_at limit ${n}`,
      ),
      this.#read(
        `select id, attempt from runs where status = 'awaiting_input' and question_deadline < ${ts(now)}
          order by question_deadline limit ${n}`,
      ),
      this.#read(
        `select id, attempt from runs where status in ('queued','running','awaiting_input') and expires_at < ${ts(now)}
          order by expires_at limit ${n}`,
      ),
    ]);
    const pair = (r: Record<string, unknown>) => ({ runId: String(r.id), attempt: Number(r.attempt) });
    return {
      lostAttempts: lost.map((r) => ({
        runId: String(r.run_id),
        attempt: Number(r.number),
        retrySafe: Boolean(r.retry_safe),
      })),
      pastDeadline: late.map(pair),
      unanswered: unanswered.map(pair),
      expiring: expiring.map(pair),
    };
  }

  async unblock(limit: number, limits?: ConcurrencyLimits): Promise<number> {
    return this.#tx(async (run, query) => {
      const [rows] = await run([
        `select coalesce(json_agg(json_build_object('b', buyer_id, 'a', agent_id)), '[]'::json) as keys
           from (select distinct buyer_id, agent_id from runs where blocked_on is not null and status = 'queued'
                  limit ${Math.trunc(limit)}) k`,
      ]);
      const keys = (rows?.[0]?.keys ?? []) as { b: string; a: string }[];
      if (keys.length === 0) return 0;
      const buyers = [...new Set(keys.map((k) => k.b))];
      const agents = [...new Set(keys.map((k) => k.a))];
      let free = { buyers, agents };
      if (limits) {
        const [counted] = await run([activeCountsSql(buyers, agents)]);
        const full = new Set(
          ((counted?.[0]?.counts ?? []) as { kind: string; id: string; n: number }[])
            .filter((c) => c.n >= (c.kind === 'b' ? limits.perBuyer : limits.perAgent))
            .map((c) => `${c.kind}:${c.id}`),
        );
        free = {
          buyers: buyers.filter((b) => !full.has(`b:${b}`)),
          agents: agents.filter((a) => !full.has(`a:${a}`)),
        };
      }
      const [res] = await run([unblockSql(free.buyers, free.agents, limit)]);
      const ids = (res?.[0]?.ids ?? []) as string[];
      await this.queue.enqueue(
        query,
        ids.map((runId) => ({ runId })),
      );
      return ids.length;
    });
  }

  async addFile(f: StoredFile): Promise<void> {
    await this.#read(
      `insert into run_files (id, owner_id, name, media_type, size, sha256, storage_key, created_at)
       values (${literal(f.id)}, ${literal(f.ownerId)}, ${literal(f.name)}, ${literal(f.mediaType)}, ${f.size},
               ${literal(f.sha256)}, ${literal(f.storageKey)}, ${ts(f.createdAt)})`,
    );
  }

  async filesOf(ownerId: string, ids: readonly string[]): Promise<StoredFile[]> {
    if (ids.length === 0) return [];
    const rows = await this.#read(
      `select row_to_json(f) as f from run_files f
        where owner_id = ${literal(ownerId)} and id in ${textList(ids.filter((id) => /^fil_[0-9a-z]{26}$/.test(id)))}`,
    );
    return rows.map((r) => fileFromJson(r.f as Record<string, unknown>));
  }

  async get(runId: string): Promise<Run | null> {
    const rows = await this.#read(`select row_to_json(r) as run from runs r where id = ${literal(runId)}`);
    return rows[0] ? runFromJson(rows[0].run as Record<string, unknown>) : null;
  }

  async list(
    buyerId: string,
    options: { cursor: string | null; limit: number; status?: RunStatus },
  ): Promise<{ items: Run[]; nextCursor: string | null } | null> {
    let after = '';
    if (options.cursor !== null) {
      const decoded = decodeCursor(options.cursor);
      if (!decoded) return null;
      after = `and (created_at, id) < (${ts(decoded.at)}, ${literal(decoded.id)})`;
    }
    const status = options.status ? `and status = ${literal(options.status)}` : '';
    const limit = Math.trunc(options.limit);
    const rows = await this.#read(
      `select row_to_json(r) as run from runs r where buyer_id = ${literal(buyerId)} ${status} ${after}
        order by created_at desc, id desc limit ${limit + 1}`,
    );
    const items = rows.slice(0, limit).map((r) => runFromJson(r.run as Record<string, unknown>));
    const last = items.at(-1);
    return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
  }

  async events(runId: string, afterSeq: number, limit: number): Promise<RunEvent[]> {
    const rows = await this.#read(
      `select row_to_json(e) as e from run_events e where run_id = ${literal(runId)} and seq > ${Math.trunc(afterSeq)}
        order by seq limit ${Math.trunc(limit)}`,
    );
    return rows.map((r) => eventFromJson(r.e as Record<string, unknown>));
  }

  async artifacts(runId: string): Promise<Artifact[]> {
    const rows = await this.#read(
      `select row_to_json(a) as a from run_artifacts a where run_id = ${literal(runId)} order by created_at, name`,
    );
    return rows.map((r) => artifactFromJson(r.a as Record<string, unknown>));
  }

  async artifact(runId: string, artifactId: string): Promise<Artifact | null> {
    const rows = await this.#read(
      `select row_to_json(a) as a from run_artifacts a where run_id = ${literal(runId)} and id = ${literal(artifactId)}`,
    );
    return rows[0] ? artifactFromJson(rows[0].a as Record<string, unknown>) : null;
  }

  async deleteArtifact(runId: string, artifactId: string): Promise<Artifact | null> {
    const rows = await this.#read(
      `delete from run_artifacts a where run_id = ${literal(runId)} and id = ${literal(artifactId)} returning row_to_json(a) as a`,
    );
    return rows[0] ? artifactFromJson(rows[0].a as Record<string, unknown>) : null;
  }

  async #read(text: string): Promise<Record<string, unknown>[]> {
    if (this.handle.engine === 'pglite')
      return (await this.handle.pglite.query(text)).rows as Record<string, unknown>[];
    return (await this.handle.pool.query(text)).rows;
  }

  /** A transaction, run again after a deadlock or serialization failure (nothing of it was written). */
  #tx<T>(fn: Parameters<typeof runTransaction<T>>[1]): Promise<T> {
    return runTransactionWithRetry(this.handle, fn, { retryOn: RETRYABLE, attempts: 5, pauseMs: 10 });
  }
}

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } | null {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime()) || !/^run_[0-9a-z]{26}$/.test(id)) return null;
  return { at, id };
}
