import type { FailureCode, Fault, Pricing, RunStatus } from '@jeton/core';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { at } from '../columns.ts';

/**
 * The run engine's tables. `runs` is the truth about a run (its status is only ever changed by a
 * compare-and-set on the status read); attempts, events and artifacts hang off it. The job queue
 * (pg-boss, in its own schema) only says "start this run": losing or repeating a job changes nothing,
 * because starting is a compare-and-set too.
 */

export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    buyerId: text('buyer_id').notNull(),
    agentId: text('agent_id').notNull(),
    versionId: text('version_id').notNull(),
    slug: text('slug').notNull(),
    version: text('version').notNull(),
    creatorId: text('creator_id').notNull(),
    status: text('status').$type<RunStatus>().notNull(),
    input: jsonb('input').notNull(),
    /** The price the buyer agreed to, frozen at submission: a later price change never touches it. */
    pricing: jsonb('pricing').$type<Pricing>().notNull(),
    /** The quote: the price, or the most a per-event or per-token run can cost. The hold's size. */
    maxCredits: bigint('max_credits', { mode: 'number' }).notNull(),
    holdId: text('hold_id').notNull(),
    idempotencyKey: text('idempotency_key'),
    /** SHA-256 of the submission, so that a reused key with another body is refused. */
    requestHash: text('request_hash').notNull(),
    timeoutSeconds: integer('timeout_seconds').notNull(),
    retrySafe: boolean('retry_safe').notNull(),
    /** The current attempt's number (0 before the first start). */
    attempt: integer('attempt').notNull().default(0),
    /** Set while a queued run waits for a concurrency slot: 'buyer' or 'agent'. */
    blockedOn: text('blocked_on'),
    /** What the agent delivered so far: per-event charges and metered model cost. */
    usage: jsonb('usage').notNull(),
    question: jsonb('question'),
    questionDeadline: at('question_deadline'),
    /** When a running attempt must be over (the manifest's timeout, extended while awaiting input). */
    deadlineAt: at('deadline_at'),
    /** The run must end before its hold can expire; the sweep fails it first. */
    expiresAt: at('expires_at').notNull(),
    failureCode: text('failure_code').$type<FailureCode>(),
    fault: text('fault').$type<Fault>(),
    errorMessage: text('error_message'),
    charged: bigint('charged', { mode: 'number' }),
    refunded: bigint('refunded', { mode: 'number' }),
    lastSeq: integer('last_seq').notNull().default(0),
    createdAt: at('created_at').notNull(),
    startedAt: at('started_at'),
    endedAt: at('ended_at'),
  },
  (t) => [
    uniqueIndex('runs_idempotency')
      .on(t.buyerId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index('runs_buyer_created').on(t.buyerId, t.createdAt.desc(), t.id.desc()),
    // Active runs, counted for the concurrency limits and walked by the sweep.
    index('runs_active_buyer').on(t.buyerId).where(sql`${t.status} in ('running','awaiting_input')`),
    index('runs_active_agent').on(t.agentId).where(sql`${t.status} in ('running','awaiting_input')`),
    index('runs_blocked').on(t.createdAt).where(sql`${t.blockedOn} is not null`),
    index('runs_open_expiry')
      .on(t.expiresAt)
      .where(sql`${t.status} in ('queued','running','awaiting_input')`),
    index('runs_running_deadline').on(t.deadlineAt).where(sql`${t.status} = 'running'`),
    index('runs_question_deadline').on(t.questionDeadline).where(sql`${t.status} = 'awaiting_input'`),
    check(
      'runs_status',
      sql`${t.status} in ('queued','running','awaiting_input','succeeded','failed','cancelled','timed_out')`,
    ),
    check(
      'runs_final_has_end',
      sql`(${t.status} in ('queued','running','awaiting_input')) = (${t.endedAt} is null)`,
    ),
    check(
      'runs_settled_once',
      sql`(${t.endedAt} is null) = (${t.charged} is null) and (${t.charged} is null) = (${t.refunded} is null)`,
    ),
    check(
      'runs_settlement_within_quote',
      sql`coalesce(${t.charged} + ${t.refunded}, ${t.maxCredits}) = ${t.maxCredits}`,
    ),
    check('runs_max_positive', sql`${t.maxCredits} > 0`),
  ],
);

export const runAttempts = pgTable(
  'run_attempts',
  {
    runId: text('run_id').notNull(),
    number: integer('number').notNull(),
    workerId: text('worker_id').notNull(),
    startedAt: at('started_at').notNull(),
    heartbeatAt: at('heartbeat_at').notNull(),
    endedAt: at('ended_at'),
    /** 'succeeded', a failure code, or 'superseded' when the run moved on without this attempt. */
    outcome: text('outcome'),
    errorMessage: text('error_message'),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.number] }),
    index('run_attempts_open_heartbeat').on(t.heartbeatAt).where(sql`${t.endedAt} is null`),
    index('run_attempts_open_worker').on(t.workerId).where(sql`${t.endedAt} is null`),
  ],
);

export const runEvents = pgTable(
  'run_events',
  {
    runId: text('run_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').notNull(),
    at: at('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

/** What every stored blob row has: its name, type, size, digest and where its bytes are. */
const blobColumns = () => ({
  id: text('id').primaryKey(),
  ownerId: text('owner_id').notNull(),
  name: text('name').notNull(),
  mediaType: text('media_type').notNull(),
  size: bigint('size', { mode: 'number' }).notNull(),
  sha256: text('sha256').notNull(),
  storageKey: text('storage_key').notNull(),
  createdAt: at('created_at').notNull(),
});

export const runArtifacts = pgTable(
  'run_artifacts',
  { ...blobColumns(), runId: text('run_id').notNull() },
  (t) => [uniqueIndex('run_artifacts_run_name').on(t.runId, t.name)],
);

/** Files a buyer uploaded as inputs, before or for a run. */
export const runFiles = pgTable('run_files', blobColumns(), (t) => [
  index('run_files_owner').on(t.ownerId, t.createdAt),
]);

export const runsSchema = { runs, runAttempts, runEvents, runArtifacts, runFiles };
