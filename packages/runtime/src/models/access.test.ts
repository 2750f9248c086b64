import { createServer } from 'node:net';
import { AgentFailure, parseManifest } from '@jeton/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { testAgent } from '../sdk/test-agent.ts';
import { modelAccess } from './access.ts';
import { type FakeAnthropic, startFakeAnthropic } from './testing/fake-anthropic.ts';
import { type FakeOpenAI, startFakeOpenAI } from './testing/fake-openai.ts';
import { TEST_KEY, testRegistry } from './testing/registry.ts';

// The AI SDK warns on the console about test model ids it does not know.
globalThis.AI_SDK_LOG_WARNINGS = false;

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
let compatible: FakeOpenAI;

beforeAll(async () => {
  [openai, anthropic, compatible] = await Promise.all([
    startFakeOpenAI(),
    startFakeAnthropic(),
    startFakeOpenAI(),
  ]);
});
afterAll(async () => {
  await Promise.all([openai.close(), anthropic.close(), compatible.close()]);
});
beforeEach(() => {
  for (const s of [openai, anthropic, compatible]) s.reset();
});

const registry = () =>
  testRegistry([
    { name: 'openai', kind: 'openai', baseURL: openai.baseURL },
    {
      name: 'anthropic',
      kind: 'anthropic',
      baseURL: anthropic.baseURL,
      models: [{ id: 'claude-test-1', inputCreditsPerMillionTokens: 3, outputCreditsPerMillionTokens: 15 }],
    },
    { name: 'local', kind: 'openai-compatible', baseURL: compatible.baseURL, apiKeyEnv: null },
  ]);

const signal = () => new AbortController().signal;

async function failure(promise: Promise<unknown>): Promise<AgentFailure> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgentFailure);
  return error as AgentFailure;
}

/** A retry-after of zero: the AI SDK honours it, so transient errors are retried at once. */
const now = { 'retry-after-ms': '0' };

