import type { Run, RunStatus } from '@jeton/sdk';
import { useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import { api, useSession } from '../api.ts';
import { RunStatusBadge, SignInPrompt } from '../ui/account-kit.tsx';
import { ErrorNotice, Loading, Page } from '../ui/components.tsx';
import { shortCredits, when } from '../ui/format.ts';

const STATUSES: RunStatus[] = [
  'queued',
  'running',
  'awaiting_input',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
];

export default function RunsPage() {
  const { me } = useSession();
  if (me === undefined) return <Loading />;
  if (me === null) return <SignInPrompt title="My runs" what="your runs" />;
  return <RunsView />;
}

function RunsView() {
  const id = useId();
  const [status, setStatus] = useState<RunStatus | ''>('');
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    let live = true;
    setRuns(null);
    setError(null);
    api.runs
      .list({ limit: 20, ...(status ? { status } : {}) })
      .then((page) => {
        if (!live) return;
        setRuns(page.data);
        setCursor(page.nextCursor ?? null);
      })
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [status]);

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await api.runs.list({ limit: 20, cursor, ...(status ? { status } : {}) });
      setRuns((prev) => [...(prev ?? []), ...page.data]);
      setCursor(page.nextCursor ?? null);
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <Page
      title="My runs"
      actions={
        <div className="field runs-filter">
          <label htmlFor={`${id}-status`}>Status</label>
          <select
            id={`${id}-status`}
            value={status}
            onChange={(e) => setStatus(e.target.value as RunStatus | '')}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </div>
      }
    >
      <ErrorNotice error={error} />
      {runs === null ? (
        error ? null : (
          <Loading />
        )
      ) : runs.length === 0 ? (
        <p className="muted">
          {status ? `No ${status.replace('_', ' ')} runs.` : 'No runs yet.'}{' '}
          <Link href="/">Find an agent to run</Link>.
        </p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="runs-table">
              <caption className="sr-only">Your runs, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Charged
                  </th>
                  <th scope="col" className="num">
                    Refunded
                  </th>
                  <th scope="col">Started</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((run) => (
                  <tr key={run.id}>
                    <td>
                      <Link href={`/runs/${run.id}`}>{run.agent.slug}</Link>
                      <div className="muted small">
                        <code>{run.id}</code> · v{run.agent.version}
                      </div>
                    </td>
                    <td>
                      <RunStatusBadge status={run.status} />
                    </td>
                    <td className="num">
                      {run.charged === null ? (
                        <span className="muted" title="Held until the run ends">
                          up to {shortCredits(run.quote)}
                        </span>
                      ) : (
                        shortCredits(run.charged)
                      )}
                    </td>
                    <td className="num">{run.refunded ? shortCredits(run.refunded) : '—'}</td>
                    <td>{when(run.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {cursor ? (
            <p>
              <button type="button" className="secondary" onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Load more'}
              </button>
            </p>
          ) : null}
        </>
      )}
    </Page>
  );
}
