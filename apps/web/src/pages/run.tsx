import {
  type Artifact,
  AuthenticationError,
  ConflictError,
  errorFromResponse,
  isFinalStatus,
  NotFoundError,
  type Review,
  type Run,
  type RunEvent,
  type RunFailure,
  type RunStatus,
  ValidationError,
} from '@jeton/sdk';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api.ts';
import { ArtifactCard } from '../ui/artifact-preview.tsx';
import { ErrorNotice, Field, Loading, Page } from '../ui/components.tsx';
import { credits, when } from '../ui/format.ts';
import {
  cleanInput,
  defaultsOf,
  type FieldErrors,
  type InputSchema,
  issuesByField,
  SchemaForm,
  validate,
} from '../ui/schema-form.tsx';

type Question = NonNullable<Run['question']>;
type LogLine = { seq: number; at: string; level: 'info' | 'warn' | 'error'; message: string };
type Charge = { seq: number; at: string; event: string; quantity: number; credits: number; total: number };

/** What the event stream has told so far. */
interface Live {
  lastSeq: number;
  status: RunStatus | null;
  percent: number | null;
  message: string;
  logs: LogLine[];
  charges: Charge[];
  question: Pick<Question, 'id' | 'text' | 'schema' | 'deadline'> | null;
  failure: RunFailure | null;
  charged: number | null;
  refunded: number | null;
  artifactEvents: number;
}

const EMPTY: Live = {
  lastSeq: 0,
  status: null,
  percent: null,
  message: '',
  logs: [],
  charges: [],
  question: null,
  failure: null,
  charged: null,
  refunded: null,
  artifactEvents: 0,
};

function apply(live: Live, e: RunEvent): Live {
  if (e.seq <= live.lastSeq) return live; // seen already (a reconnection never repeats, but be sure)
  const next = { ...live, lastSeq: e.seq };
  switch (e.type) {
    case 'status':
      next.status = e.status;
      if (e.status !== 'awaiting_input') next.question = null;
      if (e.failure) next.failure = e.failure;
      if (e.charged !== undefined) next.charged = e.charged;
      if (e.refunded !== undefined) next.refunded = e.refunded;
      return next;
    case 'progress':
      if (e.percent !== null) next.percent = e.percent;
      next.message = e.message;
      return next;
    case 'log':
      next.logs = [...live.logs, { seq: e.seq, at: e.at, level: e.level, message: e.message }];
      return next;
    case 'question':
      next.question = e.question;
      next.status = 'awaiting_input';
      return next;
    case 'answer':
      if (live.question?.id === e.questionId) next.question = null;
      return next;
    case 'artifact':
      next.artifactEvents = live.artifactEvents + 1;
      return next;
    case 'charge':
      next.charges = [
        ...live.charges,
        { seq: e.seq, at: e.at, event: e.event, quantity: e.quantity, credits: e.credits, total: e.total },
      ];
      return next;
    default:
      return next;
  }
}

const STATUS_WORDS: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  awaiting_input: 'Waiting for your answer',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  timed_out: 'Timed out',
};

const FAULT_WORDS: Record<RunFailure['fault'], string> = {
  input: 'Your input was refused.',
  agent: 'The agent failed: not your fault.',
  platform: 'Our fault: something in Jeton failed, not you or the agent.',
  user_cancel: 'You cancelled this run.',
};

export function StatusBadge({ status }: { status: RunStatus }) {
  const tone =
    status === 'succeeded' ? 'badge-ok' : status === 'failed' || status === 'timed_out' ? 'badge-bad' : '';
  return <span className={`badge run-status ${tone}`}>{STATUS_WORDS[status]}</span>;
}

