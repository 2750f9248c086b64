import { AuthenticationError, isFinalStatus, NotFoundError, type RunStatus } from '@jeton/sdk';
import { Link } from 'wouter';
import { ErrorNotice, Loading, Page } from '../ui/components.tsx';
import { credits, when } from '../ui/format.ts';
import { CancelButton } from './run/cancel-button.tsx';
import { Charges } from './run/charges.tsx';
import { Files, useArtifacts } from './run/files.tsx';
import { useLiveRun } from './run/live-events.ts';
import { Logs } from './run/logs.tsx';
import { Outcome } from './run/outcome.tsx';
import { QuestionForm } from './run/question-form.tsx';
import { ReviewForm } from './run/review-form.tsx';
import { ProgressBar, STATUS_WORDS, StatusBadge } from './run/status.tsx';

/**
 * A run, live: progress, questions answered in place, charges, files, logs; once over, who was at
 * fault and what was refunded, and a review.
 */
export default function RunPage({ id }: { id: string }) {
  const { run, setRun, live, loadError, streamError } = useLiveRun(id);

  const status: RunStatus | null = live.status ?? run?.status ?? null;
  const final = status !== null && isFinalStatus(status);
  const { artifacts, error: artifactsError } = useArtifacts(id, live.artifactEvents, final);

  if (loadError) {
    if (loadError instanceof AuthenticationError) {
      return (
        <Page title="Run">
          <p>
            <Link href="/sign-in">Sign in</Link> to see this run.
          </p>
        </Page>
      );
    }
    if (loadError instanceof NotFoundError) {
      return (
        <Page title="Run not found">
          <p>
            There is no run {id} among yours. <Link href="/runs">Your runs</Link>.
          </p>
        </Page>
      );
    }
    return (
      <Page title="Run">
        <ErrorNotice error={loadError} />
      </Page>
    );
  }
  if (!run || !status) return <Loading label="Loading the run…" />;

  const question = live.question ?? (status === 'awaiting_input' && run.question ? run.question : null);
  const failure = live.failure ?? run.failure ?? null;
  const charged = run.charged ?? live.charged;
  const refunded = run.refunded ?? live.refunded;
  const percent = status === 'succeeded' ? 100 : live.percent;
  const running = !final;

  return (
    <Page
      title={`Run of ${run.agent.slug}`}
      actions={
        <p className="run-status-line" aria-live="polite">
          <span className="sr-only">Status: </span>
          <StatusBadge status={status} />
        </p>
      }
    >
      <p className="muted run-meta">
        <Link href={`/agents/${run.agent.slug}`}>{run.agent.slug}</Link> version {run.agent.version} · started{' '}
        {when(run.createdAt)} · <code>{run.id}</code> · quote {credits(run.quote)}
      </p>

      <section className="card run-progress" aria-labelledby="run-progress-title">
        <h2 id="run-progress-title">Progress</h2>
        <ProgressBar percent={percent} status={status} message={live.message} />
        <p className="run-message" aria-live="polite">
          {live.message || (status === 'queued' ? 'Waiting for a worker…' : STATUS_WORDS[status])}
          {run.waitingFor && status === 'queued' ? ' (waiting for a free slot)' : ''}
        </p>
        {running ? <CancelButton id={id} onCancelled={setRun} /> : null}
        <ErrorNotice error={streamError} />
        {streamError ? (
          <button type="button" className="secondary button-small" onClick={() => window.location.reload()}>
            Reload the page
          </button>
        ) : null}
      </section>

      {question && status === 'awaiting_input' ? (
        <QuestionForm runId={id} agent={run.agent.slug} question={question} key={question.id} />
      ) : null}

      {final ? (
        <Outcome status={status} failure={failure} charged={charged} refunded={refunded} quote={run.quote} />
      ) : null}

      <Charges charges={live.charges} quote={run.quote} charged={charged} final={final} />

      <Files artifacts={artifacts} error={artifactsError} final={final} />

      <Logs logs={live.logs} />

      {status === 'succeeded' || status === 'failed' ? <ReviewForm runId={id} /> : null}
    </Page>
  );
}
