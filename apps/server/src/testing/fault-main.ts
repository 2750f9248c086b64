/**
 * A real API or worker process for the fault test (`ROLE=api|worker`), running the real server with
 * two test agents: `steady` (retry-safe) and `fragile` (not). Each works for a random 10-150 ms, so
 * that a SIGKILL often lands in the middle of a run. Prints `{"url": ...}` once it is ready.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, loadConfig, RegistryExecutor } from '@jeton/core';
import { startServer } from '../server.ts';

const work = async (ctx: { signal: AbortSignal; progress: (p: number, m: string) => void }) => {
  ctx.progress(10, 'working');
  await sleep(10 + Math.floor(Math.random() * 140), undefined, { signal: ctx.signal });
};

const loaded = loadConfig();
if (!loaded.ok) throw new Error(loaded.errors.join('; '));
const role = process.env.ROLE === 'worker' ? 'worker' : 'api';
const server = await startServer(loaded.config, createLogger(loaded.config.logLevel), {
  api: role === 'api',
  worker: role === 'worker',
  executor: new RegistryExecutor({ steady: work, fragile: work }),
});
process.stdout.write(`${JSON.stringify({ ready: true, url: server.url })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
