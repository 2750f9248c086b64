// A built-in agent's worker thread: TypeScript is loaded through tsx, as in the main process.
import { register } from 'tsx/esm/api';

register();
await import('./thread.ts');
