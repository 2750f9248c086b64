import {
  type AgentContext,
  AgentFailure,
  type InputSchema,
  type Manifest,
  type ModelCall,
} from '@jeton/core';
import { type ModelAccessOptions, modelAccess } from '../models/access.ts';
import { formatMicroCredits } from '../models/cost.ts';
import { isResolved, type ModelRegistry } from '../models/registry.ts';
import { schemaProblem } from '../models/schema-checks.ts';
import { withDefaults } from '../sdk/context.ts';
import { platformToolSet, type ToolEnv, unknownTools } from './tools.ts';

/**
 * The prompt runtime: a manifest's `runtime: { kind: 'prompt', model, system, template, tools,
 * outputSchema, temperature, maxOutputTokens }` run by the platform, with no creator code. The input
 * fills the template, the model answers (streaming progress), every provider call is metered, and the
 * answer becomes the manifest's first declared output.
 */

type PromptRuntime = Extract<Manifest['runtime'], { kind: 'prompt' }>;

export interface PromptRunOptions {
  /** At most one progress event per this many ms while text streams in (default 500)… */
  progressIntervalMs?: number;
  /** …unless this many new characters arrived (default 400). */
  progressChars?: number;
  /** The clock of the throttle (ms); tests fix it so only `progressChars` decides. */
  now?: () => number;
  /** The clock of the `current_time` tool. */
  clock?: () => Date;
  /** Provider calls allowed in the tool loop (default 5). */
  maxSteps?: number;
  /** Passed to `modelAccess` (retries, idle timeout, a second stop signal). */
  access?: Omit<ModelAccessOptions, 'modelId'>;
}

/** `{{field}}`, with optional spaces inside the braces. */
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]{0,63})\s*\}\}/g;
const TAIL = 160;

function fieldsUsed(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** Why a template cannot be rendered from this input schema, or null. */
function templateProblem(template: string, schema: InputSchema): string | null {
  for (const name of fieldsUsed(template)) {
    const field = schema.properties[name];
    if (!field) return `The template uses {{${name}}}, which is not a field of the input.`;
    if (field.type === 'array') {
      return `The template uses {{${name}}}, a file field: prompt agents cannot read files (use a code agent).`;
    }
  }
  return null;
}

/**
 * The template with each `{{field}}` replaced by the input's value (text as is, numbers and booleans
 * as written, a missing optional field as nothing). One pass: a value that itself contains `{{x}}`
 * stays as typed.
 */
export function renderTemplate(
  template: string,
  schema: InputSchema,
  input: Record<string, unknown>,
): string {
  const problem = templateProblem(template, schema);
  if (problem) throw new AgentFailure('agent_error', problem);
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = input[name];
    return value === undefined || value === null
      ? ''
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  });
}

/**
 * Why this platform cannot run the prompt agent (its model is not configured, it lists a tool the
 * platform does not have, its template or output schema cannot be used), or null.
 */
export function promptUnavailable(manifest: Manifest, registry: ModelRegistry): string | null {
  const runtime = manifest.runtime;
  if (runtime.kind !== 'prompt') return `The ${runtime.kind} runtime is not the prompt runtime.`;
  const model = registry.resolve(runtime.model);
  if (!isResolved(model)) return model.unavailable;
  return agentProblem(manifest, runtime);
}

function agentProblem(manifest: Manifest, runtime: PromptRuntime): string | null {
  const missing = unknownTools(runtime.tools);
  if (missing.length > 0) {
    return `The tool${missing.length > 1 ? 's' : ''} ${missing.map((t) => `"${t}"`).join(', ')} ${
      missing.length > 1 ? 'are' : 'is'
    } not offered by this platform (platform tools: calculator, current_time).`;
  }
  const template = templateProblem(runtime.template, manifest.input);
  if (template) return template;
  if (runtime.outputSchema) {
    if (runtime.outputSchema.type !== 'object')
      return 'The output schema must describe a JSON object (type: "object").';
    const problem = schemaProblem(runtime.outputSchema);
    if (problem) return `The output schema cannot be used: ${problem}`;
  }
  return null;
}

/** Progress while text streams in: at most one event per interval, or per `chars` new characters. */
class ProgressThrottle {
  #text = '';
  #pending = 0;
  #last: number;
  constructor(
    private readonly emit: (message: string) => void,
    private readonly intervalMs: number,
    private readonly chars: number,
    private readonly now: () => number,
  ) {
    this.#last = now();
  }