describe('openai (Chat Completions)', () => {
  it('streams text, sends the request as written, and prices the usage exactly', async () => {
    openai.enqueue({ text: ['Hel', 'lo, ', 'world'], usage: { prompt: 1000, completion: 500 } });
    const deltas: string[] = [];
    const answer = await modelAccess(registry(), { modelId: 'openai/test-model' }).generate(
      {
        system: 'Be brief.',
        prompt: 'Say hello',
        temperature: 0.3,
        maxOutputTokens: 64,
        onText: (d) => deltas.push(d),
      },
      signal(),
    );
    expect(deltas).toEqual(['Hel', 'lo, ', 'world']);
    expect(answer.text).toBe('Hello, world');
    expect(answer.model).toBe('openai/test-model');
    expect(answer.usage).toEqual({ inputTokens: 1000, outputTokens: 500 });
    // 1000 × 2.5 + 500 × 10 credits per million tokens = 0.0075 credits = 7,500 micro-credits.
    expect(answer.costMicroCredits).toBe(7_500n);

    expect(openai.requests).toHaveLength(1);
    const [req] = openai.requests;
    expect(req!.path).toBe('/v1/chat/completions');
    expect(req!.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(req!.body).toMatchObject({
      model: 'test-model',
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.3,
      max_tokens: 64,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
    });
  });

  it('returns a validated object for a schema, strict when the schema allows it', async () => {
    const schema = {
      type: 'object',
      properties: { title: { type: 'string' }, score: { type: 'integer', minimum: 0 } },
      required: ['title', 'score'],
      additionalProperties: false,
    };
    openai.enqueue({ json: { title: 'Ok', score: 7 } });
    const answer = await modelAccess(registry(), { modelId: 'openai/test-model' }).generate(
      { prompt: 'Rate it', schema },
      signal(),
    );
    expect(answer.object).toEqual({ title: 'Ok', score: 7 });
    expect(openai.requests[0]!.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { strict: true, schema: { type: 'object', required: ['title', 'score'] } },
    });

    // A schema OpenAI's strict mode would refuse (an optional field) is sent non-strict.
    openai.enqueue({ json: { title: 'Ok' } });
    const loose = { type: 'object', properties: { title: { type: 'string' }, note: { type: 'string' } } };
    const second = await modelAccess(registry(), { modelId: 'openai/test-model' }).generate(
      { prompt: 'Rate it', schema: loose },
      signal(),
    );
    expect(second.object).toEqual({ title: 'Ok' });
    expect(openai.requests[1]!.body.response_format.json_schema.strict).toBe(false);
  });

  it('fails with the path when the answer does not match the schema', async () => {
    const schema = {
      type: 'object',
      properties: {
        items: { type: 'array', items: { type: 'object', properties: { price: { type: 'number' } } } },
      },
      required: ['items'],
    };
    openai.enqueue({ json: { items: [{ price: 1 }, { price: 'cheap' }] } });
    const f = await failure(
      modelAccess(registry(), { modelId: 'openai/test-model' }).generate({ prompt: 'x', schema }, signal()),
    );
    expect(f.code).toBe('agent_error');
    expect(f.message).toContain('does not match the output schema');
    expect(f.message).toContain('$.items[1].price must be number, not string');
  });

  it('fails clearly when the answer is not JSON at all', async () => {
    openai.enqueue({ text: 'Sure! Here it is: {', finishReason: 'length' });
    const f = await failure(
      modelAccess(registry(), { modelId: 'openai/test-model' }).generate(
        { prompt: 'x', schema: { type: 'object' } },
        signal(),
      ),
    );
    expect(f.code).toBe('agent_error');
    expect(f.message).toContain('is not valid JSON (it was cut at maxOutputTokens)');
  });

  it('retries 429 twice, then fails as provider_transient', async () => {
    const limited = { error: { status: 429, message: 'Rate limit reached for requests', headers: now } };
    openai.enqueue(limited, limited, limited);
    const f = await failure(
      modelAccess(registry(), { modelId: 'openai/test-model' }).generate({ prompt: 'x' }, signal()),
    );
    expect(openai.requests).toHaveLength(3);
    expect(f.code).toBe('provider_transient');
    expect(f.message).toBe(
      'openai/test-model answered 429: Rate limit reached for requests (after 3 attempts)',
    );
  });

  it('succeeds when a retry succeeds', async () => {
    openai.enqueue({ error: { status: 500, message: 'boom', headers: now } }, { text: 'fine' });
    const answer = await modelAccess(registry(), { modelId: 'openai/test-model' }).generate(
      { prompt: 'x' },
      signal(),
    );
    expect(answer.text).toBe('fine');
    expect(openai.requests).toHaveLength(2);
  });

  it('makes 400 fatal at once, with the provider message and what to check', async () => {
    openai.enqueue({ error: { status: 400, message: "Invalid value for 'temperature'." } });
    const f = await failure(
      modelAccess(registry(), { modelId: 'openai/test-model' }).generate({ prompt: 'x' }, signal()),
    );
    expect(openai.requests).toHaveLength(1);
    expect(f.code).toBe('provider_fatal');
    expect(f.message).toBe(
      "openai/test-model answered 400: Invalid value for 'temperature'. — check the manifest (prompt, output schema, tools, maxOutputTokens)",
    );
  });

  it('makes 401 fatal, names the key variable, and never shows the key', async () => {
    openai.enqueue({ error: { status: 401, message: `Incorrect API key provided: ${TEST_KEY}.` } });
    const f = await failure(
      modelAccess(registry(), { modelId: 'openai/test-model' }).generate({ prompt: 'x' }, signal()),
    );
    expect(f.code).toBe('provider_fatal');
    expect(f.message).toMatch(/^openai\/test-model answered 401: Incorrect API key provided: \[redacted\]/);
    expect(f.message).toContain('— check TEST_PROVIDER_KEY');
    expect(f.message).not.toContain('SECRET');
  });

  it('makes a server error inside the stream transient', async () => {
    openai.enqueue({
      text: 'partial',
      streamError: { message: 'The server had an error', type: 'server_error' },
    });
    const f = await failure(
      modelAccess(registry(), { modelId: 'openai/test-model' }).generate({ prompt: 'x' }, signal()),
    );
    expect(f.code).toBe('provider_transient');
    expect(f.message).toContain('The server had an error');
  });

  it('stops on the run signal mid-stream, as a stop rather than a provider error', async () => {
    openai.enqueue({ text: ['one ', 'two ', 'three'], stallAfter: 2 });
    const controller = new AbortController();
    const seen: string[] = [];
    const f = await failure(
      modelAccess(registry(), { modelId: 'openai/test-model' }).generate(
        {
          prompt: 'x',
          onText: (d) => {
            seen.push(d);
            if (seen.length === 2) controller.abort('cancel');
          },
        },
        controller.signal,
      ),
    );
    expect(f.code).toBe('agent_error');
    expect(f.message).toBe('The run has stopped.');
    expect(seen).toEqual(['one ', 'two ']);
    await vi.waitFor(() => expect(openai.clientAborts).toBeGreaterThan(0));
  });

  it('gives up a call that sends nothing, as provider_transient', async () => {
    openai.enqueue({ hang: true });
    const f = await failure(
      modelAccess(registry(), { modelId: 'openai/test-model', idleTimeoutMs: 50 }).generate(
        { prompt: 'x' },
        signal(),
      ),
    );
    expect(f.code).toBe('provider_transient');
    expect(f.message).toContain('openai/test-model sent nothing');
  });
});

