/**
 * A real API or worker process for the fault test (`ROLE=api|worker`), running the real server with
 * two test agents: `steady` (retry-safe) and `fragile` (not). Each works for a random 10-150 ms, so
 * that a SIGKILL often lands in the middle of a run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type AgentContext, RegistryExecutor } from '@jeton/core';
import { runRoleProcess } from '../role-process.ts';

const work = async (ctx: AgentContext) => {
  ctx.progress(10, 'working');
  await sleep(10 + Math.floor(Math.random() * 140), undefined, { signal: ctx.signal });
};

await runRoleProcess(new RegistryExecutor({ steady: work, fragile: work }));
