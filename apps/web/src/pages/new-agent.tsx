import { type FormEvent, type KeyboardEvent, type ReactNode, useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { api, useSession } from '../api.ts';
import { ErrorNotice, Loading, Page } from '../ui/components.tsx';
import { credits as formatCredits } from '../ui/format.ts';
import { DraftActions, ok } from './studio-actions.tsx';

/**
 * A new prompt agent, from a form or from its manifest: both build the same manifest, which the
 * platform validates live (`POST /v1/agents/validate`, the draft's own rules: no second validator
 * here), and "Save draft" sends it as `POST /v1/agents` does from the CLI.
 */

type FieldType = 'text' | 'textarea' | 'number' | 'select' | 'colour';
type Json = Record<string, unknown>;

interface InputFieldDraft {
  /** React's key: stable while the name is edited. */
  key: number;
  name: string;
  title: string;
  type: FieldType;
  required: boolean;
  /** Select choices, comma-separated. */
  options: string;
  /** What the form does not edit (description, maxLength, ...), kept from a loaded manifest. */
  extra: Json;
}

interface FormState {
  name: string;
  slug: string;
  /** The slug follows the name until it is edited by hand. */
  slugEdited: boolean;
  summary: string;
  description: string;
  category: string;
  version: string;
  fields: InputFieldDraft[];
  system: string;
  template: string;
  model: string;
  credits: string;
  example: Record<string, string>;
  test: { enabled: boolean; name: string; contains: string };
  /** The manifest last loaded from the editor: what the form does not own is kept from it. */
  base: Json;
}

interface Issue {
  path: string;
  message: string;
}

type Verdict = { state: 'idle' } | { state: 'checking' } | { state: 'done'; ok: boolean; issues: Issue[] };

const OUTPUT = { name: 'output.md', mediaType: 'text/markdown' };
let nextKey = 1;

const blankField = (n: number): InputFieldDraft => ({
  key: nextKey++,
  name: n === 1 ? 'text' : `field${n}`,
  title: n === 1 ? 'Text' : '',
  type: n === 1 ? 'textarea' : 'text',
  required: n === 1,
  options: '',
  extra: {},
});

const initialForm = (): FormState => ({
  name: '',
  slug: '',
  slugEdited: false,
  summary: '',
  description: '',
  category: '',
  version: '1.0.0',
  fields: [blankField(1)],
  system: '',
  template: '{{text}}',
  model: 'default',
  credits: '5',
  example: {},
  test: { enabled: false, name: 'answers', contains: '' },
  base: {},
});

/** A slug from a name: lowercase ASCII letters, digits and inner dashes, at most 48 characters. */
export function suggestSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}

const placeholders = (template: string) => [
  ...new Set([...template.matchAll(/\{\{\s*([^}\s]*)\s*\}\}/g)].map((m) => m[1] ?? '')),
];

const choices = (options: string) =>
  options
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);

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
function buildManifest(form: FormState): Json {
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

/** The form for a manifest from the editor, or why the form cannot show it. */
function formFromManifest(m: unknown, previous: FormState): FormState | string {
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
      key: nextKey++,
      name,
      title: typeof title === 'string' ? title : '',
      type: kind,
      required: required.includes(name),
      options: Array.isArray(options) ? options.join(', ') : '',
      extra,
    });
  }
  const examples = Array.isArray(j.examples) ? (j.examples as Json[]) : [];
  const tests = Array.isArray(j.tests) ? (j.tests as Json[]) : [];
  const example = (examples[0]?.input ?? tests[0]?.input ?? {}) as Json;
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

/** The manifest's categories, from the platform's own JSON Schema. */
function useCategories(): string[] | null {
  const [categories, setCategories] = useState<string[] | null>(null);
  useEffect(() => {
    let live = true;
    fetch('/schemas/agent-manifest.json')
      .then((r) => r.json())
      .then((s: { properties?: { category?: { enum?: string[] } } }) => {
        if (live) setCategories(s.properties?.category?.enum ?? []);
      })
      .catch(() => live && setCategories([]));
    return () => {
      live = false;
    };
  }, []);
  return categories;
}

