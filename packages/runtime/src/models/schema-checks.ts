import { compiles, isObject, KNOWN_TYPES, MAX_DEPTH, resolveRef } from './json-schema.ts';

/**
 * Checks of a schema itself, before any answer is validated against it: whether it can be used at all
 * (`schemaProblem`: types, references, patterns, and whether checking a value could loop or explode),
 * and whether OpenAI's strict structured outputs accept it as it is (`isStrictCompatible`).
 */

/** How many subschemas one value may meet through `$ref` and combinators alone (see `schemaProblem`). */
const MAX_SAME_VALUE_CHECKS = 10_000;

/** The subschemas checked against the same value as `node`: its `$ref` target and its combinators. */
function sameValueChildren(root: unknown, node: unknown): unknown[] {
  if (!isObject(node)) return [];
  const out: unknown[] = [];
  if (typeof node.$ref === 'string') {
    const target = resolveRef(root, node.$ref);
    if (target !== undefined) out.push(target);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = node[key];
    if (Array.isArray(list)) out.push(...list);
  }
  for (const key of ['not', 'if', 'then', 'else']) if (node[key] !== undefined) out.push(node[key]);
  return out;
}

/**
 * Whether checking a value could loop or explode without descending into the value: a `$ref` that
 * leads back to itself through `$ref`s and combinators only (`{anyOf: [{$ref: '#'}, {$ref: '#'}]}`),
 * or a node whose `$ref`s and combinators alone fan out to more than `MAX_SAME_VALUE_CHECKS`
 * subschemas. Recursion that descends into the value (`items: {$ref: '#'}`) is allowed: the value's
 * depth bounds it, and `validateJson`'s budget bounds the rest.
 */
function recursionProblem(root: unknown, paths: Map<unknown, string>): string | null {
  const state = new Map<unknown, 'open' | number>();
  let problem: string | null = null;
  const count = (node: unknown, depth: number): number => {
    if (problem !== null) return 0;
    if (depth > MAX_DEPTH) {
      // The validator stops there too: no value could pass.
      problem = `${paths.get(node) ?? '$'}: the schema's $ref and combinators are nested too deeply`;
      return 0;
    }
    const known = state.get(node);
    if (typeof known === 'number') return known;
    if (known === 'open') {
      problem = `${paths.get(node) ?? '$'}: the schema refers back to itself through $ref and anyOf/allOf/oneOf/not/if/then/else without descending into the value, so checking an answer would never end`;
      return 0;
    }
    if (!isObject(node)) return 1;
    state.set(node, 'open');
    let total = 1;
    for (const child of sameValueChildren(root, node)) {
      total += count(child, depth + 1);
      if (problem !== null) return 0;
      if (total > MAX_SAME_VALUE_CHECKS) {
        problem = `${paths.get(node) ?? '$'}: the schema is too complex to check (its $ref and anyOf/allOf/oneOf/not/if/then/else make one value meet more than ${MAX_SAME_VALUE_CHECKS} subschemas)`;
        return 0;
      }
    }
    state.set(node, total);
    return total;
  };
  for (const node of paths.keys()) {
    count(node, 0);
    if (problem !== null) return problem;
  }
  return null;
}

/**
 * Why a schema cannot be used to check answers (an unknown type, a `$ref` that leads nowhere or out
 * of the document, a pattern RE2 cannot run, a `$ref` that loops back through combinators without
 * descending into the value, combinators that fan out too far), or null.
 */
export function schemaProblem(schema: Record<string, unknown>): string | null {
  const seen = new Set<unknown>();
  /** Every schema node, with the path it was first met at. */
  const paths = new Map<unknown, string>();
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
    paths.set(node, path);
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
  return walk(schema, '$', 0) ?? recursionProblem(schema, paths);
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
