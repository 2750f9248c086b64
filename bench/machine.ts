import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

/** One line that says what machine a benchmark ran on, so numbers are never read without it. */
export function describeMachine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  return `${model}, ${cpu.length} cores, ${gib} GiB RAM, Node ${process.version}, ${process.platform}`;
}

/** The Postgres the benchmarks ran against, as its client reports it. */
export function postgresVersion(): string {
  try {
    return execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'psql not found';
  }
}
