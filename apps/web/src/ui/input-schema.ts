/**
 * An agent's input schema (the form-friendly subset of JSON Schema in
 * packages/core/src/catalog/input-schema.ts, with its UI hints): the values a form starts with, the
 * input as the API wants it, and the checks the browser can make.
 */
export type InputSchema = { type: 'object'; properties: Record<string, FieldSchema>; required?: string[] };
export type FieldSchema = Record<string, unknown>; // the field subset of input-schema.ts

/** Per-field messages, by field name (`''` for problems with the input as a whole). */
export type FieldErrors = Record<string, string[]>;

/** A string, or undefined. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A finite number, or undefined. */
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
/** The strings of an array (none if it is not one). */
export const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** The value every field starts with: its `default`, else empty (files: no file; booleans: false). */
export function defaultsOf(schema: InputSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (field.default !== undefined) out[name] = field.default;
    else if (field.type === 'boolean') out[name] = false;
    else if (field.type === 'array') out[name] = [];
    else if (field.type === 'string' && Array.isArray(field.enum) && isRequired(schema, name))
      out[name] = String(field.enum[0]);
  }
  return out;
}

export const isRequired = (schema: InputSchema, name: string) => (schema.required ?? []).includes(name);

/**
 * The input as the API wants it: empty optional text and numbers left out (an empty string is not
 * "no value" to the schema), empty optional file lists left out.
 */
export function cleanInput(schema: InputSchema, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!(name in (schema.properties ?? {}))) continue;
    const required = isRequired(schema, name);
    if (v === undefined) continue;
    if (!required && (v === '' || (Array.isArray(v) && v.length === 0))) continue;
    out[name] = v;
  }
  return out;
}

/** The checks the browser can make before asking the server (which checks everything again). */
export function validate(schema: InputSchema, value: Record<string, unknown>): FieldErrors {
  const out: FieldErrors = {};
  const add = (name: string, message: string) => {
    out[name] = [...(out[name] ?? []), message];
  };
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const v = value[name];
    const required = isRequired(schema, name);
    if (field.type === 'array') {
      const ids = strings(v);
      if (required && ids.length === 0) add(name, 'is required');
      const min = num(field.minItems);
      if (min !== undefined && ids.length < min)
        add(name, `needs at least ${min} file${min === 1 ? '' : 's'}`);
      const max = num(field.maxCount) ?? 1;
      if (ids.length > max) add(name, `takes at most ${max} file${max === 1 ? '' : 's'}`);
      continue;
    }
    if (v === undefined || v === '') {
      if (required) add(name, 'is required');
      continue;
    }
    if (field.type === 'number' || field.type === 'integer') {
      if (typeof v !== 'number' || Number.isNaN(v)) add(name, 'must be a number');
      else {
        if (field.type === 'integer' && !Number.isInteger(v)) add(name, 'must be a whole number');
        const min = num(field.minimum);
        const max = num(field.maximum);
        if (min !== undefined && v < min) add(name, `must be at least ${min}`);
        if (max !== undefined && v > max) add(name, `must be at most ${max}`);
      }
    } else if (field.type === 'string' && typeof v === 'string') {
      const minLength = num(field.minLength);
      const maxLength = num(field.maxLength);
      if (minLength !== undefined && v.length < minLength)
        add(name, `must be at least ${minLength} character${minLength === 1 ? '' : 's'}`);
      if (maxLength !== undefined && v.length > maxLength)
        add(name, `must be at most ${maxLength} characters`);
      const pattern = patternOf(field);
      if (pattern && !pattern.test(v))
        add(
          name,
          field.editor === 'colour' ? 'must be a colour such as #1e90ff' : 'is not in the expected format',
        );
      const options = strings(field.enum);
      if (options.length > 0 && !options.includes(v)) add(name, 'must be one of the choices');
    }
  }
  return out;
}

/** The field's `pattern` as a RegExp, or undefined (none, or one this browser cannot compile). */
function patternOf(field: FieldSchema): RegExp | undefined {
  const source = str(field.pattern);
  if (!source) return undefined;
  try {
    return new RegExp(source, 'u');
  } catch {
    return undefined;
  }
}
