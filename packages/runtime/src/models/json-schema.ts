import { arrayToPath, failedChecks } from '@jeton/core';

/**
 * A small JSON Schema validator for model answers (structured output) and tool inputs: the keywords
 * creators use for output shapes (type, enum, const, properties, required, additionalProperties,
 * patternProperties, items, prefixItems, min/max counts and lengths, numeric bounds, multipleOf,
 * uniqueItems, pattern, allOf, anyOf, oneOf, not, if/then/else, local $ref). Other keywords are
 * annotations (title, description, format, default, examples) and are not checked.
 *
 * Patterns are creators' regular expressions run on model output, so they run in RE2 (linear time),
 * like every creator pattern on the platform: a pattern such as `^(a+)+$` cannot freeze the worker.
 *
 * Schemas can come from sandboxed agents, so checking one is bounded too: depth (64 levels), and a
 * budget of steps per validation (`MAX_VALIDATION_STEPS` schema nodes visited, values compared, text
 * scanned): a schema whose combinators branch on themselves (`{anyOf: [{$ref: '#'}, {$ref: '#'}]}`
 * would take 2^64 steps) fails with one issue saying it is too complex to check. `schemaProblem`
 * refuses such schemas up front.
 */

export interface SchemaIssue {
  /** JSON path of the value, e.g. `$.items[2].price`. */
  path: string;
  message: string;
}

type Schema = Record<string, unknown>;
export const KNOWN_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
export const MAX_DEPTH = 64;
/** The work one `validateJson` may do (schema nodes visited, plus comparisons and text scanned). */
export const MAX_VALIDATION_STEPS = 100_000;
const encoder = new TextEncoder();

export const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether `text` contains a match of `pattern`, in RE2. Core's check runner is where the platform's
 * RE2 engine is exposed (a `matches` check is exactly "the text contains a match of the pattern"); a
 * pattern RE2 cannot compile matches nothing.
 */
function matchesPattern(pattern: string, text: string): boolean {
  return (
    failedChecks(
      {
        status: 'succeeded',
        artifacts: [{ name: 'value', mediaType: 'text/plain', bytes: encoder.encode(text) }],
        creditsCharged: 0,
      },
      [{ kind: 'matches', artifact: 'value', pattern }],
    ).length === 0
  );
}

/** Whether RE2 accepts the pattern: `(?:p)|^` matches the empty string iff `p` compiles. */
export function compiles(pattern: string): boolean {
  return matchesPattern(`(?:${pattern})|^`, '');
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === type;
  }
}

/**
 * Resolves a local `$ref` (`#`, `#/$defs/x`, `#/definitions/x`, any JSON pointer into the root), through
 * own properties and array indexes only (`#/__proto__` or `#/constructor` lead nowhere).
 */
export function resolveRef(root: unknown, ref: string): unknown {
  if (ref !== '#' && !ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref
    .slice(2)
    .split('/')
    .slice(ref === '#' ? 1 : 0)) {
    let part: string;
    try {
      part = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    } catch {
      return undefined; // a malformed %-escape
    }
    if (Array.isArray(node)) {
      if (!/^(0|[1-9][0-9]*)$/.test(part) || Number(part) >= node.length) return undefined;
      node = node[Number(part)];
    } else if (isObject(node) && Object.hasOwn(node, part)) node = node[part];
    else return undefined;
  }
  return node;
}

/** Thrown through the validator when its budget of steps is spent. */
class TooComplex extends Error {}