export default function RunPage({ id }: { id: string }) {
  const [run, setRun] = useState<Run | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [live, setLive] = useState<Live>(EMPTY);
  const [streamError, setStreamError] = useState<unknown>(null);
  const [artifacts, setArtifacts] = useState<Artifact[] | null>(null);
  const [artifactsError, setArtifactsError] = useState<unknown>(null);

  // The run, then its events from the first on (what happened so far, then live) until its final status.
  useEffect(() => {
    const abort = new AbortController();
    let loaded = false;
    setRun(null);
    setLive(EMPTY);
    setLoadError(null);
    setStreamError(null);
    void (async () => {
      try {
        const first = await api.runs.get(id, { signal: abort.signal });
        if (abort.signal.aborted) return;
        loaded = true;
        setRun(first);
        for await (const event of api.runs.events(id, { signal: abort.signal })) {
          setLive((l) => apply(l, event));
        }
        // Final: the run's row has the settlement.
        if (!abort.signal.aborted) setRun(await api.runs.get(id, { signal: abort.signal }));
      } catch (error) {
        if (abort.signal.aborted) return;
        if (loaded) setStreamError(error);
        else setLoadError(error);
      }
    })();
    return () => abort.abort();
  }, [id]);

  const status: RunStatus | null = live.status ?? run?.status ?? null;
  const final = status !== null && isFinalStatus(status);

  // Artifacts: once at first, at each artifact the agent makes, and when the run is over.
  const artifactEvents = live.artifactEvents;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the counters are what should trigger a re-read.
  useEffect(() => {
    let stale = false;
    api.runs
      .artifacts(id)
      .then((list) => {
        if (!stale) setArtifacts(list);
      })
      .catch((error: unknown) => {
        if (!stale) setArtifactsError(error);
      });
    return () => {
      stale = true;
    };
  }, [id, artifactEvents, final]);

  if (loadError) {
    if (loadError instanceof AuthenticationError) {
      return (
        <Page title="Run">
          <p>
            <Link href="/sign-in">Sign in</Link> to see this run.
          </p>
        </Page>
      );
    }
    if (loadError instanceof NotFoundError) {
      return (
        <Page title="Run not found">
          <p>
            There is no run {id} among yours. <Link href="/runs">Your runs</Link>.
          </p>
        </Page>
      );
    }
    return (
      <Page title="Run">
        <ErrorNotice error={loadError} />
      </Page>
    );
  }
  if (!run || !status) return <Loading label="Loading the run…" />;

  const question = live.question ?? (status === 'awaiting_input' && run.question ? run.question : null);
  const failure = live.failure ?? run.failure ?? null;
  const charged = run.charged ?? live.charged;
  const refunded = run.refunded ?? live.refunded;
  const percent = status === 'succeeded' ? 100 : live.percent;
  const running = !final;

  return (
    <Page
      title={`Run of ${run.agent.slug}`}
      actions={
        <p className="run-status-line" aria-live="polite">
          <span className="sr-only">Status: </span>
          <StatusBadge status={status} />
        </p>
      }
    >
      <p className="muted run-meta">
        <Link href={`/agents/${run.agent.slug}`}>{run.agent.slug}</Link> version {run.agent.version} · started{' '}
        {when(run.createdAt)} · <code>{run.id}</code> · quote {credits(run.quote)}
      </p>

      <section className="card run-progress" aria-labelledby="run-progress-title">
        <h2 id="run-progress-title">Progress</h2>
        <ProgressBar percent={percent} status={status} message={live.message} />
        <p className="run-message" aria-live="polite">
          {live.message || (status === 'queued' ? 'Waiting for a worker…' : STATUS_WORDS[status])}
          {run.waitingFor && status === 'queued' ? ' (waiting for a free slot)' : ''}
        </p>
        {running ? <CancelButton id={id} onCancelled={setRun} /> : null}
        <ErrorNotice error={streamError} />
        {streamError ? (
          <button type="button" className="secondary button-small" onClick={() => window.location.reload()}>
            Reload the page
          </button>
        ) : null}
      </section>

      {question && status === 'awaiting_input' ? (
        <QuestionForm runId={id} agent={run.agent.slug} question={question} key={question.id} />
      ) : null}

      {final ? (
        <Outcome status={status} failure={failure} charged={charged} refunded={refunded} quote={run.quote} />
      ) : null}

      <Charges charges={live.charges} quote={run.quote} charged={charged} final={final} />

      <section aria-labelledby="run-artifacts-title">
        <h2 id="run-artifacts-title">Files</h2>
        <ErrorNotice error={artifactsError} />
        {artifacts === null ? (
          <Loading label="Loading the files…" />
        ) : artifacts.length === 0 ? (
          <p className="muted">{final ? 'This run made no files.' : 'No files yet.'}</p>
        ) : (
          <div className="artifacts">
            {artifacts.map((a) => (
              <ArtifactCard key={a.id} artifact={a} />
            ))}
          </div>
        )}
      </section>

      <Logs logs={live.logs} />

      {status === 'succeeded' || status === 'failed' ? <ReviewForm runId={id} /> : null}
    </Page>
  );
}

