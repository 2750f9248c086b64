import { parse } from '../api/args.ts';
import { UsageError } from '../api/report.ts';

// The commands that run the platform itself, configured like the server (see .env.example). The
// platform's modules are imported when one of them runs: the API client commands start faster without.

export const serveUsage = `Usage: jeton serve [--api-only]

Starts the marketplace (API and a worker) on the configured database: DATABASE_URL for Postgres,
otherwise the embedded database under JETON_DATA_DIR (default ./.jeton). With --api-only (Postgres),
the API alone: run workers beside it. Runs until SIGINT or SIGTERM.`;

export const workerUsage = `Usage: jeton worker

Executes runs (Postgres): start as many as the load needs, on any machine that reaches DATABASE_URL.
Runs until SIGINT or SIGTERM.`;

export const ledgerVerifyUsage = `Usage: jeton ledger verify [--json]

Recomputes every balance from the transfers and checks every invariant, in one read-only snapshot
of the configured database (safe on a live one).
Exit codes: 0 sound, 1 a check failed (the offending accounts are named), 2 could not run.`;

async function config() {
  const { loadConfig } = await import('@jeton/core');
  const loaded = loadConfig();
  if (!loaded.ok) {
    throw new UsageError(`Invalid configuration (see .env.example):\n  ${loaded.errors.join('\n  ')}`);
  }
  return loaded.config;
}

/** Returns -1: the process keeps running until a signal. */
export async function serve(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { 'api-only': { type: 'boolean' } });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
  await config();
  const { runMain } = await import('@jeton/server');
  await runMain({ api: true, worker: values['api-only'] !== true });
  return -1;
}

export async function worker(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {});
  if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
  if (!(await config()).databaseUrl) {
    throw new UsageError(
      'jeton worker shares the work through Postgres: set DATABASE_URL (the embedded database runs one process: jeton serve).',
    );
  }
  const { runMain } = await import('@jeton/server');
  await runMain({ api: false, worker: true });
  return -1;
}

export async function verify(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument: ${positionals[0]}`);
  const { ledgerVerify } = await import('./ledger-verify.ts');
  return ledgerVerify(await config(), { json: values.json === true });
}