describe('anthropic (Messages)', () => {
  it('streams text, sends system and max tokens, and prices the usage exactly', async () => {
    anthropic.enqueue({ text: 'Bonjour tout le monde', usage: { input: 2000, output: 300 } });
    const deltas: string[] = [];
    const answer = await modelAccess(registry(), { modelId: 'anthropic/claude-test-1' }).generate(
      { system: 'Speak French.', prompt: 'Hello', maxOutputTokens: 100, onText: (d) => deltas.push(d) },
      signal(),
    );
    expect(deltas.join('')).toBe('Bonjour tout le monde');
    expect(deltas.length).toBeGreaterThan(1);
    expect(answer.usage).toEqual({ inputTokens: 2000, outputTokens: 300 });
    // 2000 × 3 + 300 × 15 = 10,500 micro-credits.
    expect(answer.costMicroCredits).toBe(10_500n);
    const [req] = anthropic.requests;
    expect(req!.headers['x-api-key']).toBe(TEST_KEY);
    expect(req!.headers['anthropic-version']).toBeTruthy();
    expect(req!.body).toMatchObject({
      model: 'claude-test-1',
      stream: true,
      max_tokens: 100,
      system: [{ type: 'text', text: 'Speak French.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
  });

  it('returns a validated object', async () => {
    anthropic.enqueue({ text: JSON.stringify({ colour: '#ff0000' }) });
    const schema = {
      type: 'object',
      properties: { colour: { type: 'string', pattern: '^#[0-9a-f]{6}$' } },
      required: ['colour'],
      additionalProperties: false,
    };
    const answer = await modelAccess(registry(), { modelId: 'anthropic/claude-test-1' }).generate(
      { prompt: 'A colour', schema },
      signal(),
    );
    expect(answer.object).toEqual({ colour: '#ff0000' });

    anthropic.enqueue({ text: JSON.stringify({ colour: 'red' }) });
    const f = await failure(
      modelAccess(registry(), { modelId: 'anthropic/claude-test-1' }).generate(
        { prompt: 'A colour', schema },
        signal(),
      ),
    );
    expect(f.code).toBe('agent_error');
    expect(f.message).toContain('$.colour must match the pattern /^#[0-9a-f]{6}$/');
  });

  it('retries 529 (overloaded) and 500, then fails as provider_transient', async () => {
    anthropic.enqueue(
      { error: { status: 529, message: 'Overloaded', headers: now } },
      { error: { status: 500, message: 'Internal server error', headers: now } },
      { error: { status: 529, message: 'Overloaded', headers: now } },
    );
    const f = await failure(
      modelAccess(registry(), { modelId: 'anthropic/claude-test-1' }).generate({ prompt: 'x' }, signal()),
    );
    expect(anthropic.requests).toHaveLength(3);
    expect(f.code).toBe('provider_transient');
    expect(f.message).toBe('anthropic/claude-test-1 answered 529: Overloaded (after 3 attempts)');
  });

  it('makes 401 fatal with the provider message and the key variable', async () => {
    anthropic.enqueue({ error: { status: 401, message: 'invalid x-api-key' } });
    const f = await failure(
      modelAccess(registry(), { modelId: 'anthropic/claude-test-1' }).generate({ prompt: 'x' }, signal()),
    );
    expect(anthropic.requests).toHaveLength(1);
    expect(f).toMatchObject({
      code: 'provider_fatal',
      message: 'anthropic/claude-test-1 answered 401: invalid x-api-key — check TEST_PROVIDER_KEY',
    });
  });

  it('makes an overload inside the stream transient and a refused request fatal', async () => {
    anthropic.enqueue({ text: 'Hi', streamError: { type: 'overloaded_error', message: 'Overloaded' } });
    const a = await failure(
      modelAccess(registry(), { modelId: 'anthropic/claude-test-1' }).generate({ prompt: 'x' }, signal()),
    );
    expect(a.code).toBe('provider_transient');
    anthropic.enqueue({
      text: 'Hi',
      streamError: { type: 'invalid_request_error', message: 'prompt is too long' },
    });
    const b = await failure(
      modelAccess(registry(), { modelId: 'anthropic/claude-test-1' }).generate({ prompt: 'x' }, signal()),
    );
    expect(b.code).toBe('provider_fatal');
    expect(b.message).toContain('prompt is too long');
  });

  it('stops on the run signal mid-stream', async () => {
    anthropic.enqueue({ text: ['a', 'b', 'c'], stallAfter: 1 });
    const controller = new AbortController();
    const f = await failure(
      modelAccess(registry(), { modelId: 'anthropic/claude-test-1' }).generate(
        { prompt: 'x', onText: () => controller.abort('timeout') },
        controller.signal,
      ),
    );
    expect(f).toMatchObject({ code: 'agent_error', message: 'The run has stopped.' });
    await vi.waitFor(() => expect(anthropic.clientAborts).toBeGreaterThan(0));
  });
});

describe('openai-compatible (Ollama, vLLM, …)', () => {
  it('streams text without a key and asks for usage in the stream', async () => {
    compatible.enqueue({ text: 'local answer', usage: { prompt: 7, completion: 3 } });
    const answer = await modelAccess(registry(), { modelId: 'local/test-model' }).generate(
      { prompt: 'x' },
      signal(),
    );
    expect(answer.text).toBe('local answer');
    expect(answer.costMicroCredits).toBe(48n); // ceil((7 × 2.5 + 3 × 10) / 1) = 47.5 → 48
    const [req] = compatible.requests;
    expect(req!.headers.authorization).toBeUndefined();
    expect(req!.body).toMatchObject({
      model: 'test-model',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('estimates the tokens when the server reports no usage, so nothing is free', async () => {
    compatible.enqueue({ text: 'x'.repeat(30), usage: null });
    const answer = await modelAccess(registry(), { modelId: 'local/test-model' }).generate(
      { prompt: 'p'.repeat(60) },
      signal(),
    );
    expect(answer.usage).toEqual({ inputTokens: 20, outputTokens: 10 });
    expect(answer.costMicroCredits).toBe(150n);
  });

  it('sends the schema in the prompt and asks for JSON mode when the server has no structured outputs', async () => {
    const server = await startFakeOpenAI();
    try {
      const reg = testRegistry([
        {
          name: 'old',
          kind: 'openai-compatible',
          baseURL: server.baseURL,
          apiKeyEnv: null,
          structuredOutputs: false,
        },
      ]);
      server.enqueue({ json: { n: 1 } });
      const schema = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
      const answer = await modelAccess(reg, { modelId: 'default' }).generate(
        { system: 'Count.', prompt: 'x', schema },
        signal(),
      );
      expect(answer.object).toEqual({ n: 1 });
      const body = server.requests[0]!.body;
      expect(body.response_format).toEqual({ type: 'json_object' });
      expect(body.messages[0].content).toContain(JSON.stringify(schema));
    } finally {
      await server.close();
    }
  });

  it('fails as provider_transient when the server cannot be reached', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const reg = testRegistry([
      { name: 'gone', kind: 'openai-compatible', baseURL: `http://127.0.0.1:${port}/v1`, apiKeyEnv: null },
    ]);
    const f = await failure(
      modelAccess(reg, { modelId: 'gone/test-model', maxRetries: 0 }).generate({ prompt: 'x' }, signal()),
    );
    expect(f.code).toBe('provider_transient');
    expect(f.message).toContain('gone/test-model could not be reached');
  });
});

describe('unavailable models', () => {
  it('says why and refuses calls', async () => {
    const access = modelAccess(registry(), { modelId: 'openai/gpt-nope' });
    expect(access.unavailable).toBe(
      'The model "gpt-nope" is not offered by the provider "openai" on this platform (offered: test-model).',
    );
    const f = await failure(access.generate({ prompt: 'x' }, signal()));
    expect(f.code).toBe('provider_fatal');
    expect(openai.requests).toHaveLength(0);
  });

  it('refuses a call whose signal has already stopped, without calling the provider', async () => {
    const controller = new AbortController();
    controller.abort('cancel');
    const f = await failure(
      modelAccess(registry(), { modelId: 'openai/test-model' }).generate({ prompt: 'x' }, controller.signal),
    );
    expect(f.message).toBe('The run has stopped.');
    expect(openai.requests).toHaveLength(0);
  });
});

describe("as the SDK context's models (ctx.model of built-in and code agents)", () => {
  it('answers ctx.model with a validated object, metered once per call', async () => {
    const parsed = parseManifest({
      manifestVersion: 1,
      slug: 'tagger',
      name: 'Tagger',
      summary: 'Tags a text with a few keywords.',
      category: 'writing',
      version: '1.0.0',
      input: { type: 'object', properties: { text: { type: 'string', title: 'Text' } }, required: ['text'] },
      outputs: [{ name: 'tags.json', mediaType: 'application/json' }],
      pricing: { model: 'per_token', markupBps: 0, maxCreditsPerRun: 10 },
      runtime: { kind: 'builtin', entry: 'tagger', usesModelWhenAvailable: true },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
    anthropic.enqueue({
      text: JSON.stringify({ tags: ['a', 'b'] }),
      usage: { input: 100_000, output: 20_000 },
    });
    const result = await testAgent(
      {
        manifest: parsed.value,
        run: async (ctx) => {
          expect(ctx.model.available).toBe(true);
          const answer = await ctx.model({
            prompt: String((ctx.input as { text: string }).text),
            schema: {
              type: 'object',
              properties: { tags: { type: 'array', items: { type: 'string' } } },
              required: ['tags'],
            },
          });
          await ctx.artifact('tags.json', JSON.stringify(answer.object), 'application/json');
        },
      },
      { input: { text: 'hello' }, models: modelAccess(registry(), { modelId: 'anthropic/claude-test-1' }) },
    );
    expect(result.failure).toBeNull();
    expect(JSON.parse(result.artifacts.get('tags.json')!.text())).toEqual({ tags: ['a', 'b'] });
    // 100,000 × 3 + 20,000 × 15 = 600,000 micro-credits: 0.6 credits, charged as 1.
    expect(result.modelCalls).toEqual([
      {
        model: 'anthropic/claude-test-1',
        inputTokens: 100_000,
        outputTokens: 20_000,
        costMicroCredits: 600_000n,
      },
    ]);
    expect(result.credits).toBe(1);
  });
});
