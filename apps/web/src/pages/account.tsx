import type {
  ApiKey,
  components,
  NewApiKey,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointCreate,
} from '@jeton/sdk';
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { Link } from 'wouter';
import { api, type Me, useSession } from '../api.ts';
import { SecretOnce, SignInPrompt } from '../ui/account-kit.tsx';
import { ErrorNotice, Loading, Page } from '../ui/components.tsx';
import { when } from '../ui/format.ts';

type Scope = ApiKey['scopes'][number];
type EventType = components['schemas']['WebhookEventType'];
type Delivery = WebhookDeliveryPage['data'][number];

/** Every scope of the API's enum (the compiler checks that none is missing). */
const SCOPES = {
  'runs:read': 'Read runs and their artifacts',
  'runs:write': 'Start, cancel and answer runs (spends credits)',
  'wallet:read': 'Read the wallet',
  'wallet:write': 'Buy credits',
  'agents:write': 'Save and publish agents',
  'webhooks:write': 'Manage webhook endpoints',
} as const satisfies Record<Scope, string>;

/** Every event type of the API's enum (WebhookEndpointCreate.events). */
const EVENTS = {
  'run.succeeded': 'A run of yours succeeded',
  'run.failed': 'A run of yours failed',
  'run.cancelled': 'A run of yours was cancelled',
  'run.timed_out': 'A run of yours timed out',
  'run.awaiting_input': 'A run asks you a question',
  'top_up.credited': 'A top-up reached your wallet',
  'payout.paid': 'A payout to you was paid',
  'payout.failed': 'A payout to you failed',
} as const satisfies Record<EventType, string>;

const keysOf = <T extends object>(o: T) => Object.keys(o) as (keyof T)[];

export default function AccountPage() {
  const { me } = useSession();
  if (me === undefined) return <Loading />;
  if (me === null) return <SignInPrompt title="Account" what="your account" />;
  return (
    <Page title="Account">
      <Profile me={me} />
      <ApiKeys />
      <WebhookEndpoints />
    </Page>
  );
}

function Profile({ me }: { me: Me }) {
  return (
    <section aria-labelledby="profile-title" className="card account-profile">
      <h2 id="profile-title">Profile</h2>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{me.name}</dd>
        <dt>Email</dt>
        <dd>{me.email}</dd>
        <dt>Roles</dt>
        <dd>
          {me.roles.map((r) => (
            <span key={r} className="badge">
              {r}
            </span>
          ))}
        </dd>
        {me.creator ? (
          <>
            <dt>Creator</dt>
            <dd>
              {me.creator.displayName} (@{me.creator.handle}) · <Link href="/studio">Studio</Link>
            </dd>
          </>
        ) : null}
        <dt>Member since</dt>
        <dd>{when(me.createdAt)}</dd>
      </dl>
    </section>
  );
}

// --- API keys ----------------------------------------------------------------------------------

