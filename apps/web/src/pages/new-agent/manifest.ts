import {
  choices,
  type FieldType,
  type FormState,
  type InputFieldDraft,
  type Json,
  newFieldKey,
} from './form-state.ts';

/**
 * The manifest from the form's state, and the form's state from a manifest: pure functions, so that
 * both tabs of the new-agent page describe the same manifest.
 */

const OUTPUT = { name: 'output.md', mediaType: 'text/markdown' };

function fieldSchema(f: InputFieldDraft): Json {
  const common = { ...f.extra, title: f.title };
  switch (f.type) {
    case 'number':
      return { ...common, type: 'number' };
    case 'select':
      return { ...common, type: 'string', editor: 'select', enum: choices(f.options) };
    default:
      return { ...common, type: 'string', editor: f.type };
  }
}

function exampleValues(form: FormState): Json {
  const values: Json = {};
  for (const f of form.fields) {
    const v = form.example[f.name];
    if (v === undefined || v === '') continue;
    values[f.name] = f.type === 'number' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return values;
}

/** The manifest the form describes, over what a loaded manifest had that the form does not edit. */
export function buildManifest(form: FormState): Json {
  const b = form.base;
  const price = Number(form.credits);
  const input = exampleValues(form);
  const baseExamples = Array.isArray(b.examples) ? (b.examples as unknown[]).slice(1) : [];
  const baseTests = Array.isArray(b.tests) ? (b.tests as unknown[]).slice(1) : [];
  const baseOutputs = Array.isArray(b.outputs) && b.outputs.length > 0 ? (b.outputs as Json[]) : [OUTPUT];
  const artifact = String(baseOutputs[0]?.name ?? OUTPUT.name);
  return {
    ...b,
    manifestVersion: 1,
    slug: form.slug,
    name: form.name,
    summary: form.summary,
    description: form.description,
    category: form.category,
    version: form.version,
    input: {
      type: 'object',
      required: form.fields.filter((f) => f.required).map((f) => f.name),
      properties: Object.fromEntries(form.fields.map((f) => [f.name, fieldSchema(f)])),
    },
    outputs: baseOutputs,
    pricing: {
      model: 'per_run',
      credits: form.credits.trim() !== '' && Number.isFinite(price) ? price : form.credits,
    },
    runtime: {
      ...(typeof b.runtime === 'object' && b.runtime !== null ? (b.runtime as Json) : {}),
      kind: 'prompt',
      model: form.model,
      system: form.system,
      template: form.template,
    },
    examples: Object.keys(input).length > 0 ? [{ title: 'Example', input }, ...baseExamples] : baseExamples,
    tests: form.test.enabled
      ? [
          {
            name: form.test.name,
            input,
            checks: [
              { kind: 'succeeds' },
              ...(form.test.contains.trim()
                ? [{ kind: 'contains', artifact, text: form.test.contains.trim() }]
                : []),
            ],
          },
          ...baseTests,
        ]
      : baseTests,
  };
}

/** A manifest's example input: its first example's, else its first test's, else none. */
export function exampleInputOf(manifest: Json): Json {
  const examples = Array.isArray(manifest.examples) ? (manifest.examples as Json[]) : [];
  const tests = Array.isArray(manifest.tests) ? (manifest.tests as Json[]) : [];
  return (examples[0]?.input ?? tests[0]?.input ?? {}) as Json;
}

/** The form for a manifest from the editor, or why the form cannot show it. */
export function formFromManifest(m: unknown, previous: FormState): FormState | string {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return 'the manifest is not a JSON object';
  const j = m as Json;
  const runtime = (j.runtime ?? {}) as Json;
  if (runtime.kind !== undefined && runtime.kind !== 'prompt') return 'the form edits prompt agents only';
  const pricing = (j.pricing ?? {}) as Json;
  if (pricing.model !== undefined && pricing.model !== 'per_run') return 'the form edits per-run prices only';
  const input = (j.input ?? {}) as Json;
  const properties = (input.properties ?? {}) as Record<string, Json>;
  const required = Array.isArray(input.required) ? (input.required as string[]) : [];
  const fields: InputFieldDraft[] = [];
  for (const [name, p] of Object.entries(properties)) {
    const { type, editor, title, enum: options, ...extra } = p ?? {};
    let kind: FieldType;
    if (type === 'number' || type === 'integer') kind = 'number';
    else if (type === 'string' && (editor === undefined || editor === 'text')) kind = 'text';
    else if (type === 'string' && (editor === 'textarea' || editor === 'select' || editor === 'colour'))
      kind = editor;
    else return `the form cannot edit the field "${name}" (${String(editor ?? type)})`;
    fields.push({
      key: newFieldKey(),
      name,
      title: typeof title === 'string' ? title : '',
      type: kind,
      required: required.includes(name),
      options: Array.isArray(options) ? options.join(', ') : '',
      extra,
    });
  }
  const tests = Array.isArray(j.tests) ? (j.tests as Json[]) : [];
  const example = exampleInputOf(j);
  const test = tests[0];
  const contains = (Array.isArray(test?.checks) ? (test.checks as Json[]) : []).find(
    (c) => c.kind === 'contains',
  );
  const text = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback);
  return {
    name: text(j.name),
    slug: text(j.slug),
    slugEdited: true,
    summary: text(j.summary),
    description: text(j.description),
    category: text(j.category),
    version: text(j.version, '1.0.0'),
    fields,
    system: text(runtime.system),
    template: text(runtime.template),
    model: text(runtime.model, 'default'),
    credits: pricing.credits === undefined ? '' : String(pricing.credits),
    example: Object.fromEntries(Object.entries(example).map(([k, v]) => [k, String(v)])),
    test: test
      ? { enabled: true, name: text(test.name, 'answers'), contains: text(contains?.text) }
      : { ...previous.test, enabled: false },
    base: j,
  };
}

/** The manifest in the editor's text, as the form, or why the form cannot show it. */
export function formFromManifestText(text: string, previous: FormState): FormState | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'the manifest is not valid JSON';
  }
  return formFromManifest(parsed, previous);
}
