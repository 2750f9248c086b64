import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseModelConfig } from './config.ts';

const providers = (value: unknown) => JSON.stringify(value);

const FULL = [
  {
    name: 'openai',
    kind: 'openai',
    models: [{ id: 'gpt-4o-mini', inputCreditsPerMillionTokens: 15, outputCreditsPerMillionTokens: 60 }],
  },
  {
    name: 'anthropic',
    kind: 'anthropic',
    apiKeyEnv: 'CLAUDE_KEY',
    models: [
      { id: 'claude-sonnet-4-5', inputCreditsPerMillionTokens: 300, outputCreditsPerMillionTokens: 1500 },
    ],
  },
  {
    name: 'ollama',
    kind: 'openai-compatible',
    baseURL: 'http://127.0.0.1:11434/v1/',
    models: [{ id: 'llama3.2:3b', inputCreditsPerMillionTokens: 0, outputCreditsPerMillionTokens: 0 }],
  },
  {
    name: 'vllm',
    kind: 'openai-compatible',
    baseURL: 'http://gpu-1:8000/v1',
    structuredOutputs: false,
    models: [
      {
        id: 'Qwen/Qwen2.5-7B-Instruct',
        inputCreditsPerMillionTokens: '0.5',
        outputCreditsPerMillionTokens: '1.25',
      },
    ],
  },
  {
    name: 'openrouter',
    kind: 'openai-compatible',
    baseURL: 'https://openrouter.ai/api/v1',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    models: [
      {
        id: 'meta-llama/llama-3.1-8b-instruct',
        inputCreditsPerMillionTokens: 0.002,
        outputCreditsPerMillionTokens: 0.005,
      },
    ],
  },
];
const KEYS = {
  OPENAI_API_KEY: 'sk-openai-secret',
  CLAUDE_KEY: 'sk-ant-secret',
  OPENROUTER_API_KEY: 'sk-or-secret',
};

