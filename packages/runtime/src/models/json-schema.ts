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
 */

export interface SchemaIssue {
  /** JSON path of the value, e.g. `$.items[2].price`. */
  path: string;
  message: string;
}

type Schema = Record<string, unknown>;
const KNOWN_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const MAX_DEPTH = 64;
const encoder = new TextEncoder();

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

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
function compiles(pattern: string): boolean {
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

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return false;
}

/** Resolves a local `$ref` (`#`, `#/$defs/x`, `#/definitions/x`, any JSON pointer into the root). */
function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const part = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function length(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

class Validator {
  readonly issues: SchemaIssue[] = [];
  constructor(private readonly root: unknown) {}

  private add(path: PropertyKey[], message: string) {
    if (this.issues.length < 100) this.issues.push({ path: arrayToPath(path), message });
  }

  /** Issues of `value` against `schema` alone, without recording them here. */
  private probe(schema: unknown, value: unknown, path: PropertyKey[], depth: number): SchemaIssue[] {
    const v = new Validator(this.root);
    v.check(schema, value, path, depth);
    return v.issues;
  }

  check(schema: unknown, value: unknown, path: PropertyKey[], depth = 0): void {
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
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => equal(e, value))) {
      this.add(path, `must be one of ${JSON.stringify(schema.enum).slice(0, 200)}`);
    }
    if ('const' in schema && !equal(schema.const, value)) {
      this.add(path, `must be ${JSON.stringify(schema.const).slice(0, 200)}`);
    }
    if (typeof value === 'string') this.string(schema, value, path);
    if (typeof value === 'number') this.number(schema, value, path);
    if (Array.isArray(value)) this.array(schema, value, path, depth);
    if (isObject(value)) this.object(schema, value, path, depth);
    this.combinators(schema, value, path, depth);
  }

  private string(schema: Schema, value: string, path: PropertyKey[]) {
    const n =
      typeof schema.minLength === 'number' || typeof schema.maxLength === 'number' ? length(value) : 0;
    if (typeof schema.minLength === 'number' && n < schema.minLength) {
      this.add(path, `must have at least ${schema.minLength} characters`);
    }
    if (typeof schema.maxLength === 'number' && n > schema.maxLength) {
      this.add(path, `must have at most ${schema.maxLength} characters`);
    }
    if (typeof schema.pattern === 'string' && !matchesPattern(schema.pattern, value)) {
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
      const dup = value.findIndex((x, i) => value.findIndex((y) => equal(x, y)) !== i);
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
        if (matchesPattern(pattern, key)) {
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

/** Every problem of `value` against `schema` (at most 100), each with its JSON path; empty when valid. */
export function validateJson(schema: Record<string, unknown>, value: unknown): SchemaIssue[] {
  const v = new Validator(schema);
  v.check(schema, value, []);
  return v.issues;
}

/**
 * Why a schema cannot be used to check answers (an unknown type, a `$ref` that leads nowhere or out
 * of the document, a pattern RE2 cannot run), or null.
 */
export function schemaProblem(schema: Record<string, unknown>): string | null {
  const seen = new Set<unknown>();
  const walk = (node: unknown, path: string, depth: number): string | null => {
    if (depth > MAX_DEPTH) return `${path}: the schema is nested too deeply`;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const p = walk(node[i], `${path}[${i}]`, depth + 1);
        if (p) return p;
      }
      return null;
    }
    if (!isObject(node) || seen.has(node)) return null;
    seen.add(node);
    const types = typeof node.type === 'string' ? [node.type] : Array.isArray(node.type) ? node.type : [];
    for (const t of types)
      if (!KNOWN_TYPES.has(String(t))) return `${path}.type: unknown type "${String(t)}"`;
    if (typeof node.$ref === 'string' && resolveRef(schema, node.$ref) === undefined) {
      return `${path}.$ref: "${node.$ref}" is not a local reference that exists in the schema`;
    }
    if (typeof node.pattern === 'string' && !compiles(node.pattern)) {
      return `${path}.pattern: /${node.pattern}/ is not a pattern the platform can run (RE2: no lookaround or backreferences)`;
    }
    for (const [key, child] of Object.entries(node)) {
      // Values of these keywords are data, not schemas.
      if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples' || key === 'required')
        continue;
      if (key === 'properties' || key === 'patternProperties' || key === '$defs' || key === 'definitions') {
        if (!isObject(child)) continue;
        for (const [name, sub] of Object.entries(child)) {
          if (key === 'patternProperties' && !compiles(name)) {
            return `${path}.patternProperties: /${name}/ is not a pattern the platform can run`;
          }
          const p = walk(sub, `${path}.${key}.${name}`, depth + 1);
          if (p) return p;
        }
        continue;
      }
      const p = walk(child, `${path}.${key}`, depth + 1);
      if (p) return p;
    }
    return null;
  };
  return walk(schema, '$', 0);
}

/**
 * Whether OpenAI's strict structured outputs accept the schema as it is: every object closes its
 * fields (`additionalProperties: false`) and requires all of them. Strict mode then guarantees the
 * shape; other schemas are sent non-strict (and the answer is still validated here).
 */
export function isStrictCompatible(schema: Record<string, unknown>): boolean {
  if (schema.type !== 'object') return false;
  const ok = (node: unknown, depth: number): boolean => {
    if (depth > MAX_DEPTH) return false;
    if (Array.isArray(node)) return node.every((n) => ok(n, depth + 1));
    if (!isObject(node)) return true;
    const isObj = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));
    if (isObj || isObject(node.properties)) {
      const props = isObject(node.properties) ? Object.keys(node.properties) : [];
      const required = Array.isArray(node.required) ? node.required : [];
      if (node.additionalProperties !== false) return false;
      if (!props.every((p) => required.includes(p))) return false;
    }
    if ('patternProperties' in node) return false;
    for (const [key, child] of Object.entries(node)) {
      if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples' || key === 'required')
        continue;
      if (key === 'properties' || key === '$defs' || key === 'definitions') {
        if (isObject(child) && !Object.values(child).every((c) => ok(c, depth + 1))) return false;
        continue;
      }
      if (!ok(child, depth + 1)) return false;
    }
    return true;
  };
  return ok(schema, 0);
}
