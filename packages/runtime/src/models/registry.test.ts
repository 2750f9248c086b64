import { describe, expect, it } from 'vitest';
import { parseModelConfig } from './config.ts';
import { isResolved, ModelRegistry } from './registry.ts';
import { TEST_KEY, testRegistry } from './testing/registry.ts';

const registry = () =>
  testRegistry(
    [
      {
        name: 'openai',
        kind: 'openai',
        models: [{ id: 'gpt-4o-mini', inputCreditsPerMillionTokens: 15, outputCreditsPerMillionTokens: 60 }],
      },
      {
        name: 'anthropic',
        kind: 'anthropic',
        models: [
          { id: 'claude-sonnet-4-5', inputCreditsPerMillionTokens: 300, outputCreditsPerMillionTokens: 1500 },
        ],
      },
      {
        name: 'openrouter',
        kind: 'openai-compatible',
        baseURL: 'https://openrouter.ai/api/v1',
        models: [
          {
            id: 'meta-llama/llama-3.1-8b-instruct',
            inputCreditsPerMillionTokens: 2,
            outputCreditsPerMillionTokens: 5,
          },
        ],
      },
    ],
    { defaultModel: 'anthropic/claude-sonnet-4-5' },
  );

describe('ModelRegistry', () => {
  it('says no provider is configured when none is', () => {
    const parsed = parseModelConfig({});
    if (!parsed.ok) throw new Error('unexpected');
    const empty = new ModelRegistry(parsed.config);
    expect(empty.configured).toBe(false);
    expect(empty.resolve('default')).toEqual({
      unavailable: 'No model provider is configured on this platform.',
    });
    expect(empty.resolve('openai/gpt-4o')).toEqual({
      unavailable: 'No model provider is configured on this platform.',
    });
  });

  it('resolves default and provider/model to a model of the right kind with its prices', () => {
    const r = registry();
    const d = r.resolve('default');
    if (!isResolved(d)) throw new Error(d.unavailable);
    expect(d.id).toBe('anthropic/claude-sonnet-4-5');
    expect(d.kind).toBe('anthropic');
    expect(d.model.provider).toMatch(/^anthropic/);
    expect(d.model.modelId).toBe('claude-sonnet-4-5');
    expect(d.prices.outputMicroCreditsPerMillionTokens).toBe(1_500_000_000n);

    const o = r.resolve('openai/gpt-4o-mini');
    if (!isResolved(o)) throw new Error(o.unavailable);
    // The Chat Completions model, not the Responses one.
    expect(o.model.provider).toBe('openai.chat');

    // A model id may itself contain "/": the provider is the part before the first one.
    const or = r.resolve('openrouter/meta-llama/llama-3.1-8b-instruct');
    if (!isResolved(or)) throw new Error(or.unavailable);
    expect(or.model.modelId).toBe('meta-llama/llama-3.1-8b-instruct');
    expect(or.model.provider).toMatch(/^openrouter/);
    expect(r.resolve('openai/gpt-4o-mini')).not.toBe(o); // a fresh resolution…
    expect((r.resolve('openai/gpt-4o-mini') as typeof o).model).toBe(o.model); // …of the same cached model
  });

  it('names the unknown provider or model', () => {
    const r = registry();
    expect(r.resolve('mistral/large')).toEqual({
      unavailable:
        'The model provider "mistral" is not configured on this platform (configured: openai, anthropic, openrouter).',
    });
    expect(r.resolve('openai/gpt-5')).toEqual({
      unavailable:
        'The model "gpt-5" is not offered by the provider "openai" on this platform (offered: gpt-4o-mini).',
    });
    expect(r.resolve('gpt-5')).toEqual({
      unavailable: '"gpt-5" is not a model name: expected "default" or "provider/model".',
    });
  });

  it('lists the models with their prices and redacts the key', () => {
    const r = registry();
    expect(r.list().map((m) => m.id)).toEqual([
      'openai/gpt-4o-mini',
      'anthropic/claude-sonnet-4-5',
      'openrouter/meta-llama/llama-3.1-8b-instruct',
    ]);
    const m = r.resolve('openai/gpt-4o-mini');
    if (!isResolved(m)) throw new Error(m.unavailable);
    expect(m.redact(`bad key ${TEST_KEY}`)).toBe('bad key [redacted]');
    expect(m.apiKeyEnv).toBe('TEST_PROVIDER_KEY');
  });
});
