import { AgentFailure } from '@jeton/core';
import { APICallError, LoadAPIKeyError, NoObjectGeneratedError, RetryError } from 'ai';

/**
 * Provider errors as run failures. The rule: what a new attempt may not meet again is the creator's
 * to fix (`provider_fatal`: bad request, bad key, unknown model); what comes and goes is the
 * platform's (`provider_transient`: rate limits, 5xx, overload, network trouble, timeouts). An abort
 * of the run's own signal is neither: the run was stopped (timeout or cancellation) and the engine
 * decides from the signal's reason.
 */

/** Who answered and how to word the failure. */
export interface ErrorContext {
  /** `provider/model`. */
  model: string;
  /** The environment variable that holds the provider's key, named in auth failures. */
  apiKeyEnv?: string | undefined;
  /** Secret values that must never appear in a message (the provider's key). */
  secrets?: readonly string[];
  /** The run's signal: an error after it aborted is the stop, not the provider. */
  signal?: AbortSignal | undefined;
}

/** Thrown when the run's signal stopped a call (the same message as the SDK's context uses). */
export const STOPPED_MESSAGE = 'The run has stopped.';

const MAX_DETAIL = 300;

/** Statuses that a new attempt can meet differently. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Anthropic's and OpenAI's in-stream error types that mean "try again later". */
const TRANSIENT_TYPES = new Set([
  'overloaded_error',
  'api_error',
  'rate_limit_error',
  'timeout_error',
  'server_error',
  'service_unavailable',
  'rate_limit_exceeded',
]);

/** Anything that looks like an API key or bearer token, beyond the known secrets. */
const KEY_LIKE = /\b(?:sk|pk|rk|key)-[A-Za-z0-9_*.-]{6,}|\bBearer\s+\S+/g;

/** The provider's message, on one line, without secrets, at most 300 characters. */
export function cleanDetail(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  out = out.replace(KEY_LIKE, '[redacted]').replace(/\s+/g, ' ').trim();
  return out.length > MAX_DETAIL ? `${out.slice(0, MAX_DETAIL - 1)}…` : out;
}

function isAbortLike(error: unknown): boolean {
  if (!(error instanceof Error) && !(typeof error === 'object' && error !== null && 'name' in error)) {
    return false;
  }
  const name = (error as { name?: unknown }).name;
  return name === 'AbortError' || name === 'ResponseAborted';
}

function isTimeout(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const name = (e as { name?: unknown }).name;
    const code = (e as { code?: unknown }).code;
    if (name === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function actionFor(status: number, ctx: ErrorContext): string {
  if (status === 401 || status === 403) {
    return ctx.apiKeyEnv ? ` — check ${ctx.apiKeyEnv}` : ' — check the provider key in JETON_MODEL_PROVIDERS';
  }
  if (status === 404)
    return ' — check the model id (in the manifest or JETON_MODEL_PROVIDERS) and the baseURL';
  if (status === 400 || status === 422)
    return ' — check the manifest (prompt, output schema, tools, maxOutputTokens)';
  return '';
}

/** Why a structured answer was refused, as a sentence (the paths come from our validator). */
function objectFailure(error: NoObjectGeneratedError): string {
  for (let e: unknown = error.cause, depth = 0; e && depth < 5; depth++) {
    if (e instanceof SchemaMismatchError) return `does not match the output schema: ${e.message}`;
    e = (e as { cause?: unknown }).cause;
  }
  const cut = error.finishReason === 'length' ? ' (it was cut at maxOutputTokens)' : '';
  return `is not valid JSON${cut}`;
}

/** Raised by our validator inside the AI SDK's structured output; its message lists the paths. */
export class SchemaMismatchError extends Error {
  constructor(readonly issues: readonly { path: string; message: string }[]) {
    super(
      issues
        .slice(0, 5)
        .map((i) => `${i.path} ${i.message}`)
        .join('; ') + (issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''),
    );
    this.name = 'SchemaMismatchError';
  }
}

/** Any error from a model call as the failure that ends the run. Never contains the key. */
export function classifyModelError(error: unknown, ctx: ErrorContext): AgentFailure {
  if (ctx.signal?.aborted) return new AgentFailure('agent_error', STOPPED_MESSAGE);
  if (error instanceof AgentFailure) return error;
  const clean = (t: string) => cleanDetail(t, ctx.secrets);
  const who = ctx.model;

  if (RetryError.isInstance(error)) {
    const attempts = error.errors.length;
    const last = classifyModelError(error.lastError, ctx);
    if (last.code !== 'provider_transient') return last;
    return new AgentFailure('provider_transient', `${last.message} (after ${attempts} attempts)`);
  }
  if (NoObjectGeneratedError.isInstance(error)) {
    return new AgentFailure('agent_error', `The answer of ${who} ${objectFailure(error)}.`);
  }
  if (LoadAPIKeyError.isInstance(error)) {
    return new AgentFailure('provider_fatal', `${who} has no API key — ${clean(error.message)}`);
  }
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const detail = clean(error.message);
    if (status === undefined) {
      const why = isTimeout(error) ? 'did not answer in time' : 'could not be reached';
      return new AgentFailure('provider_transient', `${who} ${why}: ${detail}`);
    }
    if (isTransientStatus(status) || error.isRetryable) {
      return new AgentFailure('provider_transient', `${who} answered ${status}: ${detail}`);
    }
    return new AgentFailure(
      'provider_fatal',
      `${who} answered ${status}: ${detail}${actionFor(status, ctx)}`,
    );
  }
  if (isTimeout(error)) return new AgentFailure('provider_transient', `${who} did not answer in time.`);
  if (isAbortLike(error)) {
    // Not our signal (checked above): a timeout of the call, or the connection dropped.
    return new AgentFailure('provider_transient', `${who} stopped answering (the call was cut).`);
  }
  // In-stream errors arrive as the provider's own error object ({ type, message }).
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { message, type, code } = error as { message: unknown; type?: unknown; code?: unknown };
    const detail = clean(String(message));
    if (typeof type === 'string' || typeof code === 'string') {
      const kind = String(type ?? code);
      const transient =
        TRANSIENT_TYPES.has(kind) || (error as { isRetryable?: unknown }).isRetryable === true;
      return new AgentFailure(
        transient ? 'provider_transient' : 'provider_fatal',
        `${who} failed while answering (${kind}): ${detail}`,
      );
    }
    if (error instanceof Error && /fetch failed|ECONN|socket|network|terminated/i.test(error.message)) {
      return new AgentFailure('provider_transient', `${who} could not be reached: ${detail}`);
    }
    // Unreadable answers (invalid JSON, an unexpected shape) and anything else from the provider layer:
    // not the creator's doing, and possibly gone on a new attempt.
    return new AgentFailure('provider_transient', `${who} gave an answer that could not be read: ${detail}`);
  }
  return new AgentFailure('provider_transient', `${who} failed: ${clean(String(error))}`);
}
