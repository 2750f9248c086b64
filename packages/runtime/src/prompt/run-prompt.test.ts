import { type Manifest, parseManifest } from '@jeton/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runLocally } from '../local/run-locally.ts';
import { parseModelConfig } from '../models/config.ts';
import { ModelRegistry } from '../models/registry.ts';
import { type FakeAnthropic, startFakeAnthropic } from '../models/testing/fake-anthropic.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../models/testing/fake-openai.ts';
import { testRegistry } from '../models/testing/registry.ts';
import { pieces } from '../models/testing/server.ts';
import { type PromptRunOptions, promptUnavailable, renderTemplate, runPromptAgent } from './run-prompt.ts';

// The AI SDK warns on the console about test model ids it does not know.
globalThis.AI_SDK_LOG_WARNINGS = false;

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;

beforeAll(async () => {
  [openai, anthropic] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close()]);
});
beforeEach(() => {
  openai.reset();
  anthropic.reset();
});

/** 1,000 credits per million input tokens and 2,000 per million output: costs big enough to charge. */
const PRICES = { inputCreditsPerMillionTokens: 1000, outputCreditsPerMillionTokens: 2000 };
const registry = () =>
  testRegistry(
    [
      { name: 'openai', kind: 'openai', baseURL: openai.baseURL, models: [{ id: 'gpt-test', ...PRICES }] },
      {
        name: 'anthropic',
        kind: 'anthropic',
        baseURL: anthropic.baseURL,
        models: [{ id: 'claude-test-1', ...PRICES }],
      },
    ],
    { defaultModel: 'openai/gpt-test' },
  );

type Runtime = Record<string, unknown>;

