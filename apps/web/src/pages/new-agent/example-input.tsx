import { Control, Issues } from './control.tsx';
import { choices, type Edit, type FormState } from './form-state.ts';
import type { IssuesAt } from './live-validation.ts';

/** The "Example input" fieldset: a control per input field, of that field's type. */
export function ExampleInput({ form, edit, at }: { form: FormState; edit: Edit; at: IssuesAt }) {
  return (
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
  );
}
