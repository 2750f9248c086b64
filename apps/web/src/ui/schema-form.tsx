import type { JSX } from 'react';
import { Field } from './components.tsx';
import { FileInput, fileLimits } from './file-input.tsx';
import {
  type FieldErrors,
  type FieldSchema,
  type InputSchema,
  isRequired,
  num,
  str,
  strings,
} from './input-schema.ts';

/**
 * A form drawn from an agent's input schema (see input-schema.ts). Used by the agent page to start a
 * run, and by the run page to answer an agent's question.
 */
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
