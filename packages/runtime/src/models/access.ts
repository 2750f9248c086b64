import { AgentFailure, type ModelCall } from '@jeton/core';
import { jsonSchema, Output, type StepResult, stepCountIs, streamText, type ToolSet } from 'ai';
import type { ModelAccess, ModelAnswer } from '../sdk/context.ts';
import type { ModelRequest } from '../sdk/types.ts';
import { modelCostMicroCredits } from './cost.ts';
import { classifyModelError, type ErrorContext, SchemaMismatchError, STOPPED_MESSAGE } from './errors.ts';
import { validateJson } from './json-schema.ts';
import { isResolved, type ModelRegistry, type ResolvedModel } from './registry.ts';
import { isStrictCompatible, schemaProblem } from './schema-checks.ts';

/**
 * `ModelAccess` (what `ctx.model` and the prompt runtime call) over the registry's providers: one
 * streamed request per call (several with tools), text deltas passed on as they arrive, structured
 * output validated against the request's JSON Schema, tokens counted and priced exactly.
 */

export interface ModelAccessOptions {
  /** `default` or `provider/model`. */
  modelId: string;
  /** A second stop signal besides each call's own (e.g. the worker shutting down). */
  signal?: AbortSignal;
  /** Retries of a transient provider error, with the AI SDK's backoff (honouring retry-after). Default 2. */
  maxRetries?: number;
  /** A call that sends nothing for this long fails as provider_transient. Default 180,000 ms. */
  idleTimeoutMs?: number;
}

/** What the prompt runtime adds to a request: tools, and a look at each provider call as it ends. */
export interface PromptModelRequest extends ModelRequest {
  /** AI SDK tools the model may call; the loop makes at most `maxSteps` provider calls. */
  tools?: ToolSet;
  /** Default 5 when tools are given (1 without). */
  maxSteps?: number;
  /**
   * Called after each provider call with what it cost; resolving `true` ends the tool loop (the
   * budget is spent). When given, the caller meters every call here and must not meter the total.
   */
  onStep?: (call: ModelCall) => Promise<boolean> | boolean;
  /** Called when the model calls a tool. */
  onToolCall?: (name: string) => void;
}

export interface PromptModelAnswer extends ModelAnswer {
  /** Provider calls made (1 without tools). */
  steps: number;
  /** Why the last call ended: `stop`, `length`, `tool-calls`, `content-filter`, … */
  finishReason: string;
  /** Whether `onStep` ended the loop while the model still wanted to call tools. */
  stoppedEarly: boolean;
}

export interface PromptModelAccess extends ModelAccess {
  generate(request: PromptModelRequest, signal: AbortSignal): Promise<PromptModelAnswer>;
}

export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_MAX_STEPS = 5;
const DEFAULT_IDLE_MS = 180_000;
/** When a provider reports no usage, tokens are estimated as one per this many characters (rounded up). */
const CHARS_PER_TOKEN_ESTIMATE = 3;

function estimate(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN_ESTIMATE);
}

function jsonInstruction(schema: Record<string, unknown>): string {
  return `Answer with one JSON value, and nothing else, that satisfies this JSON Schema:\n${JSON.stringify(schema)}`;
}

/** The characters a step added to the conversation (its text, tool calls and tool results). */
function stepChars(step: StepResult<ToolSet>): { out: number; total: number } {
  const calls = step.toolCalls.reduce(
    (n, c) => n + c.toolName.length + JSON.stringify(c.input ?? null).length,
    0,
  );
  const results = step.toolResults.reduce((n, r) => n + JSON.stringify(r.output ?? null).length, 0);
  const out = step.text.length + calls;
  return { out, total: out + results };
}

export function modelAccess(registry: ModelRegistry, options: ModelAccessOptions): PromptModelAccess {
  const first = registry.resolve(options.modelId);
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_MS;
  return {
    unavailable: isResolved(first) ? null : first.unavailable,
    async generate(request, signal) {
      const resolved = registry.resolve(options.modelId);
      if (!isResolved(resolved)) throw new AgentFailure('provider_fatal', resolved.unavailable);
      const runSignal = options.signal ? AbortSignal.any([signal, options.signal]) : signal;
      if (runSignal.aborted) throw new AgentFailure('agent_error', STOPPED_MESSAGE);
      const schema = request.schema;
      if (schema) {
        const problem = schemaProblem(schema);
        if (problem) throw new AgentFailure('agent_error', `The output schema cannot be used: ${problem}`);
      }
      return call(resolved, request, runSignal, options.maxRetries ?? DEFAULT_MAX_RETRIES, idleMs);
    },
  };
}

