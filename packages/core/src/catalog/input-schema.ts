import { z } from 'zod';

/**
 * An agent's input is a JSON Schema object whose properties are a restricted, form-friendly subset of
 * JSON Schema, plus UI hints (`editor`, `enumTitles`, and for files `accept`, `maxBytes`,
 * `maxCount`). The restriction is what lets the web app draw a form for any agent, and it is still
 * plain JSON Schema: any validator (Ajv here) checks an input against it, hints ignored.
 */

const FIELD_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const unique = <T>(values: T[]) => new Set(values).size === values.length;
const noRepeats = { message: 'lists a value twice' };
const json: z.ZodType<unknown> = z.json();

const common = {
  title: z.string().min(1).max(80),
  description: z.string().max(2000).optional(),
  examples: z.array(json).max(10).optional(),
};

const stringField = z
  .strictObject({
    ...common,
    type: z.literal('string'),
    editor: z.enum(['text', 'textarea', 'select', 'colour']).default('text'),
    default: z.string().optional(),
    enum: z.array(z.string()).min(1).max(200).refine(unique, noRepeats).optional(),
    enumTitles: z.array(z.string().min(1).max(120)).optional(),
    minLength: z.int().min(0).max(1_000_000).optional(),
    maxLength: z.int().min(1).max(1_000_000).optional(),
    pattern: z.string().max(500).optional(),
  })
  .describe('A text value: one line, several lines, a choice from a list, or a colour (#rrggbb).');

const numberField = z
  .strictObject({
    ...common,
    type: z.enum(['number', 'integer']),
    editor: z.literal('number').default('number'),
    default: z.number().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
  })
  .describe('A number; `integer` accepts whole numbers only.');

const booleanField = z
  .strictObject({
    ...common,
    type: z.literal('boolean'),
    editor: z.literal('boolean').default('boolean'),
    default: z.boolean().optional(),
  })
  .describe('A yes/no switch.');

/** Media types (`image/png`, `image/*`) or extensions (`.csv`). */
const acceptEntry = z
  .string()
  .regex(/^(\.[a-z0-9][a-z0-9.+-]{0,15}|[a-z]+\/(\*|[a-z0-9][a-z0-9.+-]{0,100}))$/, {
    message: 'expected a media type such as "text/csv" or "image/*", or an extension such as ".csv"',
  });

const fileField = z
  .strictObject({
    ...common,
    type: z.literal('array'),
    editor: z.literal('file'),
    items: z.strictObject({ type: z.literal('string') }),
    accept: z.array(acceptEntry).min(1).max(50),
    maxBytes: z
      .int()
      .min(1)
      .max(1024 ** 3),
    maxCount: z.int().min(1).max(100).default(1),
    minItems: z.int().min(0).max(100).optional(),
  })
  .describe('Uploaded files; the value is a list of file ids, at most `maxCount`, each at most `maxBytes`.');

export const inputFieldSchema = z.union([stringField, numberField, booleanField, fileField]);
export type InputField = z.output<typeof inputFieldSchema>;

export const inputSchemaSchema = z
  .strictObject({
    type: z.literal('object'),
    properties: z
      .record(
        z.string().regex(FIELD_NAME, { message: 'field names are letters, digits and _' }),
        inputFieldSchema,
      )
      .refine((p) => Object.keys(p).length <= 100, { message: 'at most 100 fields' }),
    required: z.array(z.string()).max(100).refine(unique, noRepeats).default([]),
    additionalProperties: z.literal(false).default(false),
  })
  .describe('JSON Schema of the input, with UI hints; the web app draws the form from it.');
export type InputSchema = z.output<typeof inputSchemaSchema>;
/** An input schema as written (defaults may be left out). */
export type InputSchemaInput = z.input<typeof inputSchemaSchema>;
