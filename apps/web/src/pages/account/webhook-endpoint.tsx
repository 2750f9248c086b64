import type { WebhookEndpoint } from '@jeton/sdk';
import { useId, useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/components.tsx';
import { ConfirmInline } from '../../ui/confirm-inline.tsx';
import { when } from '../../ui/format.ts';
import { RecentDeliveries, useDeliveries } from './webhook-deliveries.tsx';

/** One webhook endpoint: its events, test / enable / rotate / delete, and its recent deliveries. */
export function Endpoint({
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
  const [notice, setNotice] = useState<string | null>(null);
  const headingId = useId();
  const { open, setOpen, deliveries, reload: loadDeliveries } = useDeliveries(endpoint.id, setError);

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
      <RecentDeliveries
        url={endpoint.url}
        open={open}
        onToggle={setOpen}
        deliveries={deliveries}
        onRefresh={() => void loadDeliveries()}
      />
    </article>
  );
}