async function call(
  resolved: ResolvedModel,
  request: PromptModelRequest,
  runSignal: AbortSignal,
  maxRetries: number,
  idleMs: number,
): Promise<PromptModelAnswer> {
  const schema = request.schema;
  const ctx: ErrorContext = {
    model: resolved.id,
    apiKeyEnv: resolved.apiKeyEnv,
    signal: runSignal,
    secrets: [],
  };
  // The key itself is only known to the registry: its redaction runs over every message.
  const failure = (error: unknown) => {
    const f = classifyModelError(error, ctx);
    const message = resolved.redact(f.message);
    return message === f.message ? f : new AgentFailure(f.code, message);
  };

  const idle = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => idle.abort(new DOMException(`no data for ${idleMs} ms`, 'TimeoutError')),
      idleMs,
    );
  };

  let system = request.system;
  if (schema && !resolved.structuredOutputs)
    system = system ? `${system}\n\n${jsonInstruction(schema)}` : jsonInstruction(schema);
  const strict = schema ? isStrictCompatible(schema) : false;
  const output = schema
    ? Output.object({
        schema: jsonSchema<unknown>(schema as Parameters<typeof jsonSchema>[0], {
          validate: (value) => {
            const issues = validateJson(schema, value);
            return issues.length === 0
              ? { success: true, value }
              : { success: false, error: new SchemaMismatchError(issues) };
          },
        }),
      })
    : undefined;

  const hasTools = request.tools !== undefined && Object.keys(request.tools).length > 0;
  const maxSteps = hasTools ? Math.max(1, request.maxSteps ?? DEFAULT_MAX_STEPS) : 1;
  let contextChars = (system?.length ?? 0) + request.prompt.length;
  let stopRequested = false;
  let stepError: unknown;
  const calls: ModelCall[] = [];

  const onStepFinish = async (step: StepResult<ToolSet>) => {
    const chars = stepChars(step);
    const inputTokens = step.usage.inputTokens ?? estimate(contextChars);
    const outputTokens = step.usage.outputTokens ?? estimate(chars.out);
    contextChars += chars.total;
    const costMicroCredits = modelCostMicroCredits({ inputTokens, outputTokens }, resolved.prices);
    const metered: ModelCall = { model: resolved.id, inputTokens, outputTokens, costMicroCredits };
    calls.push(metered);
    if (!request.onStep) return;
    try {
      if (await request.onStep(metered)) stopRequested = true;
    } catch (error) {
      // The SDK ignores errors thrown by callbacks: keep it to throw once the stream ends.
      stepError ??= error;
      stopRequested = true;
    }
  };

  const abortSignal = AbortSignal.any([runSignal, idle.signal]);
  arm();
  try {
    const result = streamText({
      model: resolved.model,
      ...(system !== undefined ? { system } : {}),
      prompt: request.prompt,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.maxOutputTokens !== undefined ? { maxOutputTokens: request.maxOutputTokens } : {}),
      maxRetries,
      abortSignal,
      ...(hasTools ? { tools: request.tools } : {}),
      stopWhen: [stepCountIs(maxSteps), () => stopRequested],
      ...(output ? { output } : {}),
      providerOptions: {
        openai: { strictJsonSchema: strict },
        openaiCompatible: { strictJsonSchema: strict },
      },
      onError: () => {},
      onStepFinish,
    });

    let finishReason = 'unknown';
    let steps = 0;
    let lastStepText = '';
    for await (const part of result.fullStream) {
      arm();
      switch (part.type) {
        case 'start-step':
          lastStepText = '';
          break;
        case 'text-delta':
          lastStepText += part.text;
          request.onText?.(part.text);
          break;
        case 'tool-call':
          request.onToolCall?.(part.toolName);
          break;
        case 'finish-step':
          steps++;
          finishReason = part.finishReason;
          break;
        case 'error':
          throw part.error;
        case 'abort':
          throw runSignal.aborted
            ? runSignal.reason
            : (idle.signal.reason ?? new DOMException('aborted', 'AbortError'));
      }
    }
    if (stepError !== undefined) throw stepError;
    clearTimeout(timer);

    let object: unknown;
    if (schema) object = await result.output;
    const inputTokens = calls.reduce((n, c) => n + c.inputTokens, 0);
    const outputTokens = calls.reduce((n, c) => n + c.outputTokens, 0);
    return {
      text: lastStepText,
      ...(schema ? { object } : {}),
      model: resolved.id,
      usage: { inputTokens, outputTokens },
      costMicroCredits: calls.reduce((n, c) => n + c.costMicroCredits, 0n),
      steps,
      finishReason,
      stoppedEarly: stopRequested && finishReason === 'tool-calls',
    };
  } catch (error) {
    if (error instanceof AgentFailure) throw error;
    if (!runSignal.aborted && idle.signal.aborted) {
      throw new AgentFailure(
        'provider_transient',
        `${resolved.id} sent nothing for ${Math.round(idleMs / 1000)} s: the call was given up.`,
      );
    }
    throw failure(error);
  } finally {
    clearTimeout(timer);
  }
}
