import type { RunStatus } from '@jeton/sdk';

export const STATUS_WORDS: Record<RunStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  awaiting_input: 'Waiting for your answer',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  timed_out: 'Timed out',
};

export function StatusBadge({ status }: { status: RunStatus }) {
  const tone =
    status === 'succeeded' ? 'badge-ok' : status === 'failed' || status === 'timed_out' ? 'badge-bad' : '';
  return <span className={`badge run-status ${tone}`}>{STATUS_WORDS[status]}</span>;
}

export function ProgressBar({
  percent,
  status,
  message,
}: {
  percent: number | null;
  status: RunStatus;
  message: string;
}) {
  const value = percent === null ? null : Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div
      className={`progress run-progress-bar ${value === null ? 'progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label="Run progress"
      aria-valuemin={0}
      aria-valuemax={100}
      {...(value === null ? {} : { 'aria-valuenow': value })}
      aria-valuetext={value === null ? STATUS_WORDS[status] : `${value}%${message ? `: ${message}` : ''}`}
    >
      <div style={value === null ? undefined : { width: `${value}%` }} />
    </div>
  );
}
