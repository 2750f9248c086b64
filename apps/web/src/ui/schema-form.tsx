import { type Issue, JetonError } from '@jeton/sdk';
import { type JSX, useState } from 'react';
import { api, describeError } from '../api.ts';
import { Field } from './components.tsx';
import { bytes } from './format.ts';

/**
 * A form drawn from an agent's input schema (the form-friendly subset of JSON Schema in
 * packages/core/src/catalog/input-schema.ts, with its UI hints). Used by the agent page to start a
 * run, and by the run page to answer an agent's question.
 */
export type InputSchema = { type: 'object'; properties: Record<string, FieldSchema>; required?: string[] };
export type FieldSchema = Record<string, unknown>; // the field subset of input-schema.ts

/** Per-field messages, by field name (`''` for problems with the input as a whole). */
export type FieldErrors = Record<string, string[]>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] =>
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

const isRequired = (schema: InputSchema, name: string) => (schema.required ?? []).includes(name);

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

/**
 * The field a JSON path points at (`$.mood`, `$.files[0]`, `$["odd name"]`), or null. `base` is where
 * the input sits in the request: `$` when the paths are the input's own (an `input-invalid` problem),
 * `$.input` when they are the request body's (a malformed `POST /v1/runs` body).
 */
export function fieldOfPath(path: string, fields: readonly string[], base = '$'): string | null {
  if (!path.startsWith(base)) return null;
  const rest = path.slice(base.length);
  const m = /^\.([A-Za-z_][A-Za-z0-9_]*)|^\["((?:[^"\\]|\\.)*)"\]/.exec(rest);
  const name = m ? (m[1] ?? m[2]) : undefined;
  return name !== undefined && fields.includes(name) ? name : null;
}

/**
 * A 422's issues by field, for showing next to the controls. Issues that name no field of the form
 * (the max-credits cap, the input as a whole) are under `''`, for showing above the form. `base`: see
 * `fieldOfPath`.
 */
export function issuesByField(
  issues: readonly Issue[] | undefined,
  schema: InputSchema,
  base = '$',
): FieldErrors {
  const fields = Object.keys(schema.properties ?? {});
  const out: FieldErrors = {};
  for (const issue of issues ?? []) {
    const field = fieldOfPath(issue.path, fields, base) ?? '';
    const message = field === '' ? `${issue.path}: ${issue.message}` : issue.message;
    out[field] = [...(out[field] ?? []), message];
  }
  return out;
}

