/**
 * An API or worker process for the run benchmark (`ROLE=api|worker`): the real server with one
 * built-in agent, `noop`, which does nothing, so that what is measured is the platform's own work.
 * Prints `{"ready":true,"url":...}` once it listens (or, for a worker, once it takes jobs).
 */
import { createLogger, loadConfig, RegistryExecutor } from '@jeton/core';
import { startServer } from '@jeton/server';

const noopExecutor = new RegistryExecutor({ noop: async () => {} });

const loaded = loadConfig();
if (!loaded.ok) throw new Error(loaded.errors.join('; '));
const role = process.env.ROLE === 'worker' ? 'worker' : 'api';
const server = await startServer(loaded.config, createLogger(loaded.config.logLevel), {
  api: role === 'api',
  worker: role === 'worker',
  executor: noopExecutor,
});
process.stdout.write(`${JSON.stringify({ ready: true, url: server.url })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
