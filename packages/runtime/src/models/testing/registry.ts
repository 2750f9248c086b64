import { parseModelConfig } from '../config.ts';
import { ModelRegistry, type ModelRegistryOptions } from '../registry.ts';

/** The key the test registries send (never expected in a message). */
export const TEST_KEY = 'sk-test-0123456789abcdefSECRET';

export interface TestProvider {
  name: string;
  kind: 'openai' | 'anthropic' | 'openai-compatible';
  baseURL?: string;
  /** Default TEST_PROVIDER_KEY (set to TEST_KEY); null for a provider without a key. */
  apiKeyEnv?: string | null;
  structuredOutputs?: boolean;
  /** Default one model, `test-model`, at 2.5 credits per million input tokens and 10 per million output. */
  models?: {
    id: string;
    inputCreditsPerMillionTokens: number | string;
    outputCreditsPerMillionTokens: number | string;
  }[];
}

/** A registry over test providers, through the real configuration parser. */
export function testRegistry(
  providers: TestProvider[],
  options: ModelRegistryOptions & { defaultModel?: string } = {},
): ModelRegistry {
  const json = providers.map((p) => ({
    name: p.name,
    kind: p.kind,
    ...(p.baseURL ? { baseURL: p.baseURL } : {}),
    ...(p.apiKeyEnv === null ? {} : { apiKeyEnv: p.apiKeyEnv ?? 'TEST_PROVIDER_KEY' }),
    ...(p.structuredOutputs !== undefined ? { structuredOutputs: p.structuredOutputs } : {}),
    models: p.models ?? [
      { id: 'test-model', inputCreditsPerMillionTokens: 2.5, outputCreditsPerMillionTokens: 10 },
    ],
  }));
  const parsed = parseModelConfig({
    JETON_MODEL_PROVIDERS: JSON.stringify(json),
    TEST_PROVIDER_KEY: TEST_KEY,
    ...(options.defaultModel ? { JETON_DEFAULT_MODEL: options.defaultModel } : {}),
  });
  if (!parsed.ok) throw new Error(`test configuration: ${parsed.errors.join('; ')}`);
  return new ModelRegistry(parsed.config, options);
}
