import { UsageError } from '../api/report.ts';

/** The part of an input schema's property the CLI needs to read a `--input` value. */
export interface FieldSchema {
  type?: string | string[];
  editor?: string;
  items?: { type?: string };
}

export interface InputSchema {
  properties?: Record<string, FieldSchema>;
}

/** `name=value` → [name, value]; the value may itself contain `=`. */
export function splitPair(pair: string, option: string): [string, string] {
  const at = pair.indexOf('=');
  if (at <= 0) throw new UsageError(`${option} takes name=value, not "${pair}"`);
  return [pair.slice(0, at), pair.slice(at + 1)];
}

/**
 * A `--input` value as its field's type wants it: numbers and booleans parsed, objects and arrays as
 * JSON, strings as they are. A field the schema does not know stays a string: the server's
 * validation then names it, with the agent's own words.
 */
export function coerce(name: string, raw: string, field: FieldSchema | undefined): unknown {
  const types = [field?.type ?? 'string'].flat();
  if (types.includes('string')) return raw;
  if (types.includes('integer') || types.includes('number')) {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n))
      throw new UsageError(`--input ${name} takes a number, not "${raw}"`);
    return n;
  }
  if (types.includes('boolean')) {
    if (raw === 'true' || raw === 'false') return raw === 'true';
    throw new UsageError(`--input ${name} takes true or false, not "${raw}"`);
  }
  if (types.includes('object') || types.includes('array')) {
    try {
      return JSON.parse(raw);
    } catch {
      throw new UsageError(
        `--input ${name} takes JSON (an ${types.includes('array') ? 'array' : 'object'}), not ${raw}`,
      );
    }
  }
  return raw;
}

/** The run's input from the repeated `--input name=value` options. */
export function buildInput(pairs: string[], schema: InputSchema | undefined): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const pair of pairs) {
    const [name, raw] = splitPair(pair, '--input');
    input[name] = coerce(name, raw, schema?.properties?.[name]);
  }
  return input;
}

/** Adds an uploaded file's id to the input: a list for a field that takes several, else the id. */
export function addFile(
  input: Record<string, unknown>,
  name: string,
  id: string,
  schema: InputSchema | undefined,
) {
  const field = schema?.properties?.[name];
  if ([field?.type].flat().includes('array')) {
    const list = Array.isArray(input[name]) ? (input[name] as unknown[]) : [];
    input[name] = [...list, id];
  } else {
    input[name] = id;
  }
}

const MEDIA_TYPES: Record<string, string> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  txt: 'text/plain',
  md: 'text/markdown',
  json: 'application/json',
  pdf: 'application/pdf',
  zip: 'application/zip',
  tar: 'application/x-tar',
  gz: 'application/gzip',
  tgz: 'application/gzip',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  glb: 'model/gltf-binary',
  html: 'text/html',
  xml: 'application/xml',
};

/** A file's media type from its extension; the server checks it against the field's `accept`. */
export function mediaTypeOf(path: string): string {
  const ext = path.toLowerCase().split('.').pop() ?? '';
  return MEDIA_TYPES[ext] ?? 'application/octet-stream';
}
