import { AgentFailure, defineAgent } from '@jeton/runtime/sdk';
import { adviseWithModel } from './advice.ts';
import { readArchive } from './archive.ts';
import { scanComplexity } from './complexity.ts';
import { scanManifests } from './dependencies.ts';
import { type TypeCheck, typeCheck } from './diagnostics.ts';
import { atLeast, compareFindings, type Finding, type Level } from './findings.ts';
import manifest from './jeton.agent.json' with { type: 'json' };
import { type Advice, renderReport } from './report.ts';
import { toSarif } from './sarif.ts';
import { redactText, scanSecrets } from './secrets.ts';
import { stopIfAborted } from './stop.ts';

export interface Input {
  archive: string[];
  minSeverity: Level;
}

function totals(findings: readonly Finding[]): string {
  const n = (l: Level) => findings.filter((f) => f.level === l).length;
  return `${n('error')} error(s), ${n('warning')} warning(s), ${n('note')} note(s)`;
}

export default defineAgent<Input>({
  manifest,
  async run(ctx, input) {
    const upload = ctx.files.archive?.[0];
    if (!upload)
      throw new AgentFailure('input_invalid', 'Upload the repository as a .zip or .tar.gz archive.');
    const minSeverity: Level = input.minSeverity ?? 'note';

    ctx.progress(2, `Reading ${upload.name}`);
    const extracted = await readArchive(await upload.bytes(), ctx.signal);
    const { files } = extracted;
    stopIfAborted(ctx.signal);
    ctx.progress(20, `Read ${files.length} text file(s); looking for secrets`);

    const secrets = await scanSecrets(files, ctx.signal);
    stopIfAborted(ctx.signal);
    ctx.progress(30, 'Reviewing package.json dependencies');
    const dependencies = await scanManifests(files, extracted.paths, ctx.signal);
    const notes: string[] = [];
    if (secrets.omitted > 0)
      notes.push(
        `${secrets.omitted} more secret finding(s) past the per-file and total caps were not listed.`,
      );

    ctx.progress(35, 'Type-checking with the TypeScript compiler');
    let check: TypeCheck;
    try {
      check = await typeCheck(files, ctx.signal);
    } catch (error) {
      stopIfAborted(ctx.signal);
      if (error instanceof AgentFailure) throw error;
      // The compiler failing on one odd repository must not cost the buyer the other findings.
      const why = error instanceof Error ? error.message : String(error);
      ctx.log(`The TypeScript check failed: ${why}`, 'warn');
      notes.push(
        `The TypeScript check stopped with an internal error (${why}); no diagnostics or complexity are reported.`,
      );
      check = {
        findings: [],
        sourceFiles: [],
        notes: [],
        compiled: 0,
        skippedFiles: 0,
        suppressed: 0,
        omitted: 0,
      };
    }
    notes.push(...check.notes);
    if (check.omitted > 0)
      notes.push(`${check.omitted} more TypeScript diagnostic(s) past the caps were not listed.`);
    stopIfAborted(ctx.signal);

    ctx.progress(80, 'Measuring cyclomatic complexity');
    const complexity = scanComplexity(check.sourceFiles);
    stopIfAborted(ctx.signal);

    const all = [...secrets.findings, ...dependencies, ...check.findings, ...complexity.findings].map(
      (f) => ({
        ...f,
        message: redactText(f.message),
      }),
    );
    const findings = all.filter((f) => atLeast(f.level, minSeverity)).sort(compareFindings);

    let advice: Advice | null = null;
    if (ctx.model.available && findings.length > 0) {
      ctx.progress(85, 'Asking the model for a summary and fix suggestions');
      advice = await adviseWithModel(ctx, findings, totals(findings));
      stopIfAborted(ctx.signal);
    }

    ctx.progress(95, 'Writing report.md and findings.sarif');
    const skipped = Object.entries(extracted.skipped).map(
      ([why, n]) => `${n} archive entr${n === 1 ? 'y' : 'ies'} skipped: ${why}.`,
    );
    const sarif = toSarif(findings, { toolVersion: manifest.version, notes: [...skipped, ...notes] });
    await ctx.artifact('findings.sarif', JSON.stringify(sarif, null, 2), 'application/sarif+json');
    const report = renderReport({
      archiveName: upload.name,
      extracted,
      minSeverity,
      findings,
      totalFindings: all.length,
      typescript: check,
      complexity,
      notes,
      advice,
    });
    await ctx.artifact('report.md', report, 'text/markdown');
    ctx.progress(100, `Done: ${totals(findings)}`);
  },
});