/** Asks the platform about `payload` once it has stopped changing for a moment. */
function useLiveValidation(payload: { manifest: Json } | { text: string } | null): Verdict {
  const [verdict, setVerdict] = useState<Verdict>({ state: 'idle' });
  const key = payload === null ? null : JSON.stringify(payload);
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setVerdict({ state: 'checking' });
    const timer = setTimeout(async () => {
      try {
        const r = ok(
          await api.api.POST('/v1/agents/validate', {
            body: JSON.parse(key) as { manifest: Json } | { text: string },
            signal: controller.signal,
          }),
        );
        setVerdict({ state: 'done', ok: r.ok, issues: r.issues });
      } catch (error) {
        if (controller.signal.aborted) return;
        setVerdict({
          state: 'done',
          ok: false,
          issues: [{ path: '$', message: `could not be checked: ${(error as Error).message}` }],
        });
      }
    }, 350);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);
  return verdict;
}

export default function NewAgentPage() {
  const { me } = useSession();
  if (me === undefined) return <Loading />;
  if (!me || me.creator === null) {
    return (
      <Page title="New agent">
        <p>
          {me ? (
            <>
              <Link href="/studio">Become a creator</Link> first
            </>
          ) : (
            <>
              <Link href="/sign-in">Sign in</Link> and become a creator
            </>
          )}{' '}
          to publish agents.
        </p>
      </Page>
    );
  }
  return <NewAgent />;
}

type Tab = 'form' | 'editor';

function NewAgent() {
  const categories = useCategories();
  const [tab, setTab] = useState<Tab>('form');
  const [form, setForm] = useState<FormState>(initialForm);
  const [text, setText] = useState(() => JSON.stringify(buildManifest(initialForm()), null, 2));
  /** Which side was edited last: that one is the manifest. */
  const [source, setSource] = useState<Tab>('form');
  const [formProblem, setFormProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState<{ slug: string; version: string; exampleInput: Json } | null>(null);
  const [touched, setTouched] = useState(false);

  const manifest = useMemo(() => buildManifest(form), [form]);
  const payload = !touched ? null : source === 'form' ? { manifest } : { text };
  const verdict = useLiveValidation(payload);

  const edit = (change: (f: FormState) => FormState) => {
    setForm((f) => change(f));
    setSource('form');
    setTouched(true);
    setSaved(null);
  };

  const switchTo = (next: Tab) => {
    if (next === tab) return;
    if (next === 'editor' && source === 'form') setText(JSON.stringify(manifest, null, 2));
    if (next === 'form' && source === 'editor') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const loaded = parsed === undefined ? 'the manifest is not valid JSON' : formFromManifest(parsed, form);
      if (typeof loaded === 'string')
        setFormProblem(`The form shows the last manifest it could read: ${loaded}.`);
      else {
        setForm(loaded);
        setFormProblem(null);
        setSource('form');
      }
    }
    setTab(next);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setSaveError(null);
    setSaved(null);
    try {
      const body = source === 'form' ? manifest : (JSON.parse(text) as Json);
      const r = ok(await api.api.POST('/v1/agents', { body: { manifest: body } }));
      const examples = Array.isArray(body.examples) ? (body.examples as Json[]) : [];
      const tests = Array.isArray(body.tests) ? (body.tests as Json[]) : [];
      setSaved({
        slug: r.agent.slug,
        version: r.version.version,
        exampleInput: (examples[0]?.input ?? tests[0]?.input ?? {}) as Json,
      });
    } catch (error) {
      setSaveError(error);
    } finally {
      setSaving(false);
    }
  };

  const issues = verdict.state === 'done' ? verdict.issues : [];
  const at = (...prefixes: string[]) =>
    issues.filter((i) =>
      prefixes.some((p) => i.path === p || i.path.startsWith(`${p}.`) || i.path.startsWith(`${p}[`)),
    );

  return (
    <Page title="New agent" actions={<Link href="/studio">Back to the studio</Link>}>
      <form onSubmit={save} noValidate aria-describedby="validation-status">
        <div role="tablist" aria-label="How to write the agent" className="tabs">
          <TabButton id="form" current={tab} onSelect={switchTo}>
            Form
          </TabButton>
          <TabButton id="editor" current={tab} onSelect={switchTo}>
            Manifest
          </TabButton>
        </div>

        <div
          role="tabpanel"
          id="panel-form"
          aria-labelledby="tab-form"
          hidden={tab !== 'form'}
          className="tab-panel"
        >
          {formProblem ? <div className="notice notice-error">{formProblem}</div> : null}
          <AgentForm form={form} edit={edit} categories={categories} at={at} />
        </div>

        <div
          role="tabpanel"
          id="panel-editor"
          aria-labelledby="tab-editor"
          hidden={tab !== 'editor'}
          className="tab-panel"
        >
          <div className="field">
            <label htmlFor="manifest-text">Manifest (JSON)</label>
            <textarea
              id="manifest-text"
              className="manifest-editor"
              spellCheck={false}
              autoCapitalize="off"
              autoComplete="off"
              rows={28}
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setSource('editor');
                setTouched(true);
                setSaved(null);
              }}
              aria-invalid={verdict.state === 'done' && !verdict.ok}
              aria-describedby="validation-status"
            />
            <small className="muted">
              The format is described by <a href="/schemas/agent-manifest.json">its JSON Schema</a>.
            </small>
          </div>
        </div>

        <ValidationSummary verdict={verdict} touched={touched} showAll={tab === 'editor'} />

        <ErrorNotice error={saveError} />
        <div className="row">
          <button type="submit" disabled={saving}>
            {saving ? 'Saving…' : 'Save draft'}
          </button>
          <span className="muted small">A draft is yours only: run it, then publish it.</span>
        </div>
      </form>

      {saved ? (
        <section className="card studio-saved" aria-labelledby="saved-title">
          <h2 id="saved-title">
            Draft {saved.slug}@{saved.version} saved
          </h2>
          <DraftActions slug={saved.slug} version={saved.version} exampleInput={saved.exampleInput} />
          <p className="muted small">
            Or find it in <Link href="/studio">the studio</Link>.
          </p>
        </section>
      ) : null}
    </Page>
  );
}

