import { Control, Issues } from './control.tsx';
import type { Edit, FormState } from './form-state.ts';
import type { IssuesAt } from './live-validation.ts';

/** The "Test case" fieldset: an optional test, from the example input, run before publication. */
export function TestCase({ form, edit, at }: { form: FormState; edit: Edit; at: IssuesAt }) {
  return (
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
          <Control id="test-contains" label="The answer contains (optional)" issues={at('$.tests[0].checks')}>
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
  );
}
