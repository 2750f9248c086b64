import type { Run } from '@jeton/sdk';
import { useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/components.tsx';

/** "Cancel run", with the run as the API has it afterwards. */
export function CancelButton({ id, onCancelled }: { id: string; onCancelled(run: Run): void }) {
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