  push(delta: string): void {
    this.#text = (this.#text + delta).slice(-TAIL * 4);
    this.#pending += delta.length;
    const t = this.now();
    if (this.#pending >= this.chars || (this.#pending > 0 && t - this.#last >= this.intervalMs)) {
      this.#last = t;
      this.#pending = 0;
      this.emit(this.tail());
    }
  }

  tail(): string {
    const flat = this.#text.replace(/\s+/g, ' ').trim();
    return flat.length > TAIL ? `…${flat.slice(-(TAIL - 1))}` : flat;
  }
}

function artifactContent(answer: { text: string; object?: unknown }, schema: boolean): string {
  if (schema) return `${JSON.stringify(answer.object, null, 2)}\n`;
  if (answer.text.trim() === '') throw new AgentFailure('agent_error', 'The model gave an empty answer.');
  return answer.text;
}

/** Runs one attempt of a prompt agent; throws an `AgentFailure` when it cannot deliver. */
export async function runPromptAgent(
  manifest: Manifest,
  core: AgentContext,
  registry: ModelRegistry,
  options: PromptRunOptions = {},
): Promise<void> {
  const runtime = manifest.runtime;
  if (runtime.kind !== 'prompt') {
    throw new AgentFailure('agent_error', `The ${runtime.kind} runtime is not the prompt runtime.`);
  }
  const model = registry.resolve(runtime.model);
  if (!isResolved(model)) throw new AgentFailure('provider_fatal', model.unavailable);
  const problem = agentProblem(manifest, runtime);
  if (problem) throw new AgentFailure('agent_error', problem);

  const input = withDefaults(manifest.input, core.input);
  const prompt = renderTemplate(runtime.template, manifest.input, input);
  const env: ToolEnv = { now: options.clock ?? (() => new Date()) };
  const tools = runtime.tools.length > 0 ? platformToolSet(runtime.tools, env) : undefined;
  const maxSteps = options.maxSteps ?? 5;
  const throttle = new ProgressThrottle(
    (message) => core.progress(null, message),
    options.progressIntervalMs ?? 500,
    options.progressChars ?? 400,
    options.now ?? Date.now,
  );
  let spent = 0n;
  let exhausted = false;

  core.progress(0, `Asking ${model.id}…`);
  const access = modelAccess(registry, { ...options.access, modelId: model.id });
  const answer = await access.generate(
    {
      system: runtime.system,
      prompt,
      ...(runtime.outputSchema ? { schema: runtime.outputSchema } : {}),
      ...(runtime.temperature !== undefined ? { temperature: runtime.temperature } : {}),
      ...(runtime.maxOutputTokens !== undefined ? { maxOutputTokens: runtime.maxOutputTokens } : {}),
      ...(tools ? { tools, maxSteps } : {}),
      onText: (delta) => throttle.push(delta),
      onToolCall: (name) => core.progress(null, `Using the ${name} tool…`),
      onStep: async (call: ModelCall) => {
        spent += call.costMicroCredits;
        const { remainingMicroCredits } = await core.meter(call);
        exhausted = remainingMicroCredits !== null && remainingMicroCredits <= 0n;
        return exhausted;
      },
    },
    core.signal,
  );

  if (answer.stoppedEarly) {
    throw new AgentFailure(
      'agent_error',
      `The run spent its maximum on model calls (${formatMicroCredits(spent)} credits of model cost) before the model finished.`,
    );
  }
  if (answer.finishReason === 'tool-calls') {
    throw new AgentFailure('agent_error', `The model was still calling tools after ${maxSteps} model calls.`);
  }
  if (answer.finishReason === 'content-filter') {
    throw new AgentFailure('agent_error', `The provider's content filter stopped the answer of ${model.id}.`);
  }
  if (exhausted)
    core.log('warn', 'The run reached its maximum price on model calls: the price is capped there.');
  if (answer.finishReason === 'length') {
    core.log(
      'warn',
      `The answer was cut at the output limit (maxOutputTokens ${runtime.maxOutputTokens ?? 'default'}).`,
    );
  }
  const content = artifactContent(answer, runtime.outputSchema !== undefined);
  const output = manifest.outputs[0];
  const schema = runtime.outputSchema !== undefined;
  await core.artifact(
    output?.name ?? (schema ? 'output.json' : 'output.md'),
    new TextEncoder().encode(content),
    output?.mediaType ?? (schema ? 'application/json' : 'text/markdown'),
  );
  core.log(
    'info',
    `${model.id}: ${answer.steps} call${answer.steps === 1 ? '' : 's'}, ${answer.usage.inputTokens} input and ` +
      `${answer.usage.outputTokens} output tokens, ${formatMicroCredits(answer.costMicroCredits)} credits of model cost.`,
  );
  core.progress(100, 'Done.');
}
