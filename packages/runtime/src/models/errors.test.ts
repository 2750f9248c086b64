import { AgentFailure } from '@jeton/core';
import { APICallError, RetryError } from 'ai';
import { describe, expect, it } from 'vitest';
import { classifyModelError, cleanDetail } from './errors.ts';

const apiError = (statusCode: number | undefined, message: string, extra: Partial<{ cause: unknown }> = {}) =>
  new APICallError({
    message,
    url: 'https://api.example.com/v1/chat/completions',
    requestBodyValues: {},
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...extra,
  });

const ctx = { model: 'anthropic/claude-x', apiKeyEnv: 'ANTHROPIC_API_KEY' };

describe('classifyModelError', () => {
  it.each([
    [429, 'provider_transient'],
    [500, 'provider_transient'],
    [502, 'provider_transient'],
    [503, 'provider_transient'],
    [529, 'provider_transient'],
    [408, 'provider_transient'],
    [400, 'provider_fatal'],
    [401, 'provider_fatal'],
    [403, 'provider_fatal'],
    [404, 'provider_fatal'],
    [422, 'provider_fatal'],
  ] as const)('status %i is %s', (status, code) => {
    expect(classifyModelError(apiError(status, 'nope'), ctx).code).toBe(code);
  });

  it('tells the creator what to check', () => {
    expect(classifyModelError(apiError(401, 'invalid x-api-key'), ctx).message).toBe(
      'anthropic/claude-x answered 401: invalid x-api-key — check ANTHROPIC_API_KEY',
    );
    expect(classifyModelError(apiError(404, 'model: claude-x'), ctx).message).toBe(
      'anthropic/claude-x answered 404: model: claude-x — check the model id (in the manifest or JETON_MODEL_PROVIDERS) and the baseURL',
    );
  });

  it('uses the last error of the retries and counts the attempts', () => {
    const retried = new RetryError({
      message: 'Failed after 3 attempts',
      reason: 'maxRetriesExceeded',
      errors: [apiError(429, 'slow down'), apiError(429, 'slow down'), apiError(503, 'unavailable')],
    });
    expect(classifyModelError(retried, ctx)).toMatchObject({
      code: 'provider_transient',
      message: 'anthropic/claude-x answered 503: unavailable (after 3 attempts)',
    });
    const thenFatal = new RetryError({
      message: 'x',
      reason: 'errorNotRetryable',
      errors: [apiError(500, 'boom'), apiError(400, 'bad request')],
    });
    expect(classifyModelError(thenFatal, ctx).code).toBe('provider_fatal');
  });

  it('makes network failures and timeouts transient', () => {
    const refused = apiError(undefined, 'Cannot connect to API: connect ECONNREFUSED 127.0.0.1:1', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyModelError(refused, ctx)).toMatchObject({
      code: 'provider_transient',
      message:
        'anthropic/claude-x could not be reached: Cannot connect to API: connect ECONNREFUSED 127.0.0.1:1',
    });
    expect(classifyModelError(new DOMException('signal timed out', 'TimeoutError'), ctx).code).toBe(
      'provider_transient',
    );
    expect(classifyModelError(new TypeError('fetch failed'), ctx).code).toBe('provider_transient');
  });

  it('never calls an abort of the run a provider error', () => {
    const controller = new AbortController();
    controller.abort('cancel');
    const f = classifyModelError(apiError(500, 'boom'), { ...ctx, signal: controller.signal });
    expect(f).toMatchObject({ code: 'agent_error', message: 'The run has stopped.' });
    expect(
      classifyModelError(new DOMException('aborted', 'AbortError'), { ...ctx, signal: controller.signal })
        .code,
    ).toBe('agent_error');
  });

  it('classifies in-stream error objects by their type', () => {
    expect(classifyModelError({ type: 'overloaded_error', message: 'Overloaded' }, ctx).code).toBe(
      'provider_transient',
    );
    expect(classifyModelError({ type: 'invalid_request_error', message: 'bad' }, ctx).code).toBe(
      'provider_fatal',
    );
  });

  it('passes failures through and never shows a key', () => {
    const f = new AgentFailure('agent_error', 'x');
    expect(classifyModelError(f, ctx)).toBe(f);
    const leaked = classifyModelError(apiError(401, 'Incorrect API key provided: sk-proj-abcdef123456.'), {
      ...ctx,
      secrets: ['sk-proj-abcdef123456'],
    });
    expect(leaked.message).not.toContain('abcdef');
    // Key-like strings are masked even when the key is not known.
    expect(cleanDetail('Bearer abc.def and sk-live-9999999999 here')).toBe('[redacted] and [redacted] here');
    expect(cleanDetail(`a${' very long'.repeat(100)}`).length).toBe(300);
  });
});
