import { type components, errorFromResponse, JetonError } from '@jeton/sdk';
import { useState } from 'react';
import { useLocation } from 'wouter';
import { api } from '../api.ts';
import { ErrorNotice } from '../ui/components.tsx';

export type TestReport = components['schemas']['TestReport'];
export type PublishedVersion = components['schemas']['PublishedVersion'];
export type CreatorAgent = components['schemas']['CreatorAgent'];

interface TestCase {
  name: string;
  passed?: boolean;
  failures?: string[];
}

/** The body of a successful answer, or the API's problem thrown as a JetonError. */
export function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok) return result.data as T;
  throw errorFromResponse(result.response, result.error);
}

/** A version's test report: every case, passed or failed with its reasons. */
export function TestResults({ report }: { report: TestReport }) {
  const cases = report.cases as TestCase[];
  return (
    <div className="test-report">
      <p>
        Tests:{' '}
        <span
          className={`badge ${report.status === 'passed' ? 'badge-ok' : report.status === 'failed' ? 'badge-bad' : ''}`}
        >
          {report.status}
        </span>
        {report.reason ? <span className="muted"> — {report.reason}</span> : null}
        {report.status === 'none' ? (
          <span className="muted"> — this version declares no test case</span>
        ) : null}
      </p>
      {cases.length > 0 ? (
        <ul className="test-cases">
          {cases.map((c) => (
            <li key={c.name}>
              <span className={`badge ${c.passed ? 'badge-ok' : 'badge-bad'}`}>
                {c.passed ? 'passed' : 'failed'}
              </span>{' '}
              {c.name}
              {!c.passed && c.failures && c.failures.length > 0 ? (
                <ul>
                  {c.failures.map((f) => (
                    <li key={f}>{f}</li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

type Outcome =
  | { kind: 'published'; result: PublishedVersion }
  | { kind: 'refused'; report: TestReport }
  | { kind: 'error'; error: unknown };

/**
 * What a creator does with a draft version: run it (as `slug@version`, with an example input; the run
 * page follows it) or publish it (its test cases run first; a refusal shows the failing cases).
 */
export function DraftActions({
  slug,
  version,
  exampleInput,
  onPublished,
}: {
  slug: string;
  version: string;
  exampleInput: Record<string, unknown>;
  /** When given, the caller shows the publication (this draft's row may be gone once it reloads). */
  onPublished?: (result: PublishedVersion) => void;
}) {
  const [, navigate] = useLocation();
  const [busy, setBusy] = useState<'run' | 'publish' | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const run = async () => {
    setBusy('run');
    setOutcome(null);
    try {
      const r = await api.runs.create({ agent: `${slug}@${version}`, input: exampleInput });
      navigate(`/runs/${r.id}`);
    } catch (error) {
      setOutcome({ kind: 'error', error });
      setBusy(null);
    }
  };

  const publish = async () => {
    setBusy('publish');
    setOutcome(null);
    try {
      const result = ok(
        await api.api.POST('/v1/agents/{slug}/versions/{version}/publish', {
          params: { path: { slug, version } },
        }),
      );
      if (onPublished) onPublished(result);
      else setOutcome({ kind: 'published', result });
    } catch (error) {
      const report =
        error instanceof JetonError && error.type === '/problems/tests-failed' && error.problem.report;
      setOutcome(report ? { kind: 'refused', report: report as TestReport } : { kind: 'error', error });
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="draft-actions">
      <div className="row">
        <button type="button" className="secondary button-small" onClick={run} disabled={busy !== null}>
          {busy === 'run' ? 'Starting…' : `Run draft ${version}`}
        </button>
        <button type="button" className="button-small" onClick={publish} disabled={busy !== null}>
          {busy === 'publish' ? 'Testing and publishing…' : `Publish ${version}`}
        </button>
      </div>
      <div aria-live="polite">
        {outcome?.kind === 'published' ? <PublishedNotice result={outcome.result} /> : null}
        {outcome?.kind === 'refused' ? (
          <div className="notice notice-error" role="alert">
            <p>Not published: a test case failed.</p>
            <TestResults report={outcome.report} />
          </div>
        ) : null}
      </div>
      {outcome?.kind === 'error' ? <ErrorNotice error={outcome.error} /> : null}
    </div>
  );
}

export function PublishedNotice({ result }: { result: PublishedVersion }) {
  return (
    <div className="notice notice-ok" role="status">
      <p>
        Published {result.slug}@{result.version}
        {result.priceChange === 'rise'
          ? `; the price rise takes effect on ${new Date(result.effectiveAt).toLocaleDateString('en-GB')}`
          : ''}
        .
      </p>
      <TestResults report={result.tests} />
    </div>
  );
}
