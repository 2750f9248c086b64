import semver from 'semver';
import { z } from 'zod';
import { inputSchemaSchema } from './input-schema.ts';
import { pricingSchema } from './pricing.ts';

/** The manifest format's own version; a reader refuses versions it does not know. */
export const MANIFEST_VERSION = 1;

export const CATEGORIES = [
  'development',
  'design',
  '3d',
  'data',
  'writing',
  'marketing',
  'research',
  'media',
  'productivity',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;
const json: z.ZodType<unknown> = z.json();
const slug = z.string().regex(SLUG, {
  message: 'a slug is 1-48 characters: lowercase letters, digits and inner hyphens',
});
const version = z.string().refine((v) => semver.valid(v) === v, {
  message: 'expected a semantic version such as 1.2.0',
});
const mediaType = z.string().regex(/^[a-z]+\/[a-z0-9][a-z0-9.+-]{0,100}$/, {
  message: 'expected a media type such as "text/markdown"',
});
export const artifactName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, {
  message: 'artifact names are file names: letters, digits, ".", "_" and "-"',
});
const host = z.string().regex(/^(\*\.)?([a-z0-9-]+\.)+[a-z]{2,63}$/, {
  message: 'expected a public host name such as "api.example.com" or "*.example.com"',
});

export const runtimeSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('builtin'),
      /** The built-in agent's code, shipped with Jeton. */
      entry: slug,
      /** Adds model-written parts when a provider is configured; runs without one. */
      usesModelWhenAvailable: z.boolean().default(false),
    })
    .describe('Trusted code shipped with Jeton.'),
  z
    .strictObject({
      kind: z.literal('prompt'),
      /** `provider/model` (e.g. `openai/gpt-4o-mini`) or `default` for the platform's default model. */
      model: z.string().regex(/^(default|[a-z0-9-]+\/[A-Za-z0-9._:/-]+)$/, {
        message: 'expected "default" or "provider/model"',
      }),
      system: z.string().min(1).max(20_000),
      /** The user message; `{{field}}` is replaced by that input field. */
      template: z.string().min(1).max(20_000),
      tools: z
        .array(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/))
        .max(10)
        .default([]),
      outputSchema: z.record(z.string(), json).optional(),
      temperature: z.number().min(0).max(2).optional(),
      maxOutputTokens: z.int().min(1).max(200_000).optional(),
    })
    .describe('A declarative agent: a model, a system prompt and a template, run by the platform.'),
  z
    .strictObject({
      kind: z.literal('code'),
      /** The JavaScript bundle, relative to the manifest; uploaded with it on publish. */
      entry: z.string().regex(/^[A-Za-z0-9._/-]{1,200}\.m?js$/, { message: 'expected a path to a .js file' }),
      /** The only hosts the sandbox lets the agent reach over HTTPS. */
      allowedHosts: z.array(host).max(20).default([]),
    })
    .describe("A creator's JavaScript bundle, run in an isolated sandbox."),
]);
export type Runtime = z.output<typeof runtimeSchema>;

export const checkSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('succeeds') }).describe('The run ends in succeeded.'),
  z
    .strictObject({
      kind: z.literal('artifact'),
      name: artifactName,
      mediaType: mediaType.optional(),
      minBytes: z.int().min(0).optional(),
      maxBytes: z.int().min(0).optional(),
    })
    .describe('The run produced this artifact.'),
  z
    .strictObject({ kind: z.literal('contains'), artifact: artifactName, text: z.string().min(1).max(1000) })
    .describe("The artifact's text contains this string."),
  z
    .strictObject({ kind: z.literal('matches'), artifact: artifactName, pattern: z.string().min(1).max(500) })
    .describe("The artifact's text matches this regular expression."),
  z
    .strictObject({ kind: z.literal('max_credits'), credits: z.int().min(0) })
    .describe('The run cost at most this many credits.'),
]);
export type Check = z.output<typeof checkSchema>;

export const manifestSchema = z
  .strictObject({
    $schema: z.string().optional(),
    manifestVersion: z.literal(MANIFEST_VERSION),
    slug,
    name: z.string().trim().min(2).max(80),
    summary: z.string().trim().min(10).max(200),
    description: z.string().max(20_000).default('').describe('Markdown.'),
    category: z.enum(CATEGORIES),
    tags: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,29}$/))
      .max(10)
      .default([]),
    version,
    input: inputSchemaSchema,
    outputs: z
      .array(z.strictObject({ name: artifactName, mediaType, description: z.string().max(500).default('') }))
      .max(20)
      .default([]),
    pricing: pricingSchema,
    limits: z
      .strictObject({
        timeoutSeconds: z.int().min(1).max(3600).default(300),
        memoryMb: z.int().min(16).max(4096).default(256),
        /** Whether a run cut short by the platform may be run again from the start. */
        retrySafe: z.boolean().default(false),
      })
      .prefault({}),
    runtime: runtimeSchema,
    secrets: z
      .array(
        z.strictObject({
          // No `__`: it separates the agent's slug from the name in the operator's variables.
          name: z
            .string()
            .regex(/^[A-Z](?:_?[A-Z0-9])+_?$/, {
              message: 'secret names are UPPER_SNAKE_CASE, 2-64 characters, with no double underscore',
            })
            .max(64),
          description: z.string().max(300).default(''),
        }),
      )
      .max(20)
      .default([]),
    examples: z
      .array(z.strictObject({ title: z.string().min(1).max(120), input: z.record(z.string(), json) }))
      .max(10)
      .default([]),
    tests: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(120),
          input: z.record(z.string(), json),
          checks: z.array(checkSchema).min(1).max(20),
        }),
      )
      .max(20)
      .default([]),
    changelog: z
      .array(z.strictObject({ version, date: z.iso.date().optional(), changes: z.string().min(1).max(5000) }))
      .max(200)
      .default([]),
  })
  .describe('A Jeton agent manifest (jeton.agent.json).');

export type Manifest = z.output<typeof manifestSchema>;
export type ManifestInput = z.input<typeof manifestSchema>;
