import { z } from 'zod';
import { decimalCreditsToMicro, type ModelPrices } from './cost.ts';

/**
 * The platform's model providers, read from the environment:
 *
 * - `JETON_MODEL_PROVIDERS`: a JSON array of providers (see `providerSchema`). The JSON holds no
 *   secret: each provider names the environment variable that holds its key (`apiKeyEnv`).
 * - `JETON_DEFAULT_MODEL`: `provider/model`, the model of manifests that say `default` (unset: the
 *   first model of the first provider).
 *
 * When `JETON_MODEL_PROVIDERS` is unset, no provider is configured, even if `OPENAI_API_KEY` or
 * `ANTHROPIC_API_KEY` is set: the platform charges buyers from the configured prices, and a built-in
 * price table would go stale without anyone noticing. The parse result then carries a warning with
 * a line to paste.
 */

export const PROVIDER_KINDS = ['openai', 'anthropic', 'openai-compatible'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** A provider name: the part before the `/` in `provider/model` (same alphabet as the manifest's). */
export const PROVIDER_NAME = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
/** A model id as the provider knows it; may hold `/` and `:` (`meta-llama/llama-3.1-8b`, `llama3.2:3b`). */
export const MODEL_ID = /^[A-Za-z0-9._:/-]{1,200}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** The key variable a provider of this kind reads when `apiKeyEnv` is not given. */
const DEFAULT_KEY_ENV: Record<ProviderKind, string | undefined> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  'openai-compatible': undefined,
};

const price = z
  .union([z.number(), z.string()], { error: 'expected a decimal number of credits such as 0.15' })
  .transform((value, ctx): bigint => {
    const micro = decimalCreditsToMicro(value);
    if (typeof micro === 'string') {
      ctx.addIssue({ code: 'custom', message: micro });
      return z.NEVER;
    }
    return micro;
  });

const modelSchema = z.strictObject({
  id: z.string().regex(MODEL_ID, {
    message: 'a model id is 1-200 characters: letters, digits and . _ : / -',
  }),
  /** Credits (US$0.01) per million input tokens, up to 6 decimal places. */
  inputCreditsPerMillionTokens: price,
  /** Credits (US$0.01) per million output tokens, up to 6 decimal places. */
  outputCreditsPerMillionTokens: price,
});

const providerSchema = z
  .strictObject({
    name: z.string().regex(PROVIDER_NAME, {
      message: 'a provider name is 1-40 characters: lowercase letters, digits and inner hyphens',
    }),
    kind: z.enum(PROVIDER_KINDS),
    /** The API's base URL, up to the version (`https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`). */
    baseURL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
    /** The NAME of the environment variable holding the key (never the key itself). */
    apiKeyEnv: z
      .string()
      .regex(ENV_NAME, { message: 'must be the name of an environment variable, such as OPENAI_API_KEY' })
      .optional(),
    /**
     * openai-compatible only: whether the server takes `response_format: json_schema` (vLLM, Ollama,
     * llama.cpp, OpenRouter, LM Studio do). False: `json_object` and the schema in the system prompt.
     */
    structuredOutputs: z.boolean().optional(),
    models: z.array(modelSchema).min(1, { message: 'list at least one model with its prices' }).max(500),
  })
  .superRefine((p, ctx) => {
    if (p.kind === 'openai-compatible' && !p.baseURL) {
      ctx.addIssue({
        code: 'custom',
        path: ['baseURL'],
        message: 'is required for an openai-compatible provider',
      });
    }
    if (p.kind !== 'openai-compatible' && p.structuredOutputs !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['structuredOutputs'],
        message: 'applies to openai-compatible providers only',
      });
    }
    const seen = new Set<string>();
    p.models.forEach((m, i) => {
      if (seen.has(m.id)) {
        ctx.addIssue({ code: 'custom', path: ['models', i, 'id'], message: `"${m.id}" is listed twice` });
      }
      seen.add(m.id);
    });
  });

/** The schema of `JETON_MODEL_PROVIDERS` (after JSON parsing). */
export const modelProvidersSchema = z
  .array(providerSchema, { error: 'expected a JSON array of providers' })
  .max(50)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((p, i) => {
      if (seen.has(p.name)) {
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${p.name}" names two providers` });
      }
      seen.add(p.name);
    });
  });

export interface ModelEntry {
  /** The model id as the provider knows it. */
  readonly id: string;
  readonly prices: ModelPrices;
}

export interface ProviderConfig {
  readonly name: string;
  readonly kind: ProviderKind;
  /** Unset: the provider's public API. */
  readonly baseURL: string | undefined;
  /** The environment variable the key came from (named in error messages), if any. */
  readonly apiKeyEnv: string | undefined;
  /**
   * The key's value. Not enumerable: `JSON.stringify`, loggers and `util.inspect` do not show it.
   */
  readonly apiKey: string | undefined;
  /** openai-compatible: whether the server takes JSON Schema response formats (default true). */
  readonly structuredOutputs: boolean;
  readonly models: readonly ModelEntry[];
}