function ApiKeys() {
  const id = useId();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Set<Scope>>(() => new Set(keysOf(SCOPES)));
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setKeys(await api.apiKeys.list());
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (scopes.size === 0) {
      setError(new Error('Choose at least one scope.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const key = await api.apiKeys.create({ name: name.trim(), scopes: [...scopes] });
      setCreated(key);
      setName('');
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function revoke(key: ApiKey) {
    setError(null);
    try {
      await api.apiKeys.revoke(key.id);
      setConfirming(null);
      if (created?.id === key.id) setCreated(null);
      await load();
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p className="muted">
        For programs, the <code>jeton</code> CLI and AI assistants (MCP): sent as{' '}
        <code>Authorization: Bearer jtn_…</code>. A key acts for you and spends your credits.
      </p>
      <ErrorNotice error={error} />
      {created ? (
        <SecretOnce label="New API key" value={created.key} onDone={() => setCreated(null)}>
          This is the key <q>{created.name}</q>; only its prefix is kept in view afterwards.
        </SecretOnce>
      ) : null}
      {keys === null ? (
        error ? null : (
          <Loading />
        )
      ) : keys.length === 0 ? (
        <p className="muted">No API keys yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="keys-table">
            <caption className="sr-only">Your API keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id} className={k.revokedAt ? 'revoked' : undefined}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>
                    <ul className="tags">
                      {k.scopes.map((s) => (
                        <li key={s} className="badge">
                          {s}
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>{when(k.createdAt)}</td>
                  <td>
                    {k.revokedAt ? (
                      <span className="muted">Revoked {when(k.revokedAt)}</span>
                    ) : confirming === k.id ? (
                      <ConfirmInline
                        question={`Revoke ${k.name}? Programs using it stop working at once.`}
                        confirm="Yes, revoke"
                        onConfirm={() => revoke(k)}
                        onCancel={() => setConfirming(null)}
                      />
                    ) : (
                      <button
                        type="button"
                        className="secondary button-small"
                        aria-label={`Revoke ${k.name}`}
                        onClick={() => setConfirming(k.id)}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form onSubmit={create} className="card inline-form" aria-labelledby={`${id}-title`}>
        <h3 id={`${id}-title`}>Create a key</h3>
        <div className="field">
          <label htmlFor={`${id}-name`}>Key name</label>
          <input
            id={`${id}-name`}
            required
            maxLength={100}
            placeholder="CI pipeline"
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <fieldset className="checks">
          <legend>Scopes</legend>
          {keysOf(SCOPES).map((s) => (
            <label key={s} className="check-option">
              <input
                type="checkbox"
                checked={scopes.has(s)}
                onChange={(e) => {
                  const next = new Set(scopes);
                  if (e.target.checked) next.add(s);
                  else next.delete(s);
                  setScopes(next);
                }}
              />
              <code>{s}</code> <span className="muted">{SCOPES[s]}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={busy}>
          Create key
        </button>
      </form>
    </section>
  );
}

function ConfirmInline({
  question,
  confirm,
  onConfirm,
  onCancel,
}: {
  question: string;
  confirm: string;
  onConfirm: () => void | Promise<void>;
  onCancel: () => void;
}) {
  const button = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    button.current?.focus();
  }, []);
  return (
    <fieldset className="confirm">
      <legend>{question}</legend>
      <div className="row">
        <button
          ref={button}
          type="button"
          className="danger button-small"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await onConfirm();
            } finally {
              setBusy(false);
            }
          }}
        >
          {confirm}
        </button>
        <button type="button" className="secondary button-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </fieldset>
  );
}

// --- Webhook endpoints ---------------------------------------------------------------------------

function WebhookEndpoints() {
  const id = useId();
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<Set<EventType>>(() => new Set(['run.succeeded', 'run.failed']));
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);

  const load = useCallback(async () => {
    try {
      setEndpoints((await api.webhookEndpoints.list({ limit: 100 })).data);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (events.size === 0) {
      setError(new Error('Choose at least one event.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body: WebhookEndpointCreate = { url: url.trim(), events: [...events] };
      if (description.trim()) body.description = description.trim();
      const endpoint = await api.webhookEndpoints.create(body);
      setSecret({ url: endpoint.url, secret: endpoint.secret });
      setUrl('');
      setDescription('');
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="hooks-title">
      <h2 id="hooks-title">Webhook endpoints</h2>
      <p className="muted">
        Jeton POSTs an event to your URL when a run ends or asks a question, a top-up is credited or a payout
        is made. Each request is signed (Standard Webhooks): verify it with the endpoint's secret.
      </p>
      <ErrorNotice error={error} />
      {secret ? (
        <SecretOnce label="Signing secret" value={secret.secret} onDone={() => setSecret(null)}>
          The signing secret of <code>{secret.url}</code>.
        </SecretOnce>
      ) : null}
      {endpoints === null ? (
        error ? null : (
          <Loading />
        )
      ) : endpoints.length === 0 ? (
        <p className="muted">No webhook endpoints yet.</p>
      ) : (
        <ul className="endpoints">
          {endpoints.map((e) => (
            <li key={e.id}>
              <Endpoint
                endpoint={e}
                onChanged={load}
                onSecret={(s) => setSecret({ url: e.url, secret: s })}
              />
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={create} className="card inline-form" aria-labelledby={`${id}-title`}>
        <h3 id={`${id}-title`}>Add an endpoint</h3>
        <div className="field">
          <label htmlFor={`${id}-url`}>Endpoint URL</label>
          <input
            id={`${id}-url`}
            type="url"
            inputMode="url"
            required
            maxLength={2000}
            placeholder="https://example.com/jeton-hooks"
            autoComplete="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-description`}>Description (optional)</label>
          <input
            id={`${id}-description`}
            maxLength={500}
            autoComplete="off"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <fieldset className="checks">
          <legend>Events</legend>
          {keysOf(EVENTS).map((ev) => (
            <label key={ev} className="check-option">
              <input
                type="checkbox"
                checked={events.has(ev)}
                onChange={(e) => {
                  const next = new Set(events);
                  if (e.target.checked) next.add(ev);
                  else next.delete(ev);
                  setEvents(next);
                }}
              />
              <code>{ev}</code> <span className="muted">{EVENTS[ev]}</span>
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={busy}>
          Add endpoint
        </button>
      </form>
    </section>
  );
}

function Endpoint({
  endpoint,
  onChanged,
  onSecret,
}: {
  endpoint: WebhookEndpoint;
  onChanged: () => Promise<void>;
  onSecret: (secret: string) => void;
}) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<'delete' | 'rotate' | null>(null);
  const [open, setOpen] = useState(false);
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const headingId = useId();

  const loadDeliveries = useCallback(async () => {
    try {
      setDeliveries((await api.webhookEndpoints.deliveries(endpoint.id, { limit: 10 })).data);
    } catch (e) {
      setError(e);
    }
  }, [endpoint.id]);

  useEffect(() => {
    if (open) void loadDeliveries();
  }, [open, loadDeliveries]);

  // While a delivery is on its way, ask again every second or so.
  const pending = deliveries?.some((d) => d.status === 'pending') ?? false;
  useEffect(() => {
    if (!open || !pending) return;
    const timer = setTimeout(() => void loadDeliveries(), 1000);
    return () => clearTimeout(timer);
  }, [open, pending, loadDeliveries]);

  async function act(what: () => Promise<void>) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await what();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const label = endpoint.description || endpoint.url;
  return (
    <article className="card endpoint" aria-labelledby={headingId}>
      <header className="endpoint-header">
        <h3 id={headingId}>
          <code className="endpoint-url">{endpoint.url}</code>
        </h3>
        <span className={`badge ${endpoint.enabled ? 'badge-ok' : ''}`}>
          {endpoint.enabled ? 'enabled' : 'disabled'}
        </span>
      </header>
      {endpoint.description ? <p>{endpoint.description}</p> : null}
      <ul className="tags" aria-label="Events">
        {endpoint.events.map((ev) => (
          <li key={ev} className="badge">
            {ev}
          </li>
        ))}
      </ul>
      <p className="muted small">Added {when(endpoint.createdAt)}</p>
      <ErrorNotice error={error} />
      {notice ? (
        <p className="notice notice-ok" role="status">
          {notice}
        </p>
      ) : null}
      {confirming ? (
        <ConfirmInline
          question={
            confirming === 'delete'
              ? `Delete the endpoint ${label}? Its deliveries stop.`
              : `Rotate the signing secret of ${label}? The old one stops working at once.`
          }
          confirm={confirming === 'delete' ? 'Yes, delete' : 'Yes, rotate'}
          onCancel={() => setConfirming(null)}
          onConfirm={() =>
            act(async () => {
              if (confirming === 'delete') {
                await api.webhookEndpoints.delete(endpoint.id);
                setConfirming(null);
                await onChanged();
              } else {
                const rotated = await api.webhookEndpoints.rotateSecret(endpoint.id);
                setConfirming(null);
                onSecret(rotated.secret);
              }
            })
          }
        />
      ) : (
        <div className="row endpoint-actions">
          <button
            type="button"
            className="secondary button-small"
            disabled={busy}
            onClick={() =>
              act(async () => {
                await api.webhookEndpoints.test(endpoint.id);
                setNotice('Test event queued: see its delivery below.');
                setOpen(true);
                await loadDeliveries();
              })
            }
          >
            Send test event
          </button>
          <button
            type="button"
            className="secondary button-small"
            disabled={busy}
            onClick={() =>
              act(async () => {
                await api.webhookEndpoints.update(endpoint.id, { enabled: !endpoint.enabled });
                await onChanged();
              })
            }
          >
            {endpoint.enabled ? 'Disable' : 'Enable'}
          </button>
          <button
            type="button"
            className="secondary button-small"
            disabled={busy}
            onClick={() => setConfirming('rotate')}
          >
            Rotate secret
          </button>
          <button
            type="button"
            className="secondary button-small button-danger-outline"
            disabled={busy}
            onClick={() => setConfirming('delete')}
          >
            Delete
          </button>
        </div>
      )}
      <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>Recent deliveries</summary>
        {deliveries === null ? (
          open ? (
            <Loading />
          ) : null
        ) : deliveries.length === 0 ? (
          <p className="muted">No deliveries yet: send a test event.</p>
        ) : (
          <div className="table-wrap">
            <table className="deliveries">
              <caption className="sr-only">Recent deliveries to {endpoint.url}</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Answer</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.map((d) => (
                  <DeliveryRow key={d.id} d={d} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {open ? (
          <button type="button" className="link-button refresh" onClick={() => void loadDeliveries()}>
            Refresh deliveries
          </button>
        ) : null}
      </details>
    </article>
  );
}

function DeliveryRow({ d }: { d: Delivery }) {
  const code = d.lastStatusCode;
  const good = code !== null && code >= 200 && code < 300;
  return (
    <tr>
      <td>
        <code>{d.event}</code>
      </td>
      <td>
        <span
          className={`badge ${d.status === 'succeeded' ? 'badge-ok' : d.status === 'failed' ? 'badge-bad' : ''}`}
        >
          {d.status}
        </span>
      </td>
      <td>
        {code === null ? (
          <span className="muted">{d.lastError ?? '—'}</span>
        ) : (
          <span className={`status-code ${good ? 'ok' : 'bad'}`}>HTTP {code}</span>
        )}
      </td>
      <td>{d.attempts}</td>
      <td>{when(d.createdAt)}</td>
    </tr>
  );
}
