import { Control, Issues } from './control.tsx';
import { blankField, type Edit, type FieldType, type FormState, type InputFieldDraft } from './form-state.ts';
import type { IssuesAt } from './live-validation.ts';

/** The issues an input field's own controls show (name, title, type, choices); the rest go below it. */
const OWN_PATHS = ['.title', '.type', '.editor', '.enum', '.enumTitles'];

/** The "Input fields" fieldset: a row per field of the agent's input, added and removed here. */
export function InputFieldsEditor({ form, edit, at }: { form: FormState; edit: Edit; at: IssuesAt }) {
  const setField = (key: number, change: Partial<InputFieldDraft>) =>
    edit((f) => ({ ...f, fields: f.fields.map((x) => (x.key === key ? { ...x, ...change } : x)) }));
  const listed = new Set(form.fields.map((f) => `$.input.properties.${f.name}`));
  const otherInputIssues = at('$.input').filter((i) => ![...listed].some((p) => i.path.startsWith(p)));

  return (
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
                (x) => x.path !== prefix && !OWN_PATHS.some((s) => x.path.startsWith(`${prefix}${s}`)),
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
  );
}