export interface ModelConfig {
  readonly providers: readonly ProviderConfig[];
  /** `provider/model` for manifests that say `default`; null when no provider is configured. */
  readonly defaultModel: string | null;
}

export type ModelConfigResult =
  | { ok: true; config: ModelConfig; warnings: string[] }
  | { ok: false; errors: string[] };

const VAR = 'JETON_MODEL_PROVIDERS';
const DEFAULT_VAR = 'JETON_DEFAULT_MODEL';

/** `[1, 'models', 0, 'id']` → `JETON_MODEL_PROVIDERS[1].models[0].id`. */
function where(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (s, part) => (typeof part === 'number' ? `${s}[${part}]` : `${s}.${String(part)}`),
    VAR,
  );
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    const secret = issue.keys.some((k) => /key|token|secret|password/i.test(k));
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}${
      secret
        ? ' (keys never go in this JSON: put the key in an environment variable and name it in "apiKeyEnv")'
        : ''
    }`;
  }
  return issue.message;
}

function withHiddenKey(provider: Omit<ProviderConfig, 'apiKey'>, apiKey: string | undefined): ProviderConfig {
  const out = { ...provider } as ProviderConfig;
  Object.defineProperty(out, 'apiKey', { value: apiKey, enumerable: false });
  return Object.freeze(out);
}

/** Reads the providers' configuration from the environment; every problem is named by its JSON path. */
export function parseModelConfig(env: Record<string, string | undefined>): ModelConfigResult {
  const raw = env[VAR]?.trim();
  const defaultRaw = env[DEFAULT_VAR]?.trim() || undefined;
  const warnings: string[] = [];
  if (!raw) {
    const keys = (['OPENAI_API_KEY', 'ANTHROPIC_API_KEY'] as const).filter((k) => env[k]?.trim());
    if (keys.length > 0) {
      warnings.push(
        `${keys.join(' and ')} ${keys.length > 1 ? 'are' : 'is'} set but ${VAR} is not, so no model provider is ` +
          `configured (prices must be set by the operator). For example: ${VAR}=` +
          `'[{"name":"openai","kind":"openai","apiKeyEnv":"OPENAI_API_KEY","models":[{"id":"gpt-4o-mini",` +
          `"inputCreditsPerMillionTokens":15,"outputCreditsPerMillionTokens":60}]}]'`,
      );
    }
    if (defaultRaw !== undefined) {
      return { ok: false, errors: [`${DEFAULT_VAR}: no model provider is configured (set ${VAR})`] };
    }
    return { ok: true, config: { providers: [], defaultModel: null }, warnings };
  }

  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    return { ok: false, errors: [`${VAR}: not valid JSON (${(e as Error).message})`] };
  }
  const parsed = modelProvidersSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => `${where(i.path)}: ${issueMessage(i)}`) };
  }

  const errors: string[] = [];
  const providers = parsed.data.map((p, i) => {
    const keyEnv = p.apiKeyEnv ?? DEFAULT_KEY_ENV[p.kind];
    const key = keyEnv === undefined ? undefined : env[keyEnv]?.trim() || undefined;
    if (keyEnv !== undefined && key === undefined) {
      errors.push(
        `${where([i, 'apiKeyEnv'])}: the environment variable ${keyEnv} (the key of provider "${p.name}") is not set`,
      );
    }
    return withHiddenKey(
      {
        name: p.name,
        kind: p.kind,
        baseURL: p.baseURL?.replace(/\/+$/, ''),
        apiKeyEnv: keyEnv,
        structuredOutputs: p.structuredOutputs ?? true,
        models: p.models.map((m) => ({
          id: m.id,
          prices: {
            inputMicroCreditsPerMillionTokens: m.inputCreditsPerMillionTokens,
            outputMicroCreditsPerMillionTokens: m.outputCreditsPerMillionTokens,
          },
        })),
      },
      key,
    );
  });

  let defaultModel: string | null = null;
  if (defaultRaw !== undefined) {
    const slash = defaultRaw.indexOf('/');
    const provider = providers.find((p) => p.name === defaultRaw.slice(0, slash));
    if (slash <= 0) errors.push(`${DEFAULT_VAR}: expected "provider/model", such as "openai/gpt-4o-mini"`);
    else if (!provider) {
      errors.push(
        `${DEFAULT_VAR}: no provider is named "${defaultRaw.slice(0, slash)}" in ${VAR} ` +
          `(configured: ${providers.map((p) => p.name).join(', ') || 'none'})`,
      );
    } else if (!provider.models.some((m) => m.id === defaultRaw.slice(slash + 1))) {
      errors.push(
        `${DEFAULT_VAR}: provider "${provider.name}" lists no model "${defaultRaw.slice(slash + 1)}" in ${VAR}`,
      );
    } else defaultModel = defaultRaw;
  } else if (providers[0]) {
    defaultModel = `${providers[0].name}/${providers[0].models[0]!.id}`;
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: { providers, defaultModel }, warnings };
}
