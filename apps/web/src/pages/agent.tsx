import {
  type AgentPage as Agent,
  errorFromResponse,
  JetonError,
  NotFoundError,
  type Review,
} from '@jeton/sdk';
import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, useSession } from '../api.ts';
import { ErrorNotice, Field, Loading, Page } from '../ui/components.tsx';
import { credits, percent, when } from '../ui/format.ts';
import {
  cleanInput,
  defaultsOf,
  errorsByField,
  type FieldErrors,
  type InputSchema,
  SchemaForm,
  validate,
} from '../ui/schema-form.tsx';
import { categoryTitle, Rating, TestBadge } from './storefront.tsx';

/**
 * An agent's page: what it does, what it costs (and what it will cost), how it has done, and the form
 * drawn from its input schema, with the quote shown before running.
 */

type Quote = { slug: string; version: string; quote: number; pricing: Record<string, unknown> };
type Pricing = Record<string, unknown>;

/** Markdown from a creator, as safe HTML: rendered by marked, then sanitised by DOMPurify. */
function markdown(source: string): string {
  const html = marked.parse(source, { async: false, gfm: true, breaks: false });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input'] });
}

export default function AgentPage({ slug }: { slug: string }) {
  const [agent, setAgent] = useState<Agent | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    setAgent(null);
    setError(null);
    api.agents.get(slug).then(
      (a) => {
        if (live) setAgent(a);
      },
      (e) => {
        if (live) setError(e);
      },
    );
    return () => {
      live = false;
    };
  }, [slug]);

  useEffect(() => {
    if (agent) document.title = `${agent.name} · Jeton`;
    return () => {
      document.title = 'Jeton';
    };
  }, [agent]);

  if (error instanceof NotFoundError) {
    return (
      <Page title="No such agent">
        <p>
          There is no agent called “{slug}”. <Link href="/">Back to the agents</Link>.
        </p>
      </Page>
    );
  }
  if (error) {
    return (
      <Page title="Agent">
        <ErrorNotice error={error} />
      </Page>
    );
  }
  if (!agent) return <Loading />;
  return <AgentView agent={agent} />;
}

