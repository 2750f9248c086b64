import type { ApiKey, NewApiKey } from '@jeton/sdk';
import { type FormEvent, useId, useState } from 'react';
import { api } from '../../api.ts';
import { SecretOnce } from '../../ui/account-kit.tsx';
import { CheckboxSet, keysOf } from '../../ui/checkbox-set.tsx';
import { ErrorNotice, Field, Loading } from '../../ui/components.tsx';
import { ConfirmInline } from '../../ui/confirm-inline.tsx';
import { when } from '../../ui/format.ts';
import { useLoaded } from '../../ui/use-loaded.ts';

type Scope = ApiKey['scopes'][number];

/** Every scope of the API's enum (the compiler checks that none is missing). */
const SCOPES = {
  'runs:read': 'Read runs and their artifacts',
  'runs:write': 'Start, cancel and answer runs (spends credits)',
  'wallet:read': 'Read the wallet',
  'wallet:write': 'Buy credits',
  'agents:write': 'Save and publish agents',
  'webhooks:write': 'Manage webhook endpoints',
} as const satisfies Record<Scope, string>;

const listKeys = () => api.apiKeys.list();

/** The account's API keys: listed (prefix only), created (the key shown once), revoked. */
export function ApiKeys() {
  const id = useId();
  const { data: keys, error, setError, reload } = useLoaded(listKeys);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Set<Scope>>(() => new Set(keysOf(SCOPES)));
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

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
      await reload();
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
      await reload();
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
        <Field id={`${id}-name`} label="Key name">
          <input
            id={`${id}-name`}
            required
            maxLength={100}
            placeholder="CI pipeline"
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <CheckboxSet legend="Scopes" options={SCOPES} selected={scopes} onChange={setScopes} />
        <button type="submit" disabled={busy}>
          Create key
        </button>
      </form>
    </section>
  );
}
