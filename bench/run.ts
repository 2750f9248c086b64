import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Engine } from '@jeton/db';
import { type CycleResult, measureCycles, openBenchDatabase } from './ledger-cycles.ts';
import { describeMachine } from './machine.ts';

/**
 * `npm run bench`: measures, then rewrites its section of BENCHMARKS.md. Postgres runs when
 * DATABASE_URL is set. Each figure is the median of BENCH_REPEATS measurements (default 3) of
 * BENCH_SECONDS each (default 4): on a shared 2-core machine one measurement varies by ±15%.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const engines = (process.env.BENCH_ENGINES?.split(',') ?? ['pglite', 'postgres']).filter(
  (e): e is Engine =>
    (e === 'pglite' || e === 'postgres') && (e === 'pglite' || Boolean(process.env.DATABASE_URL)),
);
// 256 shows where group commit levels off once batches are large. BENCH_CALLERS=64 measures one row.
const callerCounts = process.env.BENCH_CALLERS?.split(',').map(Number) ?? [1, 16, 64, 256];
/** Only a full run rewrites BENCHMARKS.md. */
const partial = Boolean(process.env.BENCH_ENGINES || process.env.BENCH_CALLERS);

async function main(): Promise<void> {
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
  else writeReport(results);
}

function postgresVersion(): string {
  try {
    return execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'psql not found';
  }
}

function writeReport(results: CycleResult[]): void {
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

/** Replaces one section of BENCHMARKS.md, keeping the others that other benchmarks wrote. */
function replaceSection(file: string, heading: string, section: string): void {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmarks\n\nWritten by `npm run bench`; each section says its machine and command.\n\n';
  }
  const start = text.indexOf(heading);
  if (start < 0) {
    writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', start + heading.length);
  writeFileSync(file, text.slice(0, start) + section + (next < 0 ? '' : text.slice(next + 1)));
}

await main();
