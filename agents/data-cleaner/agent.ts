import { AgentFailure, defineAgent } from '@jeton/runtime/sdk';
import { cleanPass, emptyCleanResult } from './clean-pass.ts';
import { cleanHeader } from './cleaner.ts';
import manifest from './jeton.agent.json' with { type: 'json' };
import { SAMPLE_BYTES } from './limits.ts';
import { buildProfile, delimiterName } from './profile-json.ts';
import { type PassSettings, type ProfilePassResult, profilePass } from './profile-pass.ts';
import { NotUtf8Error, stopped } from './records.ts';
import { renderReport } from './report.ts';
import { readSample, sniffFormat } from './sniff.ts';
import { summarise } from './summary.ts';

export interface Input {
  csv: string[];
  delimiter: 'auto' | ',' | ';' | 'tab';
  dropDuplicates: boolean;
  trimWhitespace: boolean;
  /** "standard": NA, NULL, None, … are missing values; "empty": only empty and whitespace cells are. */
  missingTokens?: 'standard' | 'empty';
}

/** Reports progress within [from, to] as a share of the file is read, at most once per 5 points. */
function progressBetween(
  report: (percent: number, message: string) => void,
  from: number,
  to: number,
  what: string,
) {
  let last = -1;
  return (share: number) => {
    const percent = Math.round(from + (to - from) * Math.min(1, share));
    if (percent - last < 5 && share < 1) return;
    last = percent;
    report(percent, `${what}: ${Math.round(Math.min(1, share) * 100)}% of the file read`);
  };
}

/**
 * Streams the CSV twice, never holding it whole: pass 1 profiles it (types, missing values, distinct
 * counts, statistics, duplicates by digest, ragged rows); pass 2 writes the cleaned CSV as it reads and
 * counts outliers against the fences pass 1 fixed. Then profile.json and report.md, with a model's
 * plain-language summary when a model is available (optional: the run succeeds without it).
 */
export default defineAgent<Input>({
  manifest,
  async run(ctx, input) {
    const file = ctx.files.csv?.[0];
    if (!file) throw new AgentFailure('input_invalid', 'No CSV file was given.');
    const stopIfAborted = () => {
      if (ctx.signal.aborted) throw stopped();
    };

    ctx.progress(1, 'Reading the start of the file');
    const format = sniffFormat(await readSample(file.stream(), SAMPLE_BYTES), input.delimiter);
    const how = format.delimiterDetected ? 'detected' : 'given';
    ctx.log(`Encoding ${format.encoding}, delimiter "${delimiterName(format.delimiter)}" (${how}).`);
    stopIfAborted();

    const settings: PassSettings = {
      file,
      format,
      trimWhitespace: input.trimWhitespace,
      dropDuplicates: input.dropDuplicates,
      missingTokens: input.missingTokens !== 'empty',
      signal: ctx.signal,
      onRead: progressBetween((p, m) => ctx.progress(p, m), 2, 48, 'Profiling'),
    };
    let pass1: ProfilePassResult;
    try {
      pass1 = await profilePass(settings);
    } catch (error) {
      if (!(error instanceof NotUtf8Error)) throw error;
      // The start looked like UTF-8 but later bytes are not: read it all as Windows-1252 instead of
      // replacing those bytes with "�" behind the buyer's back.
      ctx.log(`${error.message} Reading it as Windows-1252 instead.`, 'warn');
      settings.format = { ...format, encoding: 'windows-1252' };
      pass1 = await profilePass(settings);
    }
    ctx.log(
      `${pass1.dataRows} data rows, ${pass1.columns.length} columns, ${pass1.duplicates.count} duplicates.`,
    );
    stopIfAborted();

    const header = cleanHeader(pass1.header, pass1.columns.length, input.trimWhitespace);
    const pass2 = emptyCleanResult(header.names.length);
    settings.onRead = progressBetween((p, m) => ctx.progress(p, m), 50, 94, 'Cleaning');
    await ctx.artifact('cleaned.csv', cleanPass(settings, pass1, header.names, pass2), 'text/csv');
    stopIfAborted();

    ctx.progress(95, 'Writing the profile and the report');
    const options = {
      trimWhitespace: input.trimWhitespace,
      dropDuplicates: input.dropDuplicates,
      missingTokens: input.missingTokens === 'empty' ? ('empty' as const) : ('standard' as const),
    };
    const profile = buildProfile(
      { name: file.name, bytes: file.size },
      settings.format,
      options,
      pass1,
      header,
      pass2,
    );
    await ctx.artifact('profile.json', JSON.stringify(profile, null, 2), 'application/json');

    let summary: { text: string; model: string } | null = null;
    if (ctx.model.available) {
      ctx.progress(97, 'Asking the model for a plain-language summary');
      try {
        summary = await summarise(ctx.model, profile);
      } catch (error) {
        // The summary is an extra: the profile and the cleaned file stand without it.
        ctx.log(`No model summary: ${error instanceof Error ? error.message : String(error)}`, 'warn');
      }
    }
    stopIfAborted();
    await ctx.artifact('report.md', renderReport(profile, summary), 'text/markdown');
    ctx.progress(100, 'Done');
  },
});
