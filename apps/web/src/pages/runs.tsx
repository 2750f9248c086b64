import type { RunStatus } from '@jeton/sdk';
import { useEffect, useId, useState } from 'react';
import { Link } from 'wouter';
import { api } from '../api.ts';
import { RunStatusBadge, SignedInPage } from '../ui/account-kit.tsx';
import { ErrorNotice, Loading, Page } from '../ui/components.tsx';
import { shortCredits, when } from '../ui/format.ts';
import { LoadMoreButton, usePagedList } from '../ui/paged-list.tsx';

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
  return (
    <SignedInPage title="My runs" what="your runs">
      {() => <RunsView />}
    </SignedInPage>
  );
}

function RunsView() {
  const id = useId();
  const [status, setStatus] = useState<RunStatus | ''>('');
  const [error, setError] = useState<unknown>(null);
  const list = usePagedList(
    (cursor) => api.runs.list({ limit: 20, cursor, ...(status ? { status } : {}) }),
    setError,
  );
  const { items: runs, reset } = list;

  useEffect(() => {
    let live = true;
    reset(null);
    setError(null);
    api.runs
      .list({ limit: 20, ...(status ? { status } : {}) })
      .then((page) => {
        if (live) reset(page);
      })
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [status, reset]);

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
          <LoadMoreButton list={list} />
        </>
      )}
    </Page>
  );
}