function manifest(runtime: Runtime = {}, extra: Record<string, unknown> = {}): Manifest {
  const parsed = parseManifest({
    manifestVersion: 1,
    slug: 'summarise',
    name: 'Summarise',
    summary: 'Summarises a text in a chosen tone.',
    category: 'writing',
    version: '1.0.0',
    input: {
      type: 'object',
      required: ['text'],
      properties: {
        text: { type: 'string', title: 'Text', editor: 'textarea' },
        tone: { type: 'string', title: 'Tone', default: 'plain' },
        audience: { type: 'string', title: 'Audience' },
        words: { type: 'integer', title: 'Words', default: 50 },
      },
    },
    outputs: [{ name: 'summary.md', mediaType: 'text/markdown' }],
    pricing: { model: 'per_token', markupBps: 2000, maxCreditsPerRun: 500 },
    runtime: {
      kind: 'prompt',
      model: 'default',
      system: 'You summarise faithfully.',
      template: 'In a {{tone}} tone for {{ audience }}, about {{words}} words:\n\n{{text}}',
      temperature: 0.2,
      maxOutputTokens: 300,
      ...runtime,
    },
    ...extra,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

const fixedClock: PromptRunOptions = { now: () => 0, progressChars: 20 };

function run(
  m: Manifest,
  input: Record<string, unknown>,
  options: PromptRunOptions = fixedClock,
  signal?: AbortSignal,
) {
  const reg = registry();
  return runLocally(m, (core) => runPromptAgent(m, core, reg, options), {
    input,
    ...(signal ? { signal } : {}),
  });
}

/** What run-locally's settlement charges for a per-token run: the cost plus 20%, rounded up to a credit. */
const charged = (micro: bigint) =>
  Number((micro * 12_000n + 10_000n * 1_000_000n - 1n) / (10_000n * 1_000_000n));

describe('runPromptAgent, end to end under runLocally', () => {
  it('renders the template, streams throttled progress, stores the artifact and charges cost plus markup', async () => {
    const text = 'A faithful summary. '.repeat(10); // 200 characters, streamed in 50 pieces of 4
    openai.enqueue({ text: pieces(text), usage: { prompt: 1200, completion: 800 } });
    const result = await run(manifest(), { text: 'Long text {{tone}}' });

    expect(result.failure).toBeNull();
    expect(result.status).toBe('succeeded');
    const req = openai.requests[0]!;
    expect(req.body.model).toBe('gpt-test');
    expect(req.body.temperature).toBe(0.2);
    expect(req.body.max_tokens).toBe(300);
    expect(req.body.messages).toEqual([
      { role: 'system', content: 'You summarise faithfully.' },
      // Defaults filled, a missing optional field empty, a value's own braces left as typed.
      { role: 'user', content: 'In a plain tone for , about 50 words:\n\nLong text {{tone}}' },
    ]);

    const artifact = result.artifacts.get('summary.md');
    expect(artifact?.mediaType).toBe('text/markdown');
    expect(artifact?.text()).toBe(text);

    // 50 deltas of 4 characters with a stopped clock: one event per 20 characters, not one per delta.
    const streaming = result.progress.slice(1, -1);
    expect(result.progress[0]).toEqual({ percent: 0, message: 'Asking openai/gpt-test…' });
    expect(result.progress.at(-1)).toEqual({ percent: 100, message: 'Done.' });
    expect(streaming).toHaveLength(10);
    for (const p of streaming) {
      expect(p.percent).toBeNull();
      expect(p.message.length).toBeLessThanOrEqual(160);
    }
    expect(streaming.at(-1)!.message).toBe(`…${text.trim().slice(-159)}`);

    // 1200 × 1000 + 800 × 2000 credits per million = 2.8 credits = 2,800,000 micro-credits.
    expect(result.modelCalls).toEqual([
      { model: 'openai/gpt-test', inputTokens: 1200, outputTokens: 800, costMicroCredits: 2_800_000n },
    ]);
    expect(result.credits).toBe(charged(2_800_000n)); // 3.36 → 4
    expect(result.credits).toBe(4);
  });

  it('emits progress by time too, when the clock moves', async () => {
    openai.enqueue({ text: ['a', 'b', 'c'] });
    let t = 0;
    const result = await run(manifest(), { text: 'x' }, { now: () => (t += 600), progressChars: 10_000 });
    expect(result.progress.slice(1, -1).map((p) => p.message)).toEqual(['a', 'ab', 'abc']);
  });

  it('lets the model use the calculator, metering every provider call', async () => {
    openai.enqueue(
      {
        toolCalls: [{ name: 'calculator', arguments: ['{"expres', 'sion":"(12.5 * 4', ') / 2"}'] }],
        usage: { prompt: 100, completion: 20 },
      },
      { text: 'The answer is 25.', usage: { prompt: 150, completion: 10 } },
    );
    const m = manifest({ tools: ['calculator'], template: 'Compute {{text}}' });
    const result = await run(m, { text: '(12.5*4)/2' });

    expect(result.failure).toBeNull();
    expect(result.artifacts.get('summary.md')?.text()).toBe('The answer is 25.');
    const [first, second] = openai.requests;
    expect(first!.body.tools).toEqual([
      expect.objectContaining({
        type: 'function',
        function: expect.objectContaining({
          name: 'calculator',
          parameters: expect.objectContaining({ required: ['expression'] }),
        }),
      }),
    ]);
    const toolMessage = second!.body.messages.find((msg: { role: string }) => msg.role === 'tool');
    expect(JSON.parse(toolMessage.content)).toEqual({ expression: '(12.5 * 4) / 2', result: 25 });
    expect(result.progress.map((p) => p.message)).toContain('Using the calculator tool…');
    expect(result.modelCalls.map((c) => c.costMicroCredits)).toEqual([140_000n, 170_000n]);
    expect(result.credits).toBe(charged(310_000n));
  });

  it('speaks tool use with Anthropic too (tool_use blocks, input_json_delta)', async () => {
    anthropic.enqueue(
      {
        content: [
          { type: 'text', text: 'Let me compute.' },
          { type: 'tool_use', name: 'calculator', input: ['{"expression":', '"2^10"}'] },
        ],
      },
      { text: '1024' },
    );
    const m = manifest({ model: 'anthropic/claude-test-1', tools: ['calculator'], template: '{{text}}' });
    const result = await run(m, { text: '2^10' });
    expect(result.failure).toBeNull();
    expect(result.artifacts.get('summary.md')?.text()).toBe('1024');
    expect(anthropic.requests[0]!.body.tools[0]).toMatchObject({
      name: 'calculator',
      input_schema: { required: ['expression'] },
    });
    const toolResult = anthropic.requests[1]!.body.messages.at(-1).content[0];
    expect(toolResult).toMatchObject({ type: 'tool_result' });
    expect(JSON.stringify(toolResult.content)).toContain('1024');
    expect(result.modelCalls).toHaveLength(2);
  });

  it('fails when the model keeps calling tools past the step limit', async () => {
    const call = { toolCalls: [{ name: 'calculator', arguments: '{"expression":"1+1"}' }] };
    openai.enqueue(call, call);
    const m = manifest({ tools: ['calculator'] });
    const result = await run(m, { text: 'x' }, { ...fixedClock, maxSteps: 2 });
    expect(openai.requests).toHaveLength(2);
    expect(result.failure).toEqual({
      code: 'agent_error',
      message: 'The model was still calling tools after 2 model calls.',
    });
    expect(result.credits).toBe(0);
  });

  it('stops the tool loop once the run has spent its maximum', async () => {
    // The first call costs 1,000 credits of model cost, past the run's cap of 500 / 1.2.
    openai.enqueue(
      {
        toolCalls: [{ name: 'calculator', arguments: '{"expression":"1+1"}' }],
        usage: { prompt: 1_000_000, completion: 0 },
      },
      { text: 'never asked' },
    );
    const result = await run(manifest({ tools: ['calculator'] }), { text: 'x' });
    expect(openai.requests).toHaveLength(1);
    expect(result.failure?.code).toBe('agent_error');
    expect(result.failure?.message).toContain('spent its maximum on model calls');
    expect(result.modelCalls).toHaveLength(1);
  });

  it('stores a validated structured answer as the declared JSON output', async () => {
    const outputSchema = {
      type: 'object',
      properties: {
        title: { type: 'string' },
        points: { type: 'array', items: { type: 'string' }, minItems: 1 },
      },
      required: ['title', 'points'],
      additionalProperties: false,
    };
    openai.enqueue({ json: { title: 'T', points: ['a', 'b'] } });
    const m = manifest(
      { outputSchema },
      { outputs: [{ name: 'summary.json', mediaType: 'application/json' }] },
    );
    const result = await run(m, { text: 'x' });
    expect(result.failure).toBeNull();
    const artifact = result.artifacts.get('summary.json');
    expect(artifact?.mediaType).toBe('application/json');
    expect(JSON.parse(artifact!.text())).toEqual({ title: 'T', points: ['a', 'b'] });
    expect(openai.requests[0]!.body.response_format.json_schema.schema).toMatchObject({
      required: ['title', 'points'],
    });
  });

  it('fails as agent_error with the path when the structured answer does not match', async () => {
    const outputSchema = {
      type: 'object',
      properties: { points: { type: 'array', items: { type: 'string' }, minItems: 1 } },
      required: ['points'],
    };
    openai.enqueue({ json: { points: [] } });
    const result = await run(manifest({ outputSchema }), { text: 'x' });
    expect(result.status).toBe('failed');
    expect(result.failure?.code).toBe('agent_error');
    expect(result.failure?.message).toContain('$.points must have at least 1 items');
    expect(result.artifacts.size).toBe(0);
    expect(result.credits).toBe(0);
  });

  it('ends provider_fatal on a refused key, and charges nothing', async () => {
    openai.enqueue({ error: { status: 401, message: 'Incorrect API key provided.' } });
    const result = await run(manifest(), { text: 'x' });
    expect(result.failure).toEqual({
      code: 'provider_fatal',
      message: 'openai/gpt-test answered 401: Incorrect API key provided. — check TEST_PROVIDER_KEY',
    });
    expect(result.credits).toBe(0);
  });

  it('is cancelled, not failed by the provider, when the buyer cancels mid-stream', async () => {
    openai.enqueue({ text: pieces('x'.repeat(100)), stallAfter: 3 });
    const controller = new AbortController();
    const reg = registry();
    const m = manifest();
    const abortsBefore = openai.clientAborts;
    let events = 0;
    const result = await runLocally(
      m,
      (core) =>
        runPromptAgent(
          m,
          {
            ...core,
            // The buyer cancels once the third delta has shown as progress (the stream stalls after it).
            progress: (percent, message) => {
              core.progress(percent, message);
              if (++events === 4) controller.abort();
            },
          },
          reg,
          { ...fixedClock, progressChars: 1 },
        ),
      { input: { text: 'x' }, signal: controller.signal },
    );
    expect(result.status).toBe('cancelled');
    expect(result.failure?.code).toBe('cancelled_by_buyer');
    expect(result.progress.map((p) => p.message).slice(1)).toEqual(['xxxx', 'xxxxxxxx', 'xxxxxxxxxxxx']);
    await vi.waitFor(() => expect(openai.clientAborts).toBeGreaterThan(abortsBefore));
  });
});

describe('promptUnavailable', () => {
  it('names what is missing, or null', () => {
    const none = new ModelRegistry({ providers: [], defaultModel: null });
    expect(promptUnavailable(manifest(), none)).toBe('No model provider is configured on this platform.');
    expect(promptUnavailable(manifest(), registry())).toBeNull();
    expect(promptUnavailable(manifest({ model: 'mistral/large' }), registry())).toBe(
      'The model provider "mistral" is not configured on this platform (configured: openai, anthropic).',
    );
    expect(promptUnavailable(manifest({ tools: ['calculator', 'web_search'] }), registry())).toBe(
      'The tool "web_search" is not offered by this platform (platform tools: calculator, current_time).',
    );
    expect(promptUnavailable(manifest({ outputSchema: { type: 'array' } }), registry())).toBe(
      'The output schema must describe a JSON object (type: "object").',
    );
    expect(
      promptUnavailable(
        manifest({ outputSchema: { type: 'object', properties: { a: { $ref: '#/$defs/x' } } } }),
        registry(),
      ),
    ).toContain('$.properties.a.$ref');
  });

  it('refuses a template that reads a file field', () => {
    const m = manifest(
      { template: 'Summarise {{doc}}' },
      {
        input: {
          type: 'object',
          properties: {
            text: { type: 'string', title: 'Text' },
            doc: {
              type: 'array',
              editor: 'file',
              title: 'Document',
              items: { type: 'string' },
              accept: ['.txt'],
              maxBytes: 1000,
            },
          },
        },
      },
    );
    const why =
      'The template uses {{doc}}, a file field: prompt agents cannot read files (use a code agent).';
    expect(promptUnavailable(m, registry())).toBe(why);
    expect(() => renderTemplate(m.runtime.kind === 'prompt' ? m.runtime.template : '', m.input, {})).toThrow(
      why,
    );
  });

  it('the empty configuration from the environment gives the same reason', () => {
    const parsed = parseModelConfig({});
    if (!parsed.ok) throw new Error('unexpected');
    expect(promptUnavailable(manifest(), new ModelRegistry(parsed.config))).toBe(
      'No model provider is configured on this platform.',
    );
  });
});
