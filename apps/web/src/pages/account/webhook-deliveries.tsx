import type { WebhookDeliveryPage } from '@jeton/sdk';
import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { Loading } from '../../ui/components.tsx';
import { when } from '../../ui/format.ts';

type Delivery = WebhookDeliveryPage['data'][number];

/**
 * An endpoint's recent deliveries, loaded when the list is opened, and asked for again every second
 * or so while one is on its way.
 */
export function useDeliveries(endpointId: string, onError: (error: unknown) => void) {
  const [open, setOpen] = useState(false);
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);

  const reload = useCallback(async () => {
    try {
      setDeliveries((await api.webhookEndpoints.deliveries(endpointId, { limit: 10 })).data);
    } catch (e) {
      onError(e);
    }
  }, [endpointId, onError]);

  useEffect(() => {
    if (open) void reload();
  }, [open, reload]);

  const pending = deliveries?.some((d) => d.status === 'pending') ?? false;
  useEffect(() => {
    if (!open || !pending) return;
    const timer = setTimeout(() => void reload(), 1000);
    return () => clearTimeout(timer);
  }, [open, pending, reload]);

  return { open, setOpen, deliveries, reload };
}

/** "Recent deliveries": a disclosure with the deliveries' table and a Refresh button. */
export function RecentDeliveries({
  url,
  open,
  onToggle,
  deliveries,
  onRefresh,
}: {
  url: string;
  open: boolean;
  onToggle: (open: boolean) => void;
  deliveries: Delivery[] | null;
  onRefresh: () => void;
}) {
  return (
    <details open={open} onToggle={(e) => onToggle(e.currentTarget.open)}>
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
            <caption className="sr-only">Recent deliveries to {url}</caption>
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
        <button type="button" className="link-button refresh" onClick={onRefresh}>
          Refresh deliveries
        </button>
      ) : null}
    </details>
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