function AgentView({ agent }: { agent: Agent }) {
  const version = agent.version;
  const description = useMemo(() => markdown(agent.description || agent.summary), [agent]);
  const s = agent.stats;
  return (
    <article className="page agent-page" aria-labelledby="page-title">
      <header className="agent-header">
        <p className="agent-breadcrumb">
          <Link href="/">Agents</Link> <span aria-hidden="true">›</span>{' '}
          <Link href={`/?category=${encodeURIComponent(agent.category)}`}>
            {categoryTitle(agent.category)}
          </Link>
        </p>
        <h1 id="page-title">{agent.name}</h1>
        <p className="agent-summary">{agent.summary}</p>
        <p className="row muted">
          {agent.creator ? <span>by {agent.creator.name}</span> : null}
          <Rating rating={s.rating} reviews={s.reviews} />
          <TestBadge lastTest={s.lastTest} />
          {agent.needsModel ? <span className="badge">Needs a model</span> : null}
          {version ? <span>Version {version.version}</span> : null}
        </p>
      </header>

      {version && !version.available ? (
        <div className="notice notice-error" role="alert">
          This agent cannot run right now{version.unavailableReason ? `: ${version.unavailableReason}` : '.'}
        </div>
      ) : null}

      <div className="agent-layout">
        <div className="agent-main">
          <section aria-labelledby="about-title">
            <h2 id="about-title">About</h2>
            {/* Sanitised by DOMPurify (markdown() above). */}
            {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitised HTML from Markdown */}
            <div className="markdown" dangerouslySetInnerHTML={{ __html: description }} />
            {version?.outputs?.length ? (
              <>
                <h3>What you get</h3>
                <ul>
                  {version.outputs.map((o, i) => (
                    <li key={String(o.name ?? i)}>
                      <code>{String(o.name ?? '')}</code>
                      {typeof o.description === 'string' ? ` — ${o.description}` : null}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </section>

          <Stats agent={agent} />
          <Versions agent={agent} />
          <Reviews slug={agent.slug} count={s.reviews} />
        </div>

        <aside className="agent-side" aria-label="Price and run">
          <PriceBox agent={agent} />
          {version ? (
            <RunForm agent={agent} />
          ) : (
            <p className="muted">No version of this agent is published.</p>
          )}
        </aside>
      </div>
    </article>
  );
}

function pricingText(pricing: Pricing | undefined, maxCredits: number): string {
  if (!pricing) return credits(maxCredits);
  if (pricing.model === 'per_run' && typeof pricing.credits === 'number')
    return `${credits(pricing.credits)} per run`;
  if (pricing.model === 'per_token' && typeof pricing.markupBps === 'number')
    return `Model cost + ${pricing.markupBps / 100}%, up to ${credits(maxCredits)} per run`;
  return `Up to ${credits(maxCredits)} per run`;
}

function PricingDetail({ pricing }: { pricing: Pricing | undefined }) {
  const events = Array.isArray(pricing?.events) ? (pricing.events as Record<string, unknown>[]) : [];
  if (pricing?.model !== 'per_event' || events.length === 0) return null;
  return (
    <ul className="price-events">
      {events.map((e) => (
        <li key={String(e.name)}>
          <span>{typeof e.description === 'string' ? e.description : String(e.name)}</span>{' '}
          <strong>{credits(Number(e.credits))}</strong>
        </li>
      ))}
    </ul>
  );
}

function PriceBox({ agent }: { agent: Agent }) {
  const pricing = agent.version?.pricing;
  const pending = agent.pendingPriceChange;
  return (
    <section className="card price-box" aria-labelledby="price-title">
      <h2 id="price-title">Price</h2>
      <p className="price-main">{pricingText(pricing, agent.price.maxCredits)}</p>
      <PricingDetail pricing={pricing} />
      {pricing?.model === 'per_event' ? (
        <p className="muted">You pay for the results delivered; what is not used is released.</p>
      ) : null}
      {pending ? (
        <div className="notice pending-price">
          <strong>Price change on {when(pending.effectiveAt)}</strong> (version {pending.version}):{' '}
          {pricingText(pending.pricing, pending.maxCredits)}.
          <PricingDetail pricing={pending.pricing} />
        </div>
      ) : null}
    </section>
  );
}

function duration(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000
    ? `${Math.round(ms)} ms`
    : ms < 120_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${Math.round(ms / 60_000)} min`;
}

function Stats({ agent }: { agent: Agent }) {
  const s = agent.stats;
  return (
    <section aria-labelledby="stats-title">
      <h2 id="stats-title">Track record</h2>
      <dl className="stats">
        <div>
          <dt>Runs</dt>
          <dd>{s.runs.toLocaleString('en-US')}</dd>
        </div>
        <div>
          <dt>Success rate</dt>
          <dd>{percent(s.successRate)}</dd>
        </div>
        <div>
          <dt>Typical duration</dt>
          <dd>{duration(s.medianDurationMs)}</dd>
        </div>
        <div>
          <dt>Typical cost</dt>
          <dd>{s.medianCredits === null ? '—' : credits(Math.round(s.medianCredits))}</dd>
        </div>
        <div>
          <dt>Rating</dt>
          <dd>
            <Rating rating={s.rating} reviews={s.reviews} />
          </dd>
        </div>
        <div>
          <dt>Last test</dt>
          <dd>
            <TestBadge lastTest={s.lastTest} />{' '}
            {s.lastTest?.at ? <span className="muted">{when(s.lastTest.at)}</span> : null}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function Versions({ agent }: { agent: Agent }) {
  const changes = new Map((agent.version?.changelog ?? []).map((c) => [c.version, c]));
  if (agent.versions.length === 0) return null;
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Published</th>
              <th scope="col">Tests</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            {agent.versions.map((v) => (
              <tr key={v.version}>
                <td>
                  {v.version}
                  {v.version === agent.version?.version ? <span className="badge">current</span> : null}
                  {v.status === 'draft' ? <span className="badge">draft</span> : null}
                </td>
                <td>
                  {when(v.publishedAt) || '—'}
                  {v.effectiveAt && v.effectiveAt !== v.publishedAt ? (
                    <div className="muted">effective {when(v.effectiveAt)}</div>
                  ) : null}
                </td>
                <td>{v.tests ?? '—'}</td>
                <td>{changes.get(v.version)?.changes ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Reviews({ slug, count }: { slug: string; count: number }) {
  const [reviews, setReviews] = useState<Review[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const load = async (after: string | null) => {
    setLoading(true);
    try {
      const page = await api.agents.reviews(slug, after ? { cursor: after, limit: 10 } : { limit: 10 });
      setReviews((r) => (after ? [...r, ...page.data] : page.data));
      setCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: loads the first page once per agent
  useEffect(() => {
    void load(null);
  }, [slug]);

  return (
    <section aria-labelledby="reviews-title">
      <h2 id="reviews-title">Reviews ({count})</h2>
      <ErrorNotice error={error} />
      {!loading && reviews.length === 0 ? <p className="muted">No reviews yet.</p> : null}
      <ul className="reviews">
        {reviews.map((r) => (
          <li key={r.id} className="review">
            <p className="review-meta">
              <span className="stars" role="img" aria-label={`${r.rating} out of 5`}>
                {'★'.repeat(r.rating)}
                <span className="stars-off">{'★'.repeat(5 - r.rating)}</span>
              </span>{' '}
              <span className="muted">
                {when(r.createdAt)} · version {r.version}
              </span>
            </p>
            <p className="review-body">{r.body}</p>
            {r.reply ? (
              <blockquote className="review-reply">
                <p className="muted">Reply from the creator, {when(r.reply.at)}</p>
                <p>{r.reply.body}</p>
              </blockquote>
            ) : null}
          </li>
        ))}
      </ul>
      {cursor ? (
        <button type="button" className="secondary" disabled={loading} onClick={() => void load(cursor)}>
          {loading ? 'Loading…' : 'More reviews'}
        </button>
      ) : null}
    </section>
  );
}

function RunForm({ agent }: { agent: Agent }) {
  const version = agent.version!;
  const schema = version.input as unknown as InputSchema;
  const { me } = useSession();
  const [, navigate] = useLocation();
  const [input, setInput] = useState<Record<string, unknown>>(() => defaultsOf(schema));
  const [touched, setTouched] = useState<Set<string>>(() => new Set());
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [maxCredits, setMaxCredits] = useState('');
  const [quote, setQuote] = useState<Quote | null>(null);
  const [quoteError, setQuoteError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    api.api.GET('/v1/agents/{slug}/quote', { params: { path: { slug: agent.slug } } }).then(
      (r) => {
        if (!live) return;
        if (r.response.ok) setQuote(r.data as Quote);
        else setQuoteError(errorFromResponse(r.response, r.error));
      },
      (e) => {
        if (live) setQuoteError(e);
      },
    );
    return () => {
      live = false;
    };
  }, [agent.slug]);

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

        <div className="quote" aria-live="polite">
          {quote ? (
            <p>
              <strong>Quote: {credits(quote.quote)}</strong>
              <br />
              <span className="muted">
                {quote.pricing.model === 'per_run'
                  ? 'Held when the run starts, charged when it succeeds, refunded if it fails.'
                  : 'The most this run can cost: held when it starts; you are charged for what it delivers.'}
              </span>
            </p>
          ) : quoteError ? (
            <ErrorNotice error={quoteError} />
          ) : (
            <p className="muted">Getting the quote…</p>
          )}
        </div>

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

function focusFirstInvalid(errors: FieldErrors, schema: InputSchema) {
  const first = Object.keys(schema.properties ?? {}).find((name) => errors[name]?.length);
  if (first) requestAnimationFrame(() => document.getElementById(`run-input-${first}`)?.focus());
}
