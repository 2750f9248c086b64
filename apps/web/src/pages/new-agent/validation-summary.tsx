import type { Verdict } from './live-validation.ts';

/** What the platform said of the manifest last: checking, valid, or its issues. */
export function ValidationSummary({
  verdict,
  touched,
  showAll,
}: {
  verdict: Verdict;
  touched: boolean;
  showAll: boolean;
}) {
  return (
    <div id="validation-status" className="validation" aria-live="polite">
      {!touched ? (
        <p className="muted">The manifest is checked by the platform as you type.</p>
      ) : verdict.state === 'checking' || verdict.state === 'idle' ? (
        <p className="muted">Checking…</p>
      ) : verdict.ok ? (
        <p className="validation-ok">
          <span className="badge badge-ok">valid</span> The platform accepts this manifest.
        </p>
      ) : (
        <>
          <p className="validation-bad">
            <span className="badge badge-bad">
              {verdict.issues.length} {verdict.issues.length === 1 ? 'issue' : 'issues'}
            </span>{' '}
            {showAll
              ? 'The platform refuses this manifest:'
              : 'The platform refuses this manifest (details by each field).'}
          </p>
          <ul className="issues" aria-label="Manifest issues">
            {verdict.issues.map((i) => (
              <li key={`${i.path} ${i.message}`}>
                <code>{i.path}</code> {i.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
