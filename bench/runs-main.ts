/**
 * An API or worker process for the run benchmark (`ROLE=api|worker`): the real server with the
 * benchmark's agents (`bench-agents.ts`), so that what is measured is the platform's own work.
 */
import { runRoleProcess } from '@jeton/server';
import { benchExecutor } from './bench-agents.ts';

await runRoleProcess(benchExecutor(process.env.BENCH_MARK_DIR ?? '.'));
