/**
 * An API or worker process for the run benchmark (`ROLE=api|worker`): the real server with one
 * built-in agent, `noop`, which does nothing, so that what is measured is the platform's own work.
 */
import { RegistryExecutor } from '@jeton/core';
import { runRoleProcess } from '@jeton/server';

await runRoleProcess(new RegistryExecutor({ noop: async () => {} }));