/** The issues of an API error by field, knowing which problems name paths in the input itself. */
export function errorsByField(error: unknown, schema: InputSchema): FieldErrors {
  if (!(error instanceof JetonError) || error.issues.length === 0) return {};
  const base = error.type.endsWith('/input-invalid') ? '$' : '$.input';
  return issuesByField(error.issues, schema, base);
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

export function SchemaForm(props: {
  schema: InputSchema;
  value: Record<string, unknown>;
  onChange(value: Record<string, unknown>): void;
  idPrefix: string; // unique per form on the page: control ids are `${idPrefix}-${field}`
  files?: { agent: string }; // enables file fields: uploads through api.files.upload (?agent=&field=)
  disabled?: boolean;
  /** Messages to show next to fields (from `validate` or `issuesByField`). */
  errors?: FieldErrors;
}): JSX.Element {
  const { schema, value, onChange, idPrefix, disabled = false, errors = {} } = props;
  const set = (name: string, v: unknown) => {
    const next = { ...value };
    if (v === undefined) delete next[name];
    else next[name] = v;
    onChange(next);
  };
  return (
    <div className="schema-form">
      {Object.entries(schema.properties ?? {}).map(([name, field]) => (
        <SchemaField
          key={name}
          name={name}
          field={field}
          id={`${idPrefix}-${name}`}
          required={isRequired(schema, name)}
          value={value[name]}
          onChange={(v) => set(name, v)}
          disabled={disabled}
          errors={errors[name] ?? []}
          files={props.files}
        />
      ))}
    </div>
  );
}

function SchemaField(props: {
  name: string;
  field: FieldSchema;
  id: string;
  required: boolean;
  value: unknown;
  onChange(v: unknown): void;
  disabled: boolean;
  errors: string[];
  files: { agent: string } | undefined;
}) {
  const { name, field, id, required, value, onChange, disabled, errors } = props;
  const title = str(field.title) ?? name;
  const description = str(field.description);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const extraHint = field.type === 'array' ? fileLimits(field) : undefined;
  const hint = [description, extraHint].filter(Boolean).join(' ') || undefined;
  const describedBy =
    [hint ? hintId : '', errors.length ? errorId : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    disabled,
    required,
    'aria-required': required || undefined,
    'aria-invalid': errors.length > 0 || undefined,
    'aria-describedby': describedBy,
  } as const;

  let control: JSX.Element;
  if (field.type === 'boolean') {
    return (
      <div className={`field field-check${errors.length ? ' field-invalid' : ''}`}>
        <input
          {...common}
          required={undefined}
          type="checkbox"
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
        />
        <label htmlFor={id}>
          {title}
          {required ? <RequiredMark /> : null}
        </label>
        {hint ? (
          <small id={hintId} className="muted">
            {hint}
          </small>
        ) : null}
        <FieldError id={errorId} errors={errors} />
      </div>
    );
  }
  if (field.type === 'number' || field.type === 'integer') {
    control = (
      <input
        {...common}
        type="number"
        inputMode={field.type === 'integer' ? 'numeric' : 'decimal'}
        min={num(field.minimum)}
        max={num(field.maximum)}
        step={field.type === 'integer' ? 1 : 'any'}
        value={typeof value === 'number' && !Number.isNaN(value) ? value : ''}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.valueAsNumber)}
      />
    );
  } else if (field.type === 'array') {
    control = (
      <FileInput
        common={common}
        name={name}
        field={field}
        value={strings(value)}
        onChange={onChange}
        agent={props.files?.agent}
      />
    );
  } else if (field.editor === 'select' || Array.isArray(field.enum)) {
    const options = strings(field.enum);
    const titles = strings(field.enumTitles);
    control = (
      <select
        {...common}
        value={typeof value === 'string' ? value : ''}
        onChange={(e) => onChange(e.target.value)}
      >
        {/* An empty choice leaves the field out; a field with a default needs none. */}
        {(!required && field.default === undefined) || typeof value !== 'string' || value === '' ? (
          <option value="">Choose…</option>
        ) : null}
        {options.map((o, i) => (
          <option key={o} value={o}>
            {titles[i] ?? o}
          </option>
        ))}
      </select>
    );
  } else if (field.editor === 'colour') {
    const hex = typeof value === 'string' ? value : '';
    const trimmed = hex.trim();
    const short = /^#([0-9a-fA-F])([0-9a-fA-F])([0-9a-fA-F])$/.exec(trimmed);
    const picker = short ? `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}` : trimmed;
    const valid = /^#[0-9a-fA-F]{6}$/.test(picker);
    control = (
      <div className="colour-input">
        <input
          type="color"
          aria-label={`${title}, colour picker`}
          disabled={disabled}
          value={valid ? picker.toLowerCase() : '#000000'}
          onChange={(e) => onChange(e.target.value)}
        />
        <input
          {...common}
          type="text"
          spellCheck={false}
          autoComplete="off"
          maxLength={num(field.maxLength) ?? 7}
          placeholder="#rrggbb"
          value={hex}
          onChange={(e) => onChange(e.target.value)}
        />
      </div>
    );
  } else if (field.editor === 'textarea') {
    control = (
      <textarea
        {...common}
        rows={5}
        minLength={num(field.minLength)}
        maxLength={num(field.maxLength)}
        value={typeof value === 'string' ? value : ''}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  } else {
    control = (
      <input
        {...common}
        type="text"
        minLength={num(field.minLength)}
        maxLength={num(field.maxLength)}
        value={typeof value === 'string' ? value : ''}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className={errors.length ? 'field-wrap field-invalid' : 'field-wrap'}>
      <Field id={id} label={required ? `${title} *` : title} hint={hint}>
        {control}
      </Field>
      <FieldError id={errorId} errors={errors} />
    </div>
  );
}

function RequiredMark() {
  return (
    <span className="required" aria-hidden="true">
      {' *'}
    </span>
  );
}

function FieldError({ id, errors }: { id: string; errors: string[] }) {
  if (errors.length === 0) return null;
  return (
    <p id={id} className="field-error" role="alert">
      {errors.join('; ')}
    </p>
  );
}

function fileLimits(field: FieldSchema): string {
  const accept = strings(field.accept).join(', ');
  const maxBytes = num(field.maxBytes);
  const maxCount = num(field.maxCount) ?? 1;
  return [
    accept ? `Accepts ${accept}.` : '',
    maxBytes !== undefined ? `At most ${bytes(maxBytes)} per file` : '',
    maxCount > 1 ? `, up to ${maxCount} files.` : maxBytes !== undefined ? '.' : '',
  ]
    .join(' ')
    .replace(' ,', ',')
    .trim();
}

interface Upload {
  key: number;
  name: string;
  size: number;
  state: 'uploading' | 'done' | 'failed';
  id?: string;
  error?: string;
}

let uploadKey = 0;

/** A file name the API takes: no slashes or control characters, 1 to 200 characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
const safeName = (n: string) => n.replace(/[\u0000-\u001f\u007f/\\]/g, '_').slice(0, 200) || 'file';

function FileInput(props: {
  common: {
    id: string;
    disabled: boolean;
    required: boolean;
    'aria-describedby': string | undefined;
    'aria-invalid': true | undefined;
  };
  name: string;
  field: FieldSchema;
  value: string[];
  onChange(v: unknown): void;
  agent: string | undefined;
}) {
  const { common, name, field, value, onChange, agent } = props;
  const [uploads, setUploads] = useState<Upload[]>([]);
  const maxCount = num(field.maxCount) ?? 1;
  const maxBytes = num(field.maxBytes);
  const accept = strings(field.accept).join(',');
  // The ids kept in the value, in the order they were uploaded; a parent may also set ids (an example).
  const known = new Map(uploads.filter((u) => u.id).map((u) => [u.id!, u]));
  const update = (key: number, patch: Partial<Upload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...patch } : u)));

  // The value seen by the latest upload to finish: uploads resolve one by one, each adding its id.
  let current = value;
  const pick = async (list: FileList | null) => {
    if (!list || !agent) return;
    const picked = [...list].slice(0, Math.max(0, maxCount - value.length));
    const fresh: Upload[] = picked.map((f) => ({
      key: ++uploadKey,
      name: f.name,
      size: f.size,
      state: 'uploading',
    }));
    setUploads((u) => [...u.filter((x) => x.state !== 'failed'), ...fresh]);
    await Promise.all(
      picked.map(async (file, i) => {
        const u = fresh[i]!;
        if (maxBytes !== undefined && file.size > maxBytes) {
          update(u.key, { state: 'failed', error: `is larger than ${bytes(maxBytes)}` });
          return;
        }
        try {
          const uploaded = await api.files.upload(file, { name: safeName(file.name), agent, field: name });
          update(u.key, { state: 'done', id: uploaded.id });
          current = [...current, uploaded.id];
          onChange(current);
        } catch (error) {
          update(u.key, { state: 'failed', error: describeError(error) });
        }
      }),
    );
  };

  const remove = (id: string) => {
    onChange(value.filter((x) => x !== id));
    setUploads((u) => u.filter((x) => x.id !== id));
  };

  const uploading = uploads.filter((u) => u.state === 'uploading');
  const failed = uploads.filter((u) => u.state === 'failed');
  return (
    <div className="file-input">
      <input
        {...common}
        required={common.required && value.length === 0}
        type="file"
        accept={accept || undefined}
        multiple={maxCount > 1}
        disabled={common.disabled || !agent || value.length + uploading.length >= maxCount}
        onChange={(e) => {
          const target = e.currentTarget;
          void pick(target.files).finally(() => {
            target.value = '';
          });
        }}
      />
      <ul className="file-list" aria-live="polite">
        {value.map((id) => {
          const u = known.get(id);
          return (
            <li key={id}>
              <span>{u ? `${u.name} (${bytes(u.size)})` : id}</span>{' '}
              <button
                type="button"
                className="link-button"
                disabled={common.disabled}
                onClick={() => remove(id)}
                aria-label={`Remove ${u?.name ?? id}`}
              >
                Remove
              </button>
            </li>
          );
        })}
        {uploading.map((u) => (
          <li key={u.key}>
            <progress aria-label={`Uploading ${u.name}`} /> Uploading {u.name} ({bytes(u.size)})…
          </li>
        ))}
        {failed.map((u) => (
          <li key={u.key} className="field-error">
            {u.name} was not uploaded: {u.error}
          </li>
        ))}
      </ul>
    </div>
  );
}
