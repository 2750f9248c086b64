import type { components, operations } from './schema.d.ts';

// Every type here is derived from the generated schema: when the API changes, `npm run sdk:generate`
// changes them, and the compiler points at the code that must follow.
type Schemas = components['schemas'];
/** The JSON body of an operation's 200 (or 201) answer. */
type Answer<Op> = Op extends { responses: { 200: { content: { 'application/json': infer T } } } }
  ? T
  : Op extends { responses: { 201: { content: { 'application/json': infer T } } } }
    ? T
    : never;
type Query<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Run = Schemas['Run'];
export type RunStatus = Run['status'];
export type RunCreate = Schemas['RunCreate'];
export type RunFailure = NonNullable<Schemas['RunFailure']>;
export type Question = NonNullable<Run['question']>;
export type AgentCard = Schemas['AgentCard'];
export type AgentPage = Schemas['AgentPage'];
export type Review = Schemas['Review'];
export type Artifact = Schemas['Artifact'];
export type User = Schemas['User'];
export type ApiKey = Schemas['ApiKey'];
/** A new key, with the key itself (`key`), which is never shown again. */
export type NewApiKey = Schemas['NewApiKey'];
/** An uploaded input file (`File` in the API; renamed so as not to hide the global `File`). */
export type UploadedFile = Schemas['File'];

export type AgentSearchQuery = Query<operations['agents.search']>;
export type AgentSearchPage = Answer<operations['agents.search']>;
export type ReviewsQuery = Query<operations['agents.reviews']>;
export type ReviewsPage = Answer<operations['agents.reviews']>;
export type RunListQuery = Query<operations['runs.list']>;
export type RunPage = Answer<operations['runs.list']>;
export type RunAnswer = NonNullable<operations['runs.answer']['requestBody']>['content']['application/json'];
export type UploadQuery = Query<operations['files.upload']>;

/** The statuses a run never leaves; its charge and refund are settled when it reaches one. */
export const FINAL_STATUSES = [
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const satisfies readonly RunStatus[];
export type FinalStatus = (typeof FINAL_STATUSES)[number];
export const isFinalStatus = (status: RunStatus): status is FinalStatus =>
  (FINAL_STATUSES as readonly RunStatus[]).includes(status);

/**
 * One entry of a run's event log, as `GET /v1/runs/{id}/events` streams it (the SSE `id` is `seq`).
 * An event stream's payloads are not described by the OpenAPI document, so this union is written
 * here; the shapes inside it (statuses, failures, questions, artifacts) are still the schema's.
 */
export type RunEvent = { seq: number; at: string } & (
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
  | {
      type: 'question';
      question: Omit<Question, 'askedAt' | 'deadline'> & { askedAt: string; deadline: string };
    }
  | { type: 'answer'; questionId: string }
  | { type: 'artifact'; artifact: Pick<Artifact, 'id' | 'name' | 'mediaType' | 'size' | 'sha256'> }
  | { type: 'charge'; event: string; quantity: number; credits: number; total: number }
  | { type: 'model'; model: string; inputTokens: number; outputTokens: number; costMicroCredits: string }
);
export type RunEventType = RunEvent['type'];
