import { ValidationError } from '@jeton/sdk';
import { type FormEvent, useId, useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/components.tsx';
import { when } from '../../ui/format.ts';
import {
  cleanInput,
  defaultsOf,
  type FieldErrors,
  type InputSchema,
  validate,
} from '../../ui/input-schema.ts';
import { SchemaForm } from '../../ui/schema-form.tsx';
import { issuesByField } from '../../ui/schema-issues.ts';
import type { Question } from './live-events.ts';

/** The agent's question, answered in place with a form drawn from its schema. */
export function QuestionForm({
  runId,
  agent,
  question,
}: {
  runId: string;
  agent: string;
  question: Pick<Question, 'id' | 'text' | 'schema' | 'deadline'>;
}) {
  const schema = question.schema as unknown as InputSchema;
  const [value, setValue] = useState<Record<string, unknown>>(() => defaultsOf(schema));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const idPrefix = `answer-${useId().replace(/:/g, '')}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = validate(schema, value);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await api.runs.answer(runId, { questionId: question.id, answer: cleanInput(schema, value) });
      setSent(true);
    } catch (err) {
      if (err instanceof ValidationError) setErrors(issuesByField(err.issues, schema));
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card run-question" aria-labelledby="run-question-title">
      <h2 id="run-question-title">The agent asks</h2>
      <p className="run-question-text">{question.text}</p>
      <p className="muted">Answer by {when(question.deadline)}, or the run stops.</p>
      {sent ? (
        <p className="notice notice-ok" role="status">
          Answer sent. The run goes on.
        </p>
      ) : (
        <form onSubmit={submit} noValidate aria-labelledby="run-question-title">
          <SchemaForm
            schema={schema}
            value={value}
            onChange={setValue}
            idPrefix={idPrefix}
            files={{ agent }}
            disabled={busy}
            errors={errors}
          />
          <ErrorNotice error={error} />
          <button type="submit" disabled={busy}>
            {busy ? 'Sending…' : 'Send the answer'}
          </button>
        </form>
      )}
    </section>
  );
}
