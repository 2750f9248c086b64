import { type CycleResult, measureCycles, openBenchDatabase } from '../ledger-cycles.ts';
import { describeMachine, postgresVersion } from '../machine.ts';
import { replaceSection } from '../report.ts';
import { callerCounts, engines, partial, repeats, seconds } from '../settings.ts';

/** `BENCH_ONLY=ledger`: payment cycles per second, group commit against one transaction per call. */
export async function ledgerBench(): Promise<void> {
  const results: CycleResult[] = [];
  for (const engine of engines) {
    const bench = await openBenchDatabase(engine);
    try {
      for (const callers of callerCounts) {
        for (const mode of ['batched', 'naive'] as const) {
          const runs = [];
          for (let i = 0; i < repeats; i++) {
            runs.push(
              await measureCycles(bench.handle, { mode, callers, seconds, tag: `${mode}${callers}r${i}` }),
            );
          }
          runs.sort((x, y) => x.perSecond - y.perSecond);
          const median = { ...runs[Math.floor(runs.length / 2)]!, verified: runs.every((r) => r.verified) };
          results.push({ engine, ...median });
          const all = runs.map((r) => r.perSecond.toFixed(0)).join(', ');
          console.log(
            `${engine} ${mode} ${callers} callers: median ${median.perSecond.toFixed(0)} of [${all}] cycles/s (verify ${median.verified ? 'ok' : 'FAILED'})`,
          );
        }
      }
    } finally {
      await bench.drop();
    }
  }
  if (partial) console.log('(a partial run: BENCHMARKS.md left as it was)');
  else writeLedgerReport(results);
}

function writeLedgerReport(results: CycleResult[]): void {
  const rows = results
    .filter((r) => r.mode === 'batched')
    .map((b) => {
      const naive = results.find(
        (n) => n.mode === 'naive' && n.engine === b.engine && n.callers === b.callers,
      );
      const ratio = naive && naive.perSecond > 0 ? (b.perSecond / naive.perSecond).toFixed(1) : 'n/a';
      return `| ${b.engine} | ${b.callers} | ${b.perSecond.toFixed(0)} | ${naive?.perSecond.toFixed(0) ?? 'n/a'} | ${ratio}× | ${b.verified && naive?.verified ? 'ok' : 'FAILED'} |`;
    });
  const section = [
    '## Ledger: payment cycles per second',
    '',
    'A cycle is a hold of 50 credits, then a capture of 37 with the 80/20 creator/platform split (each',
    'capture posts up to five transfers). Each caller is a buyer with its own wallet; captures pay 8',
    'creators, so escrow, revenue and creator accounts are shared. *Batched* is the ledger as shipped',
    '(group commit: commands that arrive while a transaction is in flight share the next one). *Naive*',
    'is the same ledger code with one transaction per call (a hold or a capture, with all its transfers)',
    'on a pool of 20 connections: kinder to the baseline than one transaction per transfer. Every',
    'measurement ends with `ledger verify` over the whole database.',
    '',
    `- Machine: ${describeMachine()}`,
    `- Postgres: ${postgresVersion()} (local, default settings, fsync on); PGlite persisted to a temp directory`,
    `- Command: \`npm run bench\` (median of ${repeats} measurements of ${seconds} s each${process.env.DATABASE_URL ? ', DATABASE_URL set' : ''})`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| engine | callers | batched cycles/s | naive cycles/s | batched ÷ naive | verify |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  replaceSection('BENCHMARKS.md', '## Ledger: payment cycles per second', section);
}
