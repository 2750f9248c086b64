import type {
  Artifact,
  FailureCode,
  Fault,
  Question,
  Run,
  RunEvent,
  RunEventData,
  RunStatus,
  StoredFile,
} from '@jeton/core';
import { jsonLiteral, literal } from '../ledger/sql-runner.ts';

/** A row as `row_to_json` gives it: the same shape on both engines (timestamps as ISO strings). */
type Json = Record<string, unknown>;

const date = (v: unknown): Date => new Date(String(v));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The columns a statement returns for a run, as one JSON object (see `runFromJson`). */
export const RUN_JSON = 'row_to_json(r)';

export function runFromJson(j: Json): Run {
  const question = j.question as
    | (Omit<Question, 'askedAt' | 'deadline'> & { askedAt: string; deadline: string })
    | null;
  return {
    id: String(j.id),
    buyerId: String(j.buyer_id),
    agentId: String(j.agent_id),
    versionId: String(j.version_id),
    slug: String(j.slug),
    version: String(j.version),
    creatorId: String(j.creator_id),
    status: j.status as RunStatus,
    input: j.input as Record<string, unknown>,
    pricing: j.pricing as Run['pricing'],
    maxCredits: Number(j.max_credits),
    holdId: String(j.hold_id),
    idempotencyKey: (j.idempotency_key as string | null) ?? null,
    timeoutSeconds: Number(j.timeout_seconds),
    retrySafe: Boolean(j.retry_safe),
    attempt: Number(j.attempt),
    blockedOn: (j.blocked_on as Run['blockedOn']) ?? null,
    usage: j.usage as Run['usage'],
    question: question
      ? { ...question, askedAt: date(question.askedAt), deadline: date(question.deadline) }
      : null,
    deadlineAt: dateOrNull(j.deadline_at),
    expiresAt: date(j.expires_at),
    failure: j.failure_code
      ? {
          code: j.failure_code as FailureCode,
          fault: j.fault as Fault,
          message: String(j.error_message ?? ''),
        }
      : null,
    charged: numOrNull(j.charged),
    refunded: numOrNull(j.refunded),
    lastSeq: Number(j.last_seq),
    createdAt: date(j.created_at),
    startedAt: dateOrNull(j.started_at),
    endedAt: dateOrNull(j.ended_at),
  };
}

export function eventFromJson(j: Json): RunEvent {
  return { runId: String(j.run_id), seq: Number(j.seq), at: date(j.at), data: j.data as RunEventData };
}

/** The columns every blob row has (see `blobColumns` in the schema). */
function blobFromJson(j: Json) {
  return {
    id: String(j.id),
    ownerId: String(j.owner_id),
    name: String(j.name),
    mediaType: String(j.media_type),
    size: Number(j.size),
    sha256: String(j.sha256),
    storageKey: String(j.storage_key),
    createdAt: date(j.created_at),
  };
}

export function artifactFromJson(j: Json): Artifact {
  return { ...blobFromJson(j), runId: String(j.run_id) };
}

export function fileFromJson(j: Json): StoredFile {
  return blobFromJson(j);
}

/** A timestamp literal. */
export const ts = (d: Date): string => `${literal(d.toISOString())}::timestamptz`;

/**
 * Events to append, as rows numbered after each run's `last_seq` (which the same statement raises):
 * `items` lists, per run, the events in order.
 */
export function appendEventsSql(
  items: readonly { runId: string; events: readonly RunEventData[]; attempt?: number }[],
  now: Date,
): string {
  // One row per run in the update (a run named twice would be bumped once): merge first.
  const merged = new Map<string, { events: RunEventData[]; attempt: number | null }>();
  for (const it of items) {
    const m = merged.get(it.runId) ?? { events: [], attempt: it.attempt ?? null };
    m.events.push(...it.events);
    merged.set(it.runId, m);
  }
  const rows = [...merged].flatMap(([runId, m]) =>
    m.events.map((data, i) => ({ run_id: runId, n: i + 1, data })),
  );
  const counts = [...merged]
    .filter(([, m]) => m.events.length > 0)
    .map(([runId, m]) => ({ run_id: runId, n: m.events.length, attempt: m.attempt }));
  // An attempt's own events land only while that attempt is the run's live one.
  return `with c as (select * from json_to_recordset(${jsonLiteral(counts)}) as c(run_id text, n int, attempt int)),
          bumped as (
            update runs set last_seq = runs.last_seq + c.n from c
             where runs.id = c.run_id
               and (c.attempt is null or (runs.attempt = c.attempt and runs.status in ('running','awaiting_input')))
            returning runs.id, runs.last_seq - c.n as base
          ),
          ins as (
            insert into run_events (run_id, seq, type, data, at)
            select e.run_id, b.base + e.n, e.data->>'type', e.data, ${ts(now)}
              from json_to_recordset(${jsonLiteral(rows)}) as e(run_id text, n int, data jsonb)
              join bumped b on b.id = e.run_id
            returning run_id
          )
     select coalesce(json_agg(distinct run_id), '[]'::json) as ids from ins`;
}

/** Channels: every new event of a run (SSE), and what a worker must hear at once (cancel, answer). */
export const EVENTS_CHANNEL = 'jeton_run_events';
export const CONTROL_CHANNEL = 'jeton_run_control';

/**
 * Notifies listeners, on commit, that these runs have news. Ids travel in chunks (a payload is at most
 * 8000 bytes), so a batch of a thousand runs is a handful of notifications, not a thousand.
 */
export function notifySql(channel: string, runIds: readonly string[]): string[] {
  const ids = [...new Set(runIds)];
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    out.push(`select pg_notify(${literal(channel)}, ${literal(ids.slice(i, i + 200).join(','))})`);
  }
  return out;
}
