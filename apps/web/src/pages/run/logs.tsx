import type { LogLine } from './live-events.ts';

/** The agent's log lines, in a scrolling region. */
export function Logs({ logs }: { logs: LogLine[] }) {
  return (
    <section aria-labelledby="run-log-title">
      <h2 id="run-log-title">Log</h2>
      {logs.length === 0 ? (
        <p className="muted">No log lines.</p>
      ) : (
        // A scrolling region: focusable, so that the keyboard can scroll it.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
        <section className="run-log" tabIndex={0} aria-label="Log lines">
          <ol>
            {logs.map((l) => (
              <li key={l.seq} className={`log-${l.level}`}>
                <time dateTime={l.at}>{new Date(l.at).toLocaleTimeString('en-GB')}</time>{' '}
                {l.level !== 'info' ? <strong>{l.level}: </strong> : null}
                {l.message}
              </li>
            ))}
          </ol>
        </section>
      )}
    </section>
  );
}