function TabButton({
  id,
  current,
  onSelect,
  children,
}: {
  id: Tab;
  current: Tab;
  onSelect: (t: Tab) => void;
  children: ReactNode;
}) {
  const selected = id === current;
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const other: Tab = id === 'form' ? 'editor' : 'form';
    const target: Tab = e.key === 'Home' ? 'form' : e.key === 'End' ? 'editor' : other;
    onSelect(target);
    document.getElementById(`tab-${target}`)?.focus();
  };
  return (
    <button
      type="button"
      role="tab"
      id={`tab-${id}`}
      aria-selected={selected}
      aria-controls={`panel-${id}`}
      tabIndex={selected ? 0 : -1}
      className={`tab ${selected ? 'tab-selected' : ''}`}
      onClick={() => onSelect(id)}
      onKeyDown={onKeyDown}
    >
      {children}
    </button>
  );
}

function ValidationSummary({
  verdict,
  touched,
  showAll,
}: {
  verdict: Verdict;
  touched: boolean;
  showAll: boolean;
}) {
  return (
    <div id="validation-status" className="validation" aria-live="polite">
      {!touched ? (
        <p className="muted">The manifest is checked by the platform as you type.</p>
      ) : verdict.state === 'checking' || verdict.state === 'idle' ? (
        <p className="muted">Checking…</p>
      ) : verdict.ok ? (
        <p className="validation-ok">
          <span className="badge badge-ok">valid</span> The platform accepts this manifest.
        </p>
      ) : (
        <>
          <p className="validation-bad">
            <span className="badge badge-bad">
              {verdict.issues.length} {verdict.issues.length === 1 ? 'issue' : 'issues'}
            </span>{' '}
            {showAll
              ? 'The platform refuses this manifest:'
              : 'The platform refuses this manifest (details by each field).'}
          </p>
          <ul className="issues" aria-label="Manifest issues">
            {verdict.issues.map((i) => (
              <li key={`${i.path} ${i.message}`}>
                <code>{i.path}</code> {i.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** The issues whose paths belong to a control, under it. */
function Issues({ id, issues }: { id: string; issues: Issue[] }) {
  if (issues.length === 0) return null;
  return (
    <ul id={id} className="field-issues">
      {issues.map((i) => (
        <li key={`${i.path} ${i.message}`}>
          <code>{i.path}</code> {i.message}
        </li>
      ))}
    </ul>
  );
}

/** A labelled control with its hint and its issues, tied together for screen readers. */
function Control({
  id,
  label,
  hint,
  issues,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  issues: Issue[];
  children: (a11y: {
    id: string;
    'aria-invalid': boolean;
    'aria-describedby': string | undefined;
  }) => ReactNode;
}) {
  const described = [hint ? `${id}-hint` : null, issues.length > 0 ? `${id}-issues` : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div className={`field ${issues.length > 0 ? 'field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': issues.length > 0, 'aria-describedby': described || undefined })}
      {hint ? (
        <small id={`${id}-hint`} className="muted">
          {hint}
        </small>
      ) : null}
      <Issues id={`${id}-issues`} issues={issues} />
    </div>
  );
}

function AgentForm({
  form,
  edit,
  categories,
  at,
}: {
  form: FormState;
  edit: (change: (f: FormState) => FormState) => void;
  categories: string[] | null;
  at: (...prefixes: string[]) => Issue[];
}) {
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    edit((f) => ({ ...f, [key]: value }));
  const setField = (key: number, change: Partial<InputFieldDraft>) =>
    edit((f) => ({ ...f, fields: f.fields.map((x) => (x.key === key ? { ...x, ...change } : x)) }));
  const fieldNames = new Set(form.fields.map((f) => f.name));
  const used = placeholders(form.template);
  const price = Number(form.credits);
  const listed = new Set(form.fields.map((f) => `$.input.properties.${f.name}`));
  const otherInputIssues = at('$.input').filter((i) => ![...listed].some((p) => i.path.startsWith(p)));

  return (
    <div className="studio-form">
      <fieldset>
        <legend>The listing</legend>
        <Control id="agent-name" label="Name" issues={at('$.name')}>
          {(a) => (
            <input
              {...a}
              value={form.name}
              maxLength={80}
              onChange={(e) => {
                const name = e.target.value;
                edit((f) => ({ ...f, name, slug: f.slugEdited ? f.slug : suggestSlug(name) }));
              }}
            />
          )}
        </Control>
        <Control
          id="agent-slug"
          label="Slug"
          hint="Its address: /agents/your-slug. Suggested from the name."
          issues={at('$.slug')}
        >
          {(a) => (
            <input
              {...a}
              value={form.slug}
              maxLength={48}
              autoCapitalize="off"
              spellCheck={false}
              onChange={(e) => edit((f) => ({ ...f, slug: e.target.value, slugEdited: true }))}
            />
          )}
        </Control>
        <Control
          id="agent-summary"
          label="Summary"
          hint="One sentence, 10–200 characters."
          issues={at('$.summary')}
        >
          {(a) => (
            <input
              {...a}
              value={form.summary}
              maxLength={200}
              onChange={(e) => set('summary', e.target.value)}
            />
          )}
        </Control>
        <Control
          id="agent-description"
          label="Description"
          hint="Markdown, optional."
          issues={at('$.description')}
        >
          {(a) => (
            <textarea {...a} value={form.description} onChange={(e) => set('description', e.target.value)} />
          )}
        </Control>
        <div className="studio-pair">
          <Control id="agent-category" label="Category" issues={at('$.category')}>
            {(a) => (
              <select {...a} value={form.category} onChange={(e) => set('category', e.target.value)}>
                <option value="">Choose…</option>
                {(categories ?? []).map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            )}
          </Control>
          <Control
            id="agent-version"
            label="Version"
            hint="Semantic: 1.0.0, then higher."
            issues={at('$.version')}
          >
            {(a) => <input {...a} value={form.version} onChange={(e) => set('version', e.target.value)} />}
          </Control>
        </div>
      </fieldset>

      <fieldset>
        <legend>Input fields</legend>
        <p className="muted small">What a buyer fills in. The template uses them as {'{{name}}'}.</p>
        {form.fields.map((f, i) => {
          const prefix = `$.input.properties.${f.name}`;
          const id = `input-field-${f.key}`;
          return (
            <fieldset key={f.key} className="input-field-row">
              <legend>Input field {i + 1}</legend>
              <div className="studio-fields-grid">
                <Control
                  id={`${id}-name`}
                  label="Field name"
                  issues={at(prefix).filter((x) => x.path === prefix)}
                >
                  {(a) => (
                    <input
                      {...a}
                      value={f.name}
                      spellCheck={false}
                      autoCapitalize="off"
                      onChange={(e) => {
                        const name = e.target.value;
                        edit((s) => ({
                          ...s,
                          fields: s.fields.map((x) => (x.key === f.key ? { ...x, name } : x)),
                          example: Object.fromEntries(
                            Object.entries(s.example).map(([k, v]) => [k === f.name ? name : k, v]),
                          ),
                        }));
                      }}
                    />
                  )}
                </Control>
                <Control id={`${id}-title`} label="Title" issues={at(`${prefix}.title`)}>
                  {(a) => (
                    <input
                      {...a}
                      value={f.title}
                      onChange={(e) => setField(f.key, { title: e.target.value })}
                    />
                  )}
                </Control>
                <Control id={`${id}-type`} label="Type" issues={at(`${prefix}.type`, `${prefix}.editor`)}>
                  {(a) => (
                    <select
                      {...a}
                      value={f.type}
                      onChange={(e) => setField(f.key, { type: e.target.value as FieldType })}
                    >
                      <option value="text">Text (one line)</option>
                      <option value="textarea">Text (several lines)</option>
                      <option value="number">Number</option>
                      <option value="select">Choice from a list</option>
                      <option value="colour">Colour</option>
                    </select>
                  )}
                </Control>
                {f.type === 'select' ? (
                  <Control
                    id={`${id}-options`}
                    label="Choices"
                    hint="Separated by commas."
                    issues={at(`${prefix}.enum`, `${prefix}.enumTitles`)}
                  >
                    {(a) => (
                      <input
                        {...a}
                        value={f.options}
                        onChange={(e) => setField(f.key, { options: e.target.value })}
                      />
                    )}
                  </Control>
                ) : null}
              </div>
              <div className="row">
                <label className="checkbox">
                  <input
                    type="checkbox"
                    checked={f.required}
                    onChange={(e) => setField(f.key, { required: e.target.checked })}
                  />{' '}
                  Required
                </label>
                <button
                  type="button"
                  className="secondary button-small"
                  aria-label={`Remove input field ${i + 1}${f.name ? ` (${f.name})` : ''}`}
                  onClick={() => edit((s) => ({ ...s, fields: s.fields.filter((x) => x.key !== f.key) }))}
                >
                  Remove
                </button>
              </div>
              <Issues
                id={`${id}-more`}
                issues={at(prefix).filter(
                  (x) =>
                    x.path !== prefix &&
                    !['.title', '.type', '.editor', '.enum', '.enumTitles'].some((s) =>
                      x.path.startsWith(`${prefix}${s}`),
                    ),
                )}
              />
            </fieldset>
          );
        })}
        <Issues id="input-issues" issues={otherInputIssues} />
        <button
          type="button"
          className="secondary button-small"
          onClick={() => edit((s) => ({ ...s, fields: [...s.fields, blankField(s.fields.length + 1)] }))}
        >
          Add a field
        </button>
      </fieldset>

      <fieldset>
        <legend>The prompt</legend>
        <Control
          id="agent-system"
          label="System prompt"
          hint="How the model should behave."
          issues={at('$.runtime.system')}
        >
          {(a) => <textarea {...a} value={form.system} onChange={(e) => set('system', e.target.value)} />}
        </Control>
        <Control
          id="agent-template"
          label="Template"
          hint={
            used.length === 0 ? (
              'The message sent for each run; {{field}} is replaced by that field.'
            ) : (
              <span>
                Uses:{' '}
                {used.map((u, i) => (
                  <span key={u}>
                    {i > 0 ? ', ' : ''}
                    <code>{`{{${u}}}`}</code>
                    {fieldNames.has(u) ? '' : ' (no such field)'}
                  </span>
                ))}
              </span>
            )
          }
          issues={at('$.runtime.template')}
        >
          {(a) => <textarea {...a} value={form.template} onChange={(e) => set('template', e.target.value)} />}
        </Control>
        <div className="studio-pair">
          <Control
            id="agent-model"
            label="Model"
            hint={'"default" (the platform’s) or provider/model.'}
            issues={at('$.runtime.model', '$.runtime.kind', '$.runtime').filter(
              (i) => !i.path.startsWith('$.runtime.system') && !i.path.startsWith('$.runtime.template'),
            )}
          >
            {(a) => (
              <input
                {...a}
                value={form.model}
                spellCheck={false}
                autoCapitalize="off"
                onChange={(e) => set('model', e.target.value)}
              />
            )}
          </Control>
          <Control
            id="agent-price"
            label="Price per run (credits)"
            hint={Number.isInteger(price) && price > 0 ? formatCredits(price) : '1 credit = US$0.01.'}
            issues={at('$.pricing')}
          >
            {(a) => (
              <input
                {...a}
                type="number"
                inputMode="numeric"
                min={1}
                step={1}
                value={form.credits}
                onChange={(e) => set('credits', e.target.value)}
              />
            )}
          </Control>
        </div>
      </fieldset>

      <fieldset>
        <legend>Example input</legend>
        <p className="muted small">Shown to buyers, and what "Run this draft" and the test case use.</p>
        {form.fields.map((f) => {
          const id = `example-${f.key}`;
          const value = form.example[f.name] ?? '';
          const change = (v: string) => edit((s) => ({ ...s, example: { ...s.example, [f.name]: v } }));
          const issues = at(`$.examples[0].input.${f.name}`, `$.tests[0].input.${f.name}`);
          const label = `Example: ${f.title || f.name || 'unnamed field'}`;
          return (
            <Control key={f.key} id={id} label={label} issues={issues}>
              {(a) =>
                f.type === 'textarea' ? (
                  <textarea {...a} value={value} onChange={(e) => change(e.target.value)} />
                ) : f.type === 'select' ? (
                  <select {...a} value={value} onChange={(e) => change(e.target.value)}>
                    <option value="">—</option>
                    {choices(f.options).map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : f.type === 'colour' ? (
                  <input
                    {...a}
                    type="color"
                    value={value || '#000000'}
                    onChange={(e) => change(e.target.value)}
                  />
                ) : (
                  <input
                    {...a}
                    type={f.type === 'number' ? 'number' : 'text'}
                    value={value}
                    onChange={(e) => change(e.target.value)}
                  />
                )
              }
            </Control>
          );
        })}
        <Issues
          id="example-issues"
          issues={at('$.examples', '$.tests[0].input').filter(
            (i) => !form.fields.some((f) => i.path.endsWith(`.input.${f.name}`)),
          )}
        />
      </fieldset>

      <fieldset>
        <legend>Test case</legend>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.test.enabled}
            onChange={(e) => edit((s) => ({ ...s, test: { ...s.test, enabled: e.target.checked } }))}
          />{' '}
          Add a test case: the example input must succeed before a version is published
        </label>
        {form.test.enabled ? (
          <div className="studio-pair">
            <Control id="test-name" label="Test name" issues={at('$.tests[0].name')}>
              {(a) => (
                <input
                  {...a}
                  value={form.test.name}
                  onChange={(e) => edit((s) => ({ ...s, test: { ...s.test, name: e.target.value } }))}
                />
              )}
            </Control>
            <Control
              id="test-contains"
              label="The answer contains (optional)"
              issues={at('$.tests[0].checks')}
            >
              {(a) => (
                <input
                  {...a}
                  value={form.test.contains}
                  onChange={(e) => edit((s) => ({ ...s, test: { ...s.test, contains: e.target.value } }))}
                />
              )}
            </Control>
          </div>
        ) : null}
        <Issues
          id="test-issues"
          issues={at('$.tests').filter(
            (i) =>
              !i.path.startsWith('$.tests[0].input') &&
              !i.path.startsWith('$.tests[0].name') &&
              !i.path.startsWith('$.tests[0].checks'),
          )}
        />
      </fieldset>

      <Issues
        id="other-issues"
        issues={at('$').filter(
          (i) =>
            !/^\$\.(name|slug|summary|description|category|version|input|runtime|pricing|examples|tests)\b/.test(
              i.path,
            ),
        )}
      />
    </div>
  );
}
