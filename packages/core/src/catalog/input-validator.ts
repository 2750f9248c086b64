import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { toCanonicalJson } from '../shared/canonical-json.ts';
import type { InputSchema } from './input-schema.ts';
import { re2Engine } from './safe-regexp.ts';

/** One problem with a value, named by its JSON path (`$.colours[1]`). */
export interface Issue {
  path: string;
  message: string;
}

function makeAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: false, code: { regExp: re2Engine } });
  ajv.addVocabulary(['editor', 'enumTitles', 'accept', 'maxBytes', 'maxCount']);
  return ajv;
}
/** Replaced with the cache below, since Ajv also keeps every pattern it has compiled. */
let ajv = makeAjv();

/** Compiled validators by the schema's canonical JSON: the same schema compiles once, whatever object holds it. */
const cache = new Map<string, ValidateFunction>();
const CACHE_SIZE = 2000;
/** The validator last used for a schema object, and its content key (valid while the cache holds it). */
const byObject = new WeakMap<InputSchema, ValidateFunction>();
const byObjectKey = new WeakMap<InputSchema, string>();

/** The input schema as strict JSON Schema: the file count hint becomes `maxItems`. */
export function toJsonSchema(schema: InputSchema): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.properties)) {
    properties[name] = field.type === 'array' ? { ...field, maxItems: field.maxCount } : field;
  }
  return { ...schema, properties };
}

/**
 * Checks `input` against an agent's input schema and returns every problem at once (not the first
 * only), each with its JSON path. Compiled validators are cached by the schema's content.
 */
export function validateInput(schema: InputSchema, input: unknown): Issue[] {
  // The same schema object (a cached agent version; schemas are never mutated) skips even computing
  // its content key.
  let validate = byObject.get(schema);
  if (validate && cache.get(byObjectKey.get(schema)!) === validate) return run(validate, input);
  const jsonSchema = toJsonSchema(schema);
  const key = toCanonicalJson(jsonSchema);
  validate = cache.get(key);
  if (!validate) {
    try {
      validate = ajv.compile(jsonSchema);
    } catch (e) {
      return [{ path: '$', message: `the input schema cannot be used: ${(e as Error).message}` }];
    } finally {
      // Ajv keeps every compiled schema by object; this cache keeps them by content instead.
      ajv.removeSchema(jsonSchema);
    }
    if (cache.size >= CACHE_SIZE) {
      cache.clear();
      ajv = makeAjv();
    }
    cache.set(key, validate);
  }
  byObject.set(schema, validate);
  byObjectKey.set(schema, key);
  return run(validate, input);
}

function run(validate: ValidateFunction, input: unknown): Issue[] {
  if (validate(input)) return [];
  return (validate.errors ?? []).map(toIssue);
}

function toIssue(e: ErrorObject): Issue {
  const base = pointerToPath(e.instancePath);
  switch (e.keyword) {
    case 'required':
      return { path: `${base}.${e.params.missingProperty}`, message: 'is required' };
    case 'additionalProperties':
      return { path: `${base}.${e.params.additionalProperty}`, message: 'is not a field of this agent' };
    case 'enum':
      return { path: base, message: `must be one of ${JSON.stringify(e.params.allowedValues)}` };
    default:
      return { path: base, message: e.message ?? e.keyword };
  }
}

/** `/colours/1` → `$.colours[1]`. */
export function pointerToPath(pointer: string): string {
  if (!pointer) return '$';
  return `$${pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((part) =>
      /^\d+$/.test(part)
        ? `[${part}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(part)
          ? `.${part}`
          : `[${JSON.stringify(part)}]`,
    )
    .join('')}`;
}

/** Zod's issue path (`['input', 'properties', 'x']`) in the same notation. */
export function arrayToPath(path: readonly PropertyKey[]): string {
  return `$${path
    .map((part) =>
      typeof part === 'number'
        ? `[${part}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(part))
          ? `.${String(part)}`
          : `[${JSON.stringify(String(part))}]`,
    )
    .join('')}`;
}
