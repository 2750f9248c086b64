import type { RunEvent } from '@jeton/sdk';

const WIDTH = 24;

/**
 * Shows a run's events on stderr (stdout stays for results): on a terminal, one bar redrawn in place;
 * otherwise one plain line per progress message, log line and status, for logs and CI.
 */
export function progressView(stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write('\r\x1b[2K');
    drawn = false;
  };
  const line = (text: string) => {
    clear();
    stream.write(`${text}\n`);
  };
  return {
    onEvent(e: RunEvent) {
      switch (e.type) {
        case 'progress': {
          const pct = e.percent === null ? null : Math.max(0, Math.min(100, Math.round(e.percent)));
          if (!tty) return line(`  ${pct === null ? '' : `${pct}% `}${e.message}`);
          const filled = pct === null ? 0 : Math.round((pct / 100) * WIDTH);
          const bar = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${pct === null ? '  ?' : `${pct}`.padStart(3)}%`;
          const columns = stream.columns ?? 80;
          stream.write(`\r\x1b[2K${`${bar} ${e.message}`.slice(0, columns - 1)}`);
          drawn = true;
          return;
        }
        case 'log':
          if (e.level !== 'info') line(`  ${e.level}: ${e.message}`);
          return;
        case 'status':
          return line(`  ${e.status}${e.failure ? `: ${e.failure.message}` : ''}`);
        case 'question':
          return line(
            `  the agent asks: ${e.question.text} (answer with the API: POST /v1/runs/{id}/answer)`,
          );
        case 'artifact':
          return line(`  + ${e.artifact.name} (${e.artifact.size} bytes)`);
        default:
          return;
      }
    },
    done: clear,
  };
}
