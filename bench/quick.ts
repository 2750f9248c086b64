// Scratch: one configuration, printed. Not part of `npm run bench`.
import { measureCycles, openBenchDatabase } from './ledger-cycles.ts';

const engine = (process.env.ENGINE ?? 'postgres') as 'postgres' | 'pglite';
const b = await openBenchDatabase(engine);
const mode = (process.env.MODE ?? 'batched') as 'batched' | 'naive';
const r = await measureCycles(b.handle, {
  mode,
  callers: Number(process.env.CALLERS ?? 64),
  seconds: Number(process.env.SECONDS ?? 4),
  tag: 'x',
});
console.log(engine, mode, r.callers, Math.round(r.perSecond), r.verified);
await b.drop();
