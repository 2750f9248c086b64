import { type AgentPage as Agent, JetonError } from '@jeton/sdk';
import { type FormEvent, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, useSession } from '../../api.ts';
import { ErrorNotice, Field } from '../../ui/components.tsx';
import { credits } from '../../ui/format.ts';
import {
  cleanInput,
  defaultsOf,
  type FieldErrors,
  type InputSchema,
  validate,
} from '../../ui/input-schema.ts';
import { SchemaForm } from '../../ui/schema-form.tsx';
import { errorsByField } from '../../ui/schema-issues.ts';
import { QuoteNotice, useQuote } from './quote.tsx';

/**
 * "Run it": the form drawn from the version's input schema (with its examples), the quote, a
 * max-credits cap, and Run (or "Sign in to run").
 */
export function RunForm({ agent }: { agent: Agent }) {
  const version = agent.version!;
  const schema = version.input as unknown as InputSchema;
  const { me } = useSession();
  const [, navigate] = useLocation();
  const [input, setInput] = useState<Record<string, unknown>>(() => defaultsOf(schema));
  const [touched, setTouched] = useState<Set<string>>(() => new Set());
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [maxCredits, setMaxCredits] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const { quote, quoteError } = useQuote(agent.slug);

  // Checks made here as a convenience, shown for fields already edited; the server checks everything.
  const clientErrors = validate(schema, input);
  const errors: FieldErrors = {};
  for (const name of Object.keys(schema.properties ?? {})) {
    const list = serverErrors[name] ?? (touched.has(name) ? clientErrors[name] : undefined);
    if (list?.length) errors[name] = list;
  }
  const formErrors = serverErrors[''] ?? [];

  const onChange = (next: Record<string, unknown>) => {
    const changed = Object.keys({ ...input, ...next }).filter((k) => input[k] !== next[k]);
    setTouched((t) => new Set([...t, ...changed]));
    setServerErrors((e) => {
      const rest = { ...e };
      for (const k of changed) delete rest[k];
      return rest;
    });
    setInput(next);
  };

  const cap = maxCredits.trim() === '' ? undefined : Number(maxCredits);
  const capInvalid = cap !== undefined && (!Number.isInteger(cap) || cap < 1);
  const capTooLow = quote && cap !== undefined && !capInvalid && cap < quote.quote;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (capInvalid) return;
    setBusy(true);
    setError(null);
    setServerErrors({});
    // The server is the authority on the input: its answer (a 422 with issues, before anything is
    // held) is shown next to the fields it names.
    try {
      const run = await api.runs.create({
        agent: agent.slug,
        input: cleanInput(schema, input),
        ...(cap !== undefined ? { maxCredits: cap } : {}),
      });
      navigate(`/runs/${run.id}`);
    } catch (e) {
      const byField = errorsByField(e, schema);
      const onFields = Object.keys(byField).some((k) => k !== '');
      if (onFields) {
        setServerErrors(byField);
        focusFirstInvalid(byField, schema);
      }
      // Problems that name no field (the cap, a missing agent, credits) are shown whole.
      setError(onFields ? null : e);
      setBusy(false);
    }
  }

  const unavailable = !version.available;
  const examples = version.examples ?? [];
  return (
    <section className="card run-box" aria-labelledby="run-title">
      <h2 id="run-title">Run it</h2>
      {examples.length ? (
        <div className="examples">
          <p className="muted" id="examples-label">
            Examples:
          </p>
          <ul className="row" aria-labelledby="examples-label">
            {examples.map((ex, i) => {
              const title = typeof ex.title === 'string' ? ex.title : `Example ${i + 1}`;
              return (
                <li key={title}>
                  <button
                    type="button"
                    className="secondary button-small"
                    aria-label={`Fill the form with the example “${title}”`}
                    onClick={() => {
                      const example = (ex.input ?? {}) as Record<string, unknown>;
                      setInput({ ...defaultsOf(schema), ...example });
                      setTouched(new Set());
                      setServerErrors({});
                    }}
                  >
                    {title}
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      ) : null}
      <form onSubmit={submit} noValidate aria-describedby={formErrors.length ? 'run-form-errors' : undefined}>
        {formErrors.length ? (
          <div id="run-form-errors" className="notice notice-error" role="alert">
            {formErrors.join('; ')}
          </div>
        ) : null}
        <SchemaForm
          schema={schema}
          value={input}
          onChange={onChange}
          idPrefix="run-input"
          files={{ agent: agent.slug }}
          disabled={busy || unavailable}
          errors={errors}
        />

        <QuoteNotice quote={quote} error={quoteError} />

        <Field
          id="run-max-credits"
          label="Max credits (optional)"
          hint="Refuse to run if the quote is higher than this."
        >
          <input
            id="run-max-credits"
            type="number"
            inputMode="numeric"
            min={1}
            step={1}
            value={maxCredits}
            disabled={busy || unavailable}
            aria-describedby={`run-max-credits-hint${capInvalid || capTooLow ? ' run-max-credits-error' : ''}`}
            aria-invalid={capInvalid || undefined}
            onChange={(e) => setMaxCredits(e.target.value)}
          />
        </Field>
        {capInvalid ? (
          <p id="run-max-credits-error" className="field-error" role="alert">
            must be a whole number of credits, 1 or more
          </p>
        ) : capTooLow ? (
          <p id="run-max-credits-error" className="field-warning">
            The quote ({credits(quote.quote)}) is above this cap: the run would be refused.
          </p>
        ) : null}

        <ErrorNotice error={error} />
        {error instanceof JetonError && error.status === 402 ? (
          <p>
            <Link href="/wallet">Add credits to your wallet</Link>
          </p>
        ) : null}

        <div className="run-actions">
          {me === null ? (
            <Link href={`/sign-in?next=/agents/${agent.slug}`} className="button">
              Sign in to run
            </Link>
          ) : (
            <button type="submit" disabled={busy || unavailable || me === undefined || capInvalid}>
              {busy ? 'Starting…' : 'Run'}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

/** Focus moves to the first field the server named, once it is drawn. */
function focusFirstInvalid(errors: FieldErrors, schema: InputSchema) {
  const first = Object.keys(schema.properties ?? {}).find((name) => errors[name]?.length);
  if (first) requestAnimationFrame(() => document.getElementById(`run-input-${first}`)?.focus());
}
