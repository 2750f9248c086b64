import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { ModelConfig, ModelEntry, ProviderConfig, ProviderKind } from './config.ts';
import type { ModelPrices } from './cost.ts';

/**
 * The platform's models by `provider/model`, built once from the configuration. Each kind speaks its
 * own wire protocol through the AI SDK:
 *
 * - `openai`: OpenAI's Chat Completions API (`createOpenAI(...).chat(id)`), not the Responses API: Chat
 *   Completions is the protocol every OpenAI-like server speaks, so one `openai` entry pointed at a
 *   gateway or proxy (Azure-style front ends, LiteLLM) keeps working, and usage comes back the same way.
 * - `anthropic`: the Messages API (`createAnthropic`).
 * - `openai-compatible`: Chat Completions on any server (`createOpenAICompatible`): Ollama, vLLM,
 *   llama.cpp, LM Studio, OpenRouter. Usage is requested in streams (`stream_options.include_usage`).
 */

export interface ResolvedModel {
  /** `provider/model`, as recorded on the run. */
  readonly id: string;
  readonly provider: string;
  readonly kind: ProviderKind;
  readonly model: Exclude<LanguageModel, string>;
  readonly prices: ModelPrices;
  /** The variable the provider's key comes from, for error messages. */
  readonly apiKeyEnv: string | undefined;
  /** Whether JSON Schema response formats are sent as such (false: JSON mode and the schema in the prompt). */
  readonly structuredOutputs: boolean;
  /** Removes the provider's key from a text (error messages echo what they were sent). */
  redact(text: string): string;
}

export type ModelResolution = ResolvedModel | { readonly unavailable: string };

export interface ModelRegistryOptions {
  /** Replaces `fetch` for every provider (tests, proxies). */
  fetch?: typeof globalThis.fetch;
}

export const NO_PROVIDER = 'No model provider is configured on this platform.';

interface ProviderEntry {
  config: ProviderConfig;
  models: Map<string, ModelEntry>;
  build(id: string): Exclude<LanguageModel, string>;
  cache: Map<string, Exclude<LanguageModel, string>>;
}

function buildProvider(
  p: ProviderConfig,
  fetch: typeof globalThis.fetch | undefined,
): ProviderEntry['build'] {
  const common = { apiKey: p.apiKey, ...(fetch ? { fetch } : {}) };
  switch (p.kind) {
    case 'openai': {
      const provider = createOpenAI({
        ...common,
        name: p.name,
        ...(p.baseURL ? { baseURL: p.baseURL } : {}),
      });
      return (id) => provider.chat(id);
    }
    case 'anthropic': {
      const provider = createAnthropic({
        ...common,
        name: p.name,
        ...(p.baseURL ? { baseURL: p.baseURL } : {}),
      });
      return (id) => provider.messages(id);
    }
    case 'openai-compatible': {
      const provider = createOpenAICompatible({
        ...common,
        name: p.name,
        baseURL: p.baseURL!,
        includeUsage: true,
        supportsStructuredOutputs: p.structuredOutputs,
      });
      return (id) => provider.chatModel(id);
    }
  }
}

export class ModelRegistry {
  readonly #providers = new Map<string, ProviderEntry>();
  readonly #default: string | null;

  constructor(config: ModelConfig, options: ModelRegistryOptions = {}) {
    for (const p of config.providers) {
      this.#providers.set(p.name, {
        config: p,
        models: new Map(p.models.map((m) => [m.id, m])),
        build: buildProvider(p, options.fetch),
        cache: new Map(),
      });
    }
    this.#default = config.defaultModel;
  }

  /** Whether any provider is configured. */
  get configured(): boolean {
    return this.#providers.size > 0;
  }

  /** `provider/model` of `default`, or null. */
  get defaultModel(): string | null {
    return this.#default;
  }

  /** Every configured model with its prices (for the operator's and creators' views). */
  list(): { id: string; kind: ProviderKind; prices: ModelPrices }[] {
    return [...this.#providers.values()].flatMap((p) =>
      p.config.models.map((m) => ({ id: `${p.config.name}/${m.id}`, kind: p.config.kind, prices: m.prices })),
    );
  }

  /** The model for `default` or `provider/model`, or why there is none (shown to buyers and creators). */
  resolve(ref: string): ModelResolution {
    if (this.#providers.size === 0) return { unavailable: NO_PROVIDER };
    const id = ref === 'default' ? this.#default : ref;
    if (id === null) return { unavailable: 'No default model is configured on this platform.' };
    const slash = id.indexOf('/');
    if (slash <= 0 || slash === id.length - 1) {
      return { unavailable: `"${ref}" is not a model name: expected "default" or "provider/model".` };
    }
    const providerName = id.slice(0, slash);
    const modelId = id.slice(slash + 1);
    const provider = this.#providers.get(providerName);
    if (!provider) {
      return {
        unavailable: `The model provider "${providerName}" is not configured on this platform (configured: ${[
          ...this.#providers.keys(),
        ].join(', ')}).`,
      };
    }
    const entry = provider.models.get(modelId);
    if (!entry) {
      return {
        unavailable: `The model "${modelId}" is not offered by the provider "${providerName}" on this platform (offered: ${[
          ...provider.models.keys(),
        ]
          .slice(0, 20)
          .join(', ')}).`,
      };
    }
    let model = provider.cache.get(modelId);
    if (!model) {
      model = provider.build(modelId);
      provider.cache.set(modelId, model);
    }
    const key = provider.config.apiKey;
    return {
      id: `${providerName}/${modelId}`,
      provider: providerName,
      kind: provider.config.kind,
      model,
      prices: entry.prices,
      apiKeyEnv: provider.config.apiKeyEnv,
      structuredOutputs:
        provider.config.kind === 'openai-compatible' ? provider.config.structuredOutputs : true,
      redact: (text) => (key && key.length >= 4 ? text.split(key).join('[redacted]') : text),
    };
  }
}

/** Whether a resolution is a model (rather than a reason). */
export function isResolved(r: ModelResolution): r is ResolvedModel {
  return !('unavailable' in r);
}
