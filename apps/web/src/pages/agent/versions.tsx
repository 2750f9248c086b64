import type { AgentPage as Agent } from '@jeton/sdk';
import { when } from '../../ui/format.ts';

/** "Versions": each published version, its tests and its changes. */
export function Versions({ agent }: { agent: Agent }) {
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