function length(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

class Validator {
  readonly issues: SchemaIssue[] = [];
  constructor(
    private readonly root: unknown,
    /** Shared by the probes of one validation. */
    private readonly budget: { left: number },
  ) {}

  private add(path: PropertyKey[], message: string) {
    if (this.issues.length < 100) this.issues.push({ path: arrayToPath(path), message });
  }

  private spend(steps: number) {
    this.budget.left -= steps;
    if (this.budget.left < 0) throw new TooComplex();
  }

  /** Scanning `text` (a pattern, a length): one step, and one more per KiB. */
  private scan(text: string) {
    this.spend(1 + (text.length >> 10));
  }

  private equal(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a) && Array.isArray(b)) {
      this.spend(1);
      return a.length === b.length && a.every((x, i) => this.equal(x, b[i]));
    }
    if (isObject(a) && isObject(b)) {
      this.spend(1);
      const ka = Object.keys(a);
      return (
        ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && this.equal(a[k], b[k]))
      );
    }
    return false;
  }

  /** A key equal values share (object keys sorted), for `uniqueItems`. */
  private canonical(value: unknown): string {
    this.spend(1);
    if (Array.isArray(value)) return `[${value.map((x) => this.canonical(x)).join(',')}]`;
    if (isObject(value)) {
      const keys = Object.keys(value).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${this.canonical(value[k])}`).join(',')}}`;
    }
    return JSON.stringify(value) ?? 'null';
  }

  private matches(pattern: string, text: string): boolean {
    this.scan(text);
    return matchesPattern(pattern, text);
  }

  /** Issues of `value` against `schema` alone, without recording them here. */
  private probe(schema: unknown, value: unknown, path: PropertyKey[], depth: number): SchemaIssue[] {
    const v = new Validator(this.root, this.budget);
    v.check(schema, value, path, depth);
    return v.issues;
  }

  check(schema: unknown, value: unknown, path: PropertyKey[], depth = 0): void {
    this.spend(1);
    if (depth > MAX_DEPTH) {
      this.add(path, 'is nested too deeply for the schema');
      return;
    }
    if (schema === true || schema === undefined) return;
    if (schema === false) {
      this.add(path, 'is not allowed here');
      return;
    }
    if (!isObject(schema)) return;

    if (typeof schema.$ref === 'string') {
      const target = resolveRef(this.root, schema.$ref);
      if (target === undefined) {
        this.add(path, `cannot be checked: the schema's $ref ${schema.$ref} is not found`);
        return;
      }
      this.check(target, value, path, depth + 1);
    }

    const types =
      typeof schema.type === 'string'
        ? [schema.type]
        : Array.isArray(schema.type)
          ? (schema.type as string[])
          : null;
    if (types) {
      const allowed = schema.nullable === true ? [...types, 'null'] : types;
      if (!allowed.some((t) => hasType(value, t))) {
        this.add(path, `must be ${allowed.join(' or ')}, not ${typeOf(value)}`);
        return;
      }
    }
    if (Array.isArray(schema.enum)) {
      this.spend(schema.enum.length >> 4);
      if (!schema.enum.some((e) => this.equal(e, value))) {
        this.add(path, `must be one of ${JSON.stringify(schema.enum).slice(0, 200)}`);
      }
    }
    if ('const' in schema && !this.equal(schema.const, value)) {
      this.add(path, `must be ${JSON.stringify(schema.const).slice(0, 200)}`);
    }
    if (typeof value === 'string') this.string(schema, value, path);
    if (typeof value === 'number') this.number(schema, value, path);
    if (Array.isArray(value)) this.array(schema, value, path, depth);
    if (isObject(value)) this.object(schema, value, path, depth);
    this.combinators(schema, value, path, depth);
  }

  private string(schema: Schema, value: string, path: PropertyKey[]) {
    const counts = typeof schema.minLength === 'number' || typeof schema.maxLength === 'number';
    if (counts) this.scan(value);
    const n = counts ? length(value) : 0;
    if (typeof schema.minLength === 'number' && n < schema.minLength) {
      this.add(path, `must have at least ${schema.minLength} characters`);
    }
    if (typeof schema.maxLength === 'number' && n > schema.maxLength) {
      this.add(path, `must have at most ${schema.maxLength} characters`);
    }
    if (typeof schema.pattern === 'string' && !this.matches(schema.pattern, value)) {
      this.add(path, `must match the pattern /${schema.pattern}/`);
    }
  }

  private number(schema: Schema, value: number, path: PropertyKey[]) {
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = schema;
    if (typeof minimum === 'number' && value < minimum) this.add(path, `must be at least ${minimum}`);
    if (typeof maximum === 'number' && value > maximum) this.add(path, `must be at most ${maximum}`);
    if (typeof exclusiveMinimum === 'number' && value <= exclusiveMinimum) {
      this.add(path, `must be greater than ${exclusiveMinimum}`);
    }
    if (typeof exclusiveMaximum === 'number' && value >= exclusiveMaximum) {
      this.add(path, `must be less than ${exclusiveMaximum}`);
    }
    if (typeof multipleOf === 'number' && multipleOf > 0) {
      const q = value / multipleOf;
      if (Math.abs(q - Math.round(q)) > 1e-9) this.add(path, `must be a multiple of ${multipleOf}`);
    }
  }

  private array(schema: Schema, value: unknown[], path: PropertyKey[], depth: number) {
    const prefix = Array.isArray(schema.prefixItems)
      ? schema.prefixItems
      : Array.isArray(schema.items)
        ? (schema.items as unknown[])
        : [];
    const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
    value.forEach((item, i) => {
      this.check(i < prefix.length ? prefix[i] : rest, item, [...path, i], depth + 1);
    });
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      this.add(path, `must have at least ${schema.minItems} items`);
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      this.add(path, `must have at most ${schema.maxItems} items`);
    }
    if (schema.uniqueItems === true) {
      const seen = new Set<string>();
      const dup = value.findIndex((x) => {
        const key = this.canonical(x);
        if (seen.has(key)) return true;
        seen.add(key);
        return false;
      });
      if (dup >= 0) this.add([...path, dup], 'repeats an earlier item');
    }
  }

  private object(schema: Schema, value: Schema, path: PropertyKey[], depth: number) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const patterns = isObject(schema.patternProperties) ? Object.entries(schema.patternProperties) : [];
    if (Array.isArray(schema.required)) {
      for (const key of schema.required) {
        if (typeof key === 'string' && !Object.hasOwn(value, key)) this.add([...path, key], 'is required');
      }
    }
    for (const [key, item] of Object.entries(value)) {
      let known = false;
      if (Object.hasOwn(properties, key)) {
        known = true;
        this.check(properties[key], item, [...path, key], depth + 1);
      }
      for (const [pattern, sub] of patterns) {
        if (this.matches(pattern, key)) {
          known = true;
          this.check(sub, item, [...path, key], depth + 1);
        }
      }
      if (!known && schema.additionalProperties !== undefined) {
        if (schema.additionalProperties === false) this.add([...path, key], 'is not an allowed field');
        else this.check(schema.additionalProperties, item, [...path, key], depth + 1);
      }
    }
    const count = Object.keys(value).length;
    if (typeof schema.minProperties === 'number' && count < schema.minProperties) {
      this.add(path, `must have at least ${schema.minProperties} fields`);
    }
    if (typeof schema.maxProperties === 'number' && count > schema.maxProperties) {
      this.add(path, `must have at most ${schema.maxProperties} fields`);
    }
  }

  private combinators(schema: Schema, value: unknown, path: PropertyKey[], depth: number) {
    if (Array.isArray(schema.allOf)) for (const sub of schema.allOf) this.check(sub, value, path, depth + 1);
    if (Array.isArray(schema.anyOf)) {
      const results = schema.anyOf.map((sub) => this.probe(sub, value, path, depth + 1));
      const types = schema.anyOf.map((sub) =>
        isObject(sub) && typeof sub.type === 'string' ? sub.type : null,
      );
      if (types.every((t) => t !== null) && !types.some((t) => hasType(value, t!))) {
        this.add(path, `must be ${types.join(' or ')}, not ${typeOf(value)}`);
      } else if (!results.some((r) => r.length === 0)) {
        // The closest alternative's problems say the most.
        const best = results.reduce((a, b) => (b.length < a.length ? b : a), results[0] ?? []);
        if (best.length > 0) for (const i of best) this.issues.push(i);
        else this.add(path, 'matches none of the allowed shapes');
      }
    }
    if (Array.isArray(schema.oneOf)) {
      const passing = schema.oneOf.filter(
        (sub) => this.probe(sub, value, path, depth + 1).length === 0,
      ).length;
      if (passing === 0) this.add(path, 'matches none of the allowed shapes');
      else if (passing > 1) this.add(path, 'matches more than one of the allowed shapes');
    }
    if (schema.not !== undefined && this.probe(schema.not, value, path, depth + 1).length === 0) {
      this.add(path, 'matches a shape that is not allowed');
    }
    if (schema.if !== undefined) {
      const branch = this.probe(schema.if, value, path, depth + 1).length === 0 ? schema.then : schema.else;
      if (branch !== undefined) this.check(branch, value, path, depth + 1);
    }
  }
}

/**
 * Every problem of `value` against `schema` (at most 100), each with its JSON path; empty when valid.
 * Past `maxSteps` of work, one issue: the schema is too complex to check (the value is not accepted).
 */
export function validateJson(
  schema: Record<string, unknown>,
  value: unknown,
  maxSteps: number = MAX_VALIDATION_STEPS,
): SchemaIssue[] {
  const v = new Validator(schema, { left: maxSteps });
  try {
    v.check(schema, value, []);
  } catch (error) {
    if (!(error instanceof TooComplex)) throw error;
    return [
      {
        path: '$',
        message: `cannot be checked: the schema is too complex to check (more than ${maxSteps} steps for this value)`,
      },
    ];
  }
  return v.issues;
}
