import { credits as formatCredits } from '../../ui/format.ts';
import { Control, Issues } from './control.tsx';
import { ExampleInput } from './example-input.tsx';
import { type Edit, type FormState, placeholders, suggestSlug } from './form-state.ts';
import { InputFieldsEditor } from './input-fields.tsx';
import type { IssuesAt } from './live-validation.ts';
import { TestCase } from './test-case.tsx';

/** The paths the form's own controls show; issues elsewhere are listed at the end of the form. */
const FORM_PATHS =
  /^\$\.(name|slug|summary|description|category|version|input|runtime|pricing|examples|tests)\b/;

/** The "Form" tab: the listing, the input fields, the prompt, an example and a test case. */
export function AgentForm({
  form,
  edit,
  categories,
  at,
}: {
  form: FormState;
  edit: Edit;
  categories: string[] | null;
  at: IssuesAt;
}) {
  return (
    <div className="studio-form">
      <Listing form={form} edit={edit} categories={categories} at={at} />
      <InputFieldsEditor form={form} edit={edit} at={at} />
      <Prompt form={form} edit={edit} at={at} />
      <ExampleInput form={form} edit={edit} at={at} />
      <TestCase form={form} edit={edit} at={at} />
      <Issues id="other-issues" issues={at('$').filter((i) => !FORM_PATHS.test(i.path))} />
    </div>
  );
}

function setter(edit: Edit) {
  return <K extends keyof FormState>(key: K, value: FormState[K]) => edit((f) => ({ ...f, [key]: value }));
}

function Listing({
  form,
  edit,
  categories,
  at,
}: {
  form: FormState;
  edit: Edit;
  categories: string[] | null;
  at: IssuesAt;
}) {
  const set = setter(edit);
  return (
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
  );
}

function Prompt({ form, edit, at }: { form: FormState; edit: Edit; at: IssuesAt }) {
  const set = setter(edit);
  const fieldNames = new Set(form.fields.map((f) => f.name));
  const used = placeholders(form.template);
  const price = Number(form.credits);
  return (
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
  );
}
