import { runMain } from './run.ts';

/** `npm start`: the whole marketplace in one process. */
await runMain();