describe('parseModelConfig', () => {
  it('reads several providers of every kind, with exact prices and the keys from their variables', () => {
    const r = parseModelConfig({
      JETON_MODEL_PROVIDERS: providers(FULL),
      JETON_DEFAULT_MODEL: 'anthropic/claude-sonnet-4-5',
      ...KEYS,
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const { config } = r;
    expect(config.defaultModel).toBe('anthropic/claude-sonnet-4-5');
    expect(config.providers.map((p) => [p.name, p.kind, p.apiKeyEnv, p.apiKey])).toEqual([
      ['openai', 'openai', 'OPENAI_API_KEY', 'sk-openai-secret'],
      ['anthropic', 'anthropic', 'CLAUDE_KEY', 'sk-ant-secret'],
      ['ollama', 'openai-compatible', undefined, undefined],
      ['vllm', 'openai-compatible', undefined, undefined],
      ['openrouter', 'openai-compatible', 'OPENROUTER_API_KEY', 'sk-or-secret'],
    ]);
    expect(config.providers[2]!.baseURL).toBe('http://127.0.0.1:11434/v1');
    expect(config.providers[2]!.structuredOutputs).toBe(true);
    expect(config.providers[3]!.structuredOutputs).toBe(false);
    expect(config.providers[0]!.models[0]!.prices).toEqual({
      inputMicroCreditsPerMillionTokens: 15_000_000n,
      outputMicroCreditsPerMillionTokens: 60_000_000n,
    });
    expect(config.providers[3]!.models[0]!.prices.outputMicroCreditsPerMillionTokens).toBe(1_250_000n);
    expect(config.providers[4]!.models[0]!.prices.inputMicroCreditsPerMillionTokens).toBe(2_000n);
  });

  it('keeps keys out of JSON and of inspection', () => {
    const r = parseModelConfig({ JETON_MODEL_PROVIDERS: providers(FULL), ...KEYS });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const shown =
      JSON.stringify(r.config, (_, v) => (typeof v === 'bigint' ? String(v) : v)) +
      inspect(r.config, { depth: 10 });
    expect(shown).not.toContain('secret');
    expect(shown).toContain('OPENROUTER_API_KEY');
  });

  it('defaults to the first model of the first provider', () => {
    const r = parseModelConfig({ JETON_MODEL_PROVIDERS: providers(FULL), ...KEYS });
    expect(r.ok && r.config.defaultModel).toBe('openai/gpt-4o-mini');
  });

  it('configures nothing without JETON_MODEL_PROVIDERS, and says so when a key alone is set', () => {
    expect(parseModelConfig({})).toEqual({
      ok: true,
      config: { providers: [], defaultModel: null },
      warnings: [],
    });
    const r = parseModelConfig({ OPENAI_API_KEY: 'sk-x' });
    if (!r.ok) throw new Error('unexpected');
    expect(r.config.providers).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /^OPENAI_API_KEY is set but JETON_MODEL_PROVIDERS is not, so no model provider is configured/,
    );
    expect(r.warnings[0]).not.toContain('sk-x');
    expect(parseModelConfig({ JETON_DEFAULT_MODEL: 'openai/gpt-4o' })).toEqual({
      ok: false,
      errors: ['JETON_DEFAULT_MODEL: no model provider is configured (set JETON_MODEL_PROVIDERS)'],
    });
  });

  it('accepts an empty list (models switched off)', () => {
    const r = parseModelConfig({ JETON_MODEL_PROVIDERS: '[]' });
    expect(r.ok && r.config).toEqual({ providers: [], defaultModel: null });
  });

  const errors = (value: string, env: Record<string, string> = {}) => {
    const r = parseModelConfig({ JETON_MODEL_PROVIDERS: value, ...KEYS, ...env });
    if (r.ok) throw new Error('expected errors');
    return r.errors;
  };
  const one = (over: Record<string, unknown>, model: Record<string, unknown> = {}) =>
    providers([
      {
        name: 'p',
        kind: 'openai',
        models: [{ id: 'm', inputCreditsPerMillionTokens: 1, outputCreditsPerMillionTokens: 1, ...model }],
        ...over,
      },
    ]);

  it('names each problem by its JSON path', () => {
    expect(errors('[{')[0]).toMatch(/^JETON_MODEL_PROVIDERS: not valid JSON \(/);
    expect(errors('{}')).toEqual(['JETON_MODEL_PROVIDERS: expected a JSON array of providers']);
    expect(errors(one({ kind: 'mistral' }))).toEqual([
      expect.stringMatching(
        /^JETON_MODEL_PROVIDERS\[0\]\.kind: .*"openai"\|"anthropic"\|"openai-compatible"/,
      ),
    ]);
    expect(errors(one({ name: 'Open AI' }))).toEqual([
      'JETON_MODEL_PROVIDERS[0].name: a provider name is 1-40 characters: lowercase letters, digits and inner hyphens',
    ]);
    expect(errors(one({}, { inputCreditsPerMillionTokens: 0.0000001 }))).toEqual([
      'JETON_MODEL_PROVIDERS[0].models[0].inputCreditsPerMillionTokens: has more than 6 decimal places',
    ]);
    expect(errors(one({}, { outputCreditsPerMillionTokens: -2 }))).toEqual([
      'JETON_MODEL_PROVIDERS[0].models[0].outputCreditsPerMillionTokens: must not be negative',
    ]);
    expect(errors(one({ kind: 'openai-compatible' }))).toEqual([
      'JETON_MODEL_PROVIDERS[0].baseURL: is required for an openai-compatible provider',
    ]);
    expect(errors(one({ baseURL: 'ftp://x' }))).toEqual([
      'JETON_MODEL_PROVIDERS[0].baseURL: must be an http:// or https:// URL',
    ]);
    expect(errors(one({ models: [] }))).toEqual([
      'JETON_MODEL_PROVIDERS[0].models: list at least one model with its prices',
    ]);
    expect(errors(one({ structuredOutputs: true }))).toEqual([
      'JETON_MODEL_PROVIDERS[0].structuredOutputs: applies to openai-compatible providers only',
    ]);
    const twice = providers([JSON.parse(one({}))[0], JSON.parse(one({}))[0]]);
    expect(errors(twice)).toEqual(['JETON_MODEL_PROVIDERS[1].name: "p" names two providers']);
  });

  it('refuses a key written in the JSON, without repeating it', () => {
    const e = errors(one({ apiKey: 'sk-live-123456' }));
    expect(e).toEqual([
      'JETON_MODEL_PROVIDERS[0]: unknown field "apiKey" (keys never go in this JSON: put the key in an environment variable and name it in "apiKeyEnv")',
    ]);
    expect(e.join()).not.toContain('sk-live');
  });

  it('requires the key variable of providers that need one', () => {
    expect(errors(one({}), { OPENAI_API_KEY: '' })).toEqual([
      'JETON_MODEL_PROVIDERS[0].apiKeyEnv: the environment variable OPENAI_API_KEY (the key of provider "p") is not set',
    ]);
    expect(errors(one({ apiKeyEnv: 'MY_KEY' }))).toEqual([
      'JETON_MODEL_PROVIDERS[0].apiKeyEnv: the environment variable MY_KEY (the key of provider "p") is not set',
    ]);
    expect(errors(one({ apiKeyEnv: 'sk-abc' }))).toEqual([
      'JETON_MODEL_PROVIDERS[0].apiKeyEnv: must be the name of an environment variable, such as OPENAI_API_KEY',
    ]);
  });

  it('checks the default model against the providers', () => {
    expect(errors(one({}), { JETON_DEFAULT_MODEL: 'gpt-4o' })).toEqual([
      'JETON_DEFAULT_MODEL: expected "provider/model", such as "openai/gpt-4o-mini"',
    ]);
    expect(errors(one({}), { JETON_DEFAULT_MODEL: 'q/m' })).toEqual([
      'JETON_DEFAULT_MODEL: no provider is named "q" in JETON_MODEL_PROVIDERS (configured: p)',
    ]);
    expect(errors(one({}), { JETON_DEFAULT_MODEL: 'p/other' })).toEqual([
      'JETON_DEFAULT_MODEL: provider "p" lists no model "other" in JETON_MODEL_PROVIDERS',
    ]);
  });
});
