import type { InputSchema } from '../catalog/input-schema.ts';
import type { Pricing } from '../catalog/pricing.ts';
import type { FailureCode, Fault } from './failures.ts';
import type { FinalStatus, RunStatus } from './statuses.ts';

/** What a run used so far, as the runtime metered it: per-event charges and model cost. */
export interface RunUsage {
  /** Event name → quantity charged. */
  events: Record<string, number>;
  /** Model cost in millionths of a credit (a decimal string: exact beyond 2^53). */
  modelCostMicroCredits: string;
}

export const EMPTY_USAGE: RunUsage = { events: {}, modelCostMicroCredits: '0' };

/** A question an agent asked the buyer; the run waits in `awaiting_input` for the answer. */
export interface Question {
  id: string;
  text: string;
  /** The answer's form: the same subset of JSON Schema as an agent's input. */
  schema: InputSchema;
  askedAt: Date;
  deadline: Date;
}

export interface RunFailure {
  code: FailureCode;
  fault: Fault;
  message: string;
}

export interface Run {
  id: string;
  buyerId: string;
  agentId: string;
  versionId: string;
  slug: string;
  version: string;
  creatorId: string;
  status: RunStatus;
  input: Record<string, unknown>;
  pricing: Pricing;
  /** The quote, and the hold's size. */
  maxCredits: number;
  holdId: string;
  idempotencyKey: string | null;
  timeoutSeconds: number;
  retrySafe: boolean;
  attempt: number;
  blockedOn: 'buyer' | 'agent' | null;
  usage: RunUsage;
  question: Question | null;
  deadlineAt: Date | null;
  expiresAt: Date;
  failure: RunFailure | null;
  /** Set when the run has ended: what the buyer paid and what went back to their wallet. */
  charged: number | null;
  refunded: number | null;
  lastSeq: number;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

export type RunEventData =
  | {
      type: 'status';
      status: RunStatus;
      attempt?: number;
      failure?: RunFailure;
      charged?: number;
      refunded?: number;
    }
  | { type: 'progress'; percent: number | null; message: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'question'; question: Question }
  | { type: 'answer'; questionId: string }
  | { type: 'artifact'; artifact: ArtifactRef }
  | { type: 'charge'; event: string; quantity: number; credits: number; total: number }
  | {
      type: 'model';
      /** `provider/model`. */
      model: string;
      inputTokens: number;
      outputTokens: number;
      /** Millionths of a credit, a decimal string (exact). */
      costMicroCredits: string;
    };

export type RunEventType = RunEventData['type'];

/** One entry of a run's append-only log; `seq` counts from 1 and is the SSE event id. */
export interface RunEvent {
  runId: string;
  seq: number;
  at: Date;
  data: RunEventData;
}

export interface ArtifactRef {
  id: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
}

export interface Artifact extends ArtifactRef {
  runId: string;
  ownerId: string;
  storageKey: string;
  createdAt: Date;
}

/** How an attempt ended, as the worker saw it. */
export type AttemptOutcome = { type: 'succeeded' } | { type: 'failed'; code: FailureCode; message: string };

export type { FinalStatus };
