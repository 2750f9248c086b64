import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { toCanonicalJson } from '../shared/canonical-json.ts';
import { err, ok, type Result } from '../shared/result.ts';
import type { InputSchema } from './input-schema.ts';
import { arrayToPath, type Issue, validateInput } from './input-validator.ts';
import { type Manifest, manifestSchema } from './manifest-schema.ts';
import { maxCreditsPerRun } from './pricing.ts';
import { isSafeRegExp } from './safe-regexp.ts';

/**
 * Reads a manifest and reports every problem at once, each with its JSON path. Structure comes first
 * (types, required fields, unknown keys, all reported together); when the structure holds, the rules
 * that relate parts to each other are checked, again all together: defaults, examples and test inputs
 * against the input schema, template placeholders, test checks naming declared outputs, and so on.
 */
export function parseManifest(value: unknown): Result<Manifest, Issue[]> {
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    return err(parsed.error.issues.map((i) => ({ path: arrayToPath(i.path), message: describe(i) })));
  }
  const manifest = withEditorDefaults(parsed.data);
  const issues = crossCheck(manifest);
  return issues.length > 0 ? err(issues) : ok(manifest);
}

/** A manifest file's text, JSON or YAML (chosen by the name, else by the first character). */
export function parseManifestText(text: string, fileName = 'jeton.agent.json'): Result<Manifest, Issue[]> {
  const yaml = /\.ya?ml$/i.test(fileName) || !/^\s*[{[]/.test(text);
  if (!yaml) {
    try {
      return parseManifest(JSON.parse(text));
    } catch (e) {
      return err([{ path: '$', message: `not valid JSON: ${(e as Error).message}` }]);
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return err(
      doc.errors.map((e) => ({ path: '$', message: `not valid YAML: ${e.message.split('\n')[0]}` })),
    );
  }
  let value: unknown;
  try {
    // Each alias may be expanded at most this many times: an "alias bomb" is refused, not expanded.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return err([{ path: '$', message: `not valid YAML: ${(e as Error).message.split('\n')[0]}` }]);
  }
  return parseManifest(value);
}

/** The manifest's JSON Schema (2020-12), served at /schemas/agent-manifest.json for editors. */
export function manifestJsonSchema(): Record<string, unknown> {
  return {
    $id: '/schemas/agent-manifest.json',
    title: 'Jeton agent manifest',
    ...z.toJSONSchema(manifestSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }),
  };
}

/** Whether the agent cannot run at all without a model provider. */
export function needsModel(manifest: Manifest): boolean {
  return manifest.runtime.kind === 'prompt' || manifest.pricing.model === 'per_token';
}

/**
 * What the agent does, as a hash: the prompt (system and template), the built-in entry, or the code
 * bundle's bytes. Two listings with the same fingerprint are the same agent
 * whatever their names and prices, which is how the clone guard recognises a copy.
 */
export function runtimeFingerprint(manifest: Manifest, bundle?: string): string {
  // Only what does the work counts: the prompt (whitespace and case aside; settings such as the model
  // or the temperature are a knob, not a different agent), the built-in entry, the code bundle.
  const r = manifest.runtime;
  const essence =
    r.kind === 'prompt'
      ? { kind: r.kind, system: normaliseText(r.system), template: normaliseText(r.template) }
      : r.kind === 'builtin'
        ? { kind: r.kind, entry: r.entry }
        : { kind: r.kind };
  const hash = createHash('sha256').update(toCanonicalJson(essence));
  if (manifest.runtime.kind === 'code') hash.update('\0').update(bundle ?? '');
  return hash.digest('hex');
}

const normaliseText = (text: string) => text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_value' && issue.path.at(-1) === 'manifestVersion') {
    return `unsupported manifestVersion; this Jeton reads manifestVersion 1`;
  }
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return 'is required';
  return issue.message;
}

/** A colour field is a `#rrggbb` string unless the creator says otherwise. */
function withEditorDefaults(m: Manifest): Manifest {
  const properties = Object.fromEntries(
    Object.entries(m.input.properties).map(([name, field]) => [
      name,
      field.type === 'string' && field.editor === 'colour' && field.pattern === undefined
        ? { ...field, pattern: '^#[0-9a-fA-F]{6}$' }
        : field,
    ]),
  );
  return { ...m, input: { ...m.input, properties } };
}

