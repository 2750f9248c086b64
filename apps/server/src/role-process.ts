import { type AgentExecutor, createLogger, loadConfig } from '@jeton/core';
import { startServer } from './server.ts';

/**
 * Runs one role of the platform as its own process (`ROLE=api|worker`) with the given executor: what
 * the fault test and the benchmark start, as `jeton serve --api-only` and `jeton worker` would, with
 * their own agents. Prints `{"ready":true,"url":...}` once it listens (or takes jobs).
 */
export async function runRoleProcess(executor: AgentExecutor): Promise<void> {
  const loaded = loadConfig();
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const role = process.env.ROLE === 'worker' ? 'worker' : 'api';
  const server = await startServer(loaded.config, createLogger(loaded.config.logLevel), {
    api: role === 'api',
    worker: role === 'worker',
    executor,
  });
  process.stdout.write(`${JSON.stringify({ ready: true, url: server.url })}\n`);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}