function ProgressBar({
  percent,
  status,
  message,
}: {
  percent: number | null;
  status: RunStatus;
  message: string;
}) {
  const value = percent === null ? null : Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div
      className={`progress run-progress-bar ${value === null ? 'progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label="Run progress"
      aria-valuemin={0}
      aria-valuemax={100}
      {...(value === null ? {} : { 'aria-valuenow': value })}
      aria-valuetext={value === null ? STATUS_WORDS[status] : `${value}%${message ? `: ${message}` : ''}`}
    >
      <div style={value === null ? undefined : { width: `${value}%` }} />
    </div>
  );
}

function CancelButton({ id, onCancelled }: { id: string; onCancelled(run: Run): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <div className="row">
      <button
        type="button"
        className="danger"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            onCancelled(await api.runs.cancel(id));
          } catch (e) {
            setError(e);
          } finally {
            setBusy(false);
          }
        }}
      >
        {busy ? 'Cancelling…' : 'Cancel run'}
      </button>
      <ErrorNotice error={error} />
    </div>
  );
}

function Outcome({
  status,
  failure,
  charged,
  refunded,
  quote,
}: {
  status: RunStatus;
  failure: RunFailure | null;
  charged: number | null;
  refunded: number | null;
  quote: number;
}) {
  const ok = status === 'succeeded';
  return (
    <section
      className={`notice run-outcome ${ok ? 'notice-ok' : status === 'cancelled' ? '' : 'notice-error'}`}
      aria-labelledby="run-outcome-title"
    >
      <h2 id="run-outcome-title">
        {ok
          ? 'The run succeeded'
          : status === 'cancelled'
            ? 'The run was cancelled'
            : `The run ${status === 'timed_out' ? 'timed out' : 'failed'}`}
      </h2>
      {failure ? (
        <>
          <p className="run-fault">
            <strong>Who was at fault:</strong> {FAULT_WORDS[failure.fault]}
          </p>
          {failure.message ? (
            <p className="run-failure-message">
              {failure.message} <span className="muted">({failure.code})</span>
            </p>
          ) : null}
        </>
      ) : null}
      <p>{charged === null ? 'Settling…' : `Charged: ${credits(charged)} of the ${credits(quote)} held.`}</p>
      {refunded !== null && refunded > 0 ? (
        <p className="run-refund">
          <strong>
            {credits(refunded)} {refunded === 1 ? 'was' : 'were'} returned to your wallet.
          </strong>
        </p>
      ) : null}
    </section>
  );
}

function Charges({
  charges,
  quote,
  charged,
  final,
}: {
  charges: Charge[];
  quote: number;
  charged: number | null;
  final: boolean;
}) {
  const total = charges.at(-1)?.total ?? 0;
  return (
    <section aria-labelledby="run-charges-title">
      <h2 id="run-charges-title">Charges</h2>
      {charges.length === 0 ? (
        <p className="muted">
          {final
            ? charged
              ? `${credits(charged)} for the run.`
              : 'Nothing was charged.'
            : 'Nothing charged yet: credits are held and charged as the agent delivers.'}
        </p>
      ) : (
        <>
          <ol className="run-charges" aria-live="polite">
            {charges.map((c) => (
              <li key={c.seq}>
                <span>
                  <code>{c.event}</code>
                  {c.quantity !== 1 ? ` × ${c.quantity}` : ''}
                </span>
                <span>{credits(c.credits)}</span>
              </li>
            ))}
          </ol>
          <p className="run-charges-total">
            Total so far: <strong>{credits(total)}</strong> of the {credits(quote)} quoted.
          </p>
        </>
      )}
    </section>
  );
}

function Logs({ logs }: { logs: LogLine[] }) {
  return (
    <section aria-labelledby="run-log-title">
      <h2 id="run-log-title">Log</h2>
      {logs.length === 0 ? (
        <p className="muted">No log lines.</p>
      ) : (
        // A scrolling region: focusable, so that the keyboard can scroll it.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
        <section className="run-log" tabIndex={0} aria-label="Log lines">
          <ol>
            {logs.map((l) => (
              <li key={l.seq} className={`log-${l.level}`}>
                <time dateTime={l.at}>{new Date(l.at).toLocaleTimeString('en-GB')}</time>{' '}
                {l.level !== 'info' ? <strong>{l.level}: </strong> : null}
                {l.message}
              </li>
            ))}
          </ol>
        </section>
      )}
    </section>
  );
}

function QuestionForm({
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

function ReviewForm({ runId }: { runId: string }) {
  const [rating, setRating] = useState(0);
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [review, setReview] = useState<Review | null>(null);
  const [already, setAlready] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (rating < 1) {
      setError(new Error('Choose a rating from 1 to 5 stars.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const {
        data,
        error: problem,
        response,
      } = await api.api.POST('/v1/runs/{id}/review', {
        params: { path: { id: runId } },
        body: { rating, body },
      });
      if (!response.ok) throw errorFromResponse(response, problem);
      setReview(data ?? null);
    } catch (err) {
      if (err instanceof ConflictError) setAlready(true);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (review) {
    return (
      <section className="card run-review" aria-labelledby="run-review-title">
        <h2 id="run-review-title">Your review</h2>
        <p className="stars" role="img" aria-label={`${review.rating} out of 5 stars`}>
          {'★'.repeat(review.rating)}
          <span className="stars-off">{'★'.repeat(5 - review.rating)}</span>
        </p>
        {review.body ? <blockquote className="run-review-body">{review.body}</blockquote> : null}
        <p className="muted" role="status">
          Thank you: your review is published on the agent's page.
        </p>
      </section>
    );
  }
  if (already) {
    return (
      <section className="card run-review" aria-labelledby="run-review-title">
        <h2 id="run-review-title">Your review</h2>
        <p role="status">You have already reviewed this run. Thank you.</p>
      </section>
    );
  }
  return (
    <section className="card run-review" aria-labelledby="run-review-title">
      <h2 id="run-review-title">Rate this run</h2>
      <form onSubmit={submit}>
        <fieldset className="star-rating">
          <legend>Your rating</legend>
          <div className="star-options">
            {[1, 2, 3, 4, 5].map((n) => (
              <span key={n} className="star-option">
                <input
                  type="radio"
                  id={`rating-${n}`}
                  name="rating"
                  value={n}
                  checked={rating === n}
                  onChange={() => setRating(n)}
                  disabled={busy}
                />
                <label htmlFor={`rating-${n}`} className={n <= rating ? 'star-on' : ''}>
                  <span aria-hidden="true">★</span>
                  <span className="sr-only">
                    {n} {n === 1 ? 'star' : 'stars'}
                  </span>
                </label>
              </span>
            ))}
          </div>
        </fieldset>
        <Field id="review-body" label="Your review (optional)">
          <textarea
            id="review-body"
            value={body}
            maxLength={5000}
            onChange={(e) => setBody(e.target.value)}
            disabled={busy}
          />
        </Field>
        <ErrorNotice error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Submit the review'}
        </button>
      </form>
    </section>
  );
}