function crossCheck(m: Manifest): Issue[] {
  const issues: Issue[] = [];
  const at = (path: string, message: string): void => {
    issues.push({ path, message });
  };
  const fields = m.input.properties;

  m.input.required.forEach((name, i) => {
    if (!(name in fields)) at(`$.input.required[${i}]`, `"${name}" is not a field of input.properties`);
  });
  for (const [name, field] of Object.entries(fields)) {
    const path = `$.input.properties.${name}`;
    if (field.type === 'string') {
      if (field.editor === 'select' && !field.enum)
        at(`${path}.enum`, 'a select field needs its choices in enum');
      if (field.enumTitles && field.enumTitles.length !== field.enum?.length) {
        at(`${path}.enumTitles`, 'needs exactly one title per enum value');
      }
      if (
        field.minLength !== undefined &&
        field.maxLength !== undefined &&
        field.minLength > field.maxLength
      ) {
        at(`${path}.minLength`, 'is greater than maxLength');
      }
      if (field.pattern !== undefined && !isSafeRegExp(field.pattern))
        at(`${path}.pattern`, 'is not a valid regular expression (RE2: no lookaround, no backreferences)');
    }
    if (field.type === 'number' || field.type === 'integer') {
      if (field.minimum !== undefined && field.maximum !== undefined && field.minimum > field.maximum) {
        at(`${path}.minimum`, 'is greater than maximum');
      }
    }
    if (field.type === 'array' && field.minItems !== undefined && field.minItems > field.maxCount) {
      at(`${path}.minItems`, 'is greater than maxCount');
    }
  }
  // Only a sound schema can judge values; its own problems are reported above.
  if (issues.length > 0) return issues;

  for (const [name, field] of Object.entries(fields)) {
    const single: InputSchema = { ...m.input, properties: { [name]: field }, required: [] };
    if ('default' in field && field.default !== undefined) {
      for (const issue of validateInput(single, { [name]: field.default })) {
        at(`$.input.properties.${name}.default`, issue.message);
      }
    }
    (field.examples ?? []).forEach((example, i) => {
      for (const issue of validateInput(single, { [name]: example })) {
        at(`$.input.properties.${name}.examples[${i}]`, issue.message);
      }
    });
  }
  m.examples.forEach((example, i) => {
    for (const issue of validateInput(m.input, example.input)) {
      at(`$.examples[${i}].input${issue.path.slice(1)}`, issue.message);
    }
  });
  const outputs = new Set(m.outputs.map((o) => o.name));
  m.tests.forEach((test, i) => {
    for (const issue of validateInput(m.input, test.input)) {
      at(`$.tests[${i}].input${issue.path.slice(1)}`, issue.message);
    }
    test.checks.forEach((check, j) => {
      const artifact =
        check.kind === 'artifact' ? check.name : 'artifact' in check ? check.artifact : undefined;
      if (artifact !== undefined && !outputs.has(artifact)) {
        at(`$.tests[${i}].checks[${j}]`, `"${artifact}" is not one of the declared outputs`);
      }
      if (check.kind === 'matches' && !isSafeRegExp(check.pattern)) {
        at(
          `$.tests[${i}].checks[${j}].pattern`,
          'is not a valid regular expression (RE2: no lookaround, no backreferences)',
        );
      }
    });
  });
  for (const i of duplicates(m.tags)) at(`$.tags[${i}]`, 'is listed twice');
  for (const i of duplicates(m.outputs.map((o) => o.name))) at(`$.outputs[${i}].name`, 'is declared twice');
  for (const i of duplicates(m.secrets.map((s) => s.name))) at(`$.secrets[${i}].name`, 'is declared twice');
  for (const i of duplicates(m.tests.map((t) => t.name))) at(`$.tests[${i}].name`, 'is used by another test');
  for (const i of duplicates(m.changelog.map((c) => c.version)))
    at(`$.changelog[${i}].version`, 'is listed twice');

  if (m.pricing.model === 'per_event') {
    for (const i of duplicates(m.pricing.events.map((e) => e.name)))
      at(`$.pricing.events[${i}].name`, 'is declared twice');
    const cheapest = Math.min(...m.pricing.events.map((e) => e.credits));
    if (m.pricing.maxCreditsPerRun < cheapest) {
      at(
        '$.pricing.maxCreditsPerRun',
        `is below the cheapest event (${cheapest}): nothing could ever be charged`,
      );
    }
  }
  if (m.runtime.kind === 'prompt') {
    for (const match of m.runtime.template.matchAll(/\{\{\s*([^}\s]*)\s*\}\}/g)) {
      const name = match[1] ?? '';
      if (!(name in fields)) at('$.runtime.template', `{{${name}}} is not a field of input.properties`);
    }
  }
  if (maxCreditsPerRun(m.pricing) <= 0) at('$.pricing', 'must allow a positive charge');
  return issues;
}

function duplicates(values: readonly string[]): number[] {
  const seen = new Set<string>();
  const repeated: number[] = [];
  values.forEach((v, i) => {
    if (seen.has(v)) repeated.push(i);
    seen.add(v);
  });
  return repeated;
}
