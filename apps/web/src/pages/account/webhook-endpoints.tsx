import type { components, WebhookEndpointCreate } from '@jeton/sdk';
import { type FormEvent, useId, useState } from 'react';
import { api } from '../../api.ts';
import { SecretOnce } from '../../ui/account-kit.tsx';
import { CheckboxSet } from '../../ui/checkbox-set.tsx';
import { ErrorNotice, Field, Loading } from '../../ui/components.tsx';
import { useLoaded } from '../../ui/use-loaded.ts';
import { Endpoint } from './webhook-endpoint.tsx';

type EventType = components['schemas']['WebhookEventType'];

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

const listEndpoints = async () => (await api.webhookEndpoints.list({ limit: 100 })).data;

/** The account's webhook endpoints: listed, added (the signing secret shown once), each managed. */
export function WebhookEndpoints() {
  const id = useId();
  const { data: endpoints, error, setError, reload } = useLoaded(listEndpoints);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<Set<EventType>>(() => new Set(['run.succeeded', 'run.failed']));
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);

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
      await reload();
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
                onChanged={reload}
                onSecret={(s) => setSecret({ url: e.url, secret: s })}
              />
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={create} className="card inline-form" aria-labelledby={`${id}-title`}>
        <h3 id={`${id}-title`}>Add an endpoint</h3>
        <Field id={`${id}-url`} label="Endpoint URL">
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
        </Field>
        <Field id={`${id}-description`} label="Description (optional)">
          <input
            id={`${id}-description`}
            maxLength={500}
            autoComplete="off"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
        <CheckboxSet legend="Events" options={EVENTS} selected={events} onChange={setEvents} />
        <button type="submit" disabled={busy}>
          Add endpoint
        </button>
      </form>
    </section>
  );
}
