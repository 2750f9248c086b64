import { stringify } from 'csv-stringify/sync';
import { type ColumnChanges, noChanges, ValueCleaner } from './cleaner.ts';
import { ROWS_PER_CHECK, ROWS_PER_OUTPUT_CHUNK } from './limits.ts';
import type { PassSettings, ProfilePassResult } from './profile-pass.ts';
import { readRecords, stopped } from './records.ts';
import { missingKind } from './values.ts';

/** What pass 2 changed, filled in as the cleaned CSV is written. */
export interface CleanPassResult {
  rowsWritten: number;
  duplicatesDropped: number;
  /** Rows shorter than the header, padded with empty cells. */
  shortRowsPadded: number;
  /** Rows longer than the header whose extra cells were all empty, so dropped. */
  emptyExtrasDropped: number;
  /** Rows longer than the header whose extra values went into `extra_N` columns. */
  rowsIntoExtraColumns: number;
  columns: ColumnChanges[];
}

export function emptyCleanResult(width: number): CleanPassResult {
  return {
    rowsWritten: 0,
    duplicatesDropped: 0,
    shortRowsPadded: 0,
    emptyExtrasDropped: 0,
    rowsIntoExtraColumns: 0,
    columns: Array.from({ length: width }, noChanges),
  };
}

const encoder = new TextEncoder();

/**
 * Pass 2: reads the file again and yields the cleaned CSV in chunks (never whole): the header, then
 * every row cleaned, made as wide as the widest row (see `cleanHeader`), minus the duplicates when they
 * are dropped. It also counts the numeric outliers, now that pass 1 has fixed the fences. Line endings
 * become `\n`; the delimiter stays the input's; a BOM is written only if the input had one.
 */
export async function* cleanPass(
  s: PassSettings,
  profile: ProfilePassResult,
  headerNames: string[],
  out: CleanPassResult,
): AsyncGenerator<Uint8Array> {
  const width = headerNames.length;
  const headerWidth = profile.header.length;
  const cleaner = new ValueCleaner(s.trimWhitespace, s.missingTokens);
  const outlierColumns = profile.columns.filter((c) => c.checksOutliers);
  // A one-column file writes an empty value as "" so that its line is not read back as a blank line.
  const options = {
    delimiter: s.format.delimiter,
    record_delimiter: 'unix' as const,
    quoted_empty: width === 1,
  };
  const size = Math.max(1, s.file.size);
  yield encoder.encode((s.format.bom ? '\uFEFF' : '') + stringify([headerNames], options));

  let batch: string[][] = [];
  // Data rows are numbered from 0 as in pass 1; the header record comes first, as -1.
  let row = -2;
  const reading = { signal: s.signal, onBytes: (n: number) => s.onRead(n / size) };
  for await (const { fields, line } of readRecords(s.file, s.format, reading, { blankLines: 0 })) {
    if (++row === -1) continue; // the header, written above
    if ((row & (ROWS_PER_CHECK - 1)) === 0 && s.signal.aborted) throw stopped();
    for (const c of outlierColumns) {
      const raw = fields[c.index];
      if (raw === undefined) continue;
      const t = raw.trim();
      if (missingKind(raw, t, s.missingTokens) === null) c.checkOutlier(t, line);
    }
    if (s.dropDuplicates && profile.duplicates.rows.has(row)) {
      out.duplicatesDropped++;
      continue;
    }
    const cleaned: string[] = new Array(width);
    for (let i = 0; i < width; i++) {
      const raw = fields[i];
      if (raw === undefined) {
        cleaned[i] = '';
        out.columns[i]!.padded++;
      } else {
        cleaned[i] = cleaner.clean(raw);
        cleaner.tally(out.columns[i]!);
      }
    }
    if (fields.length < headerWidth) out.shortRowsPadded++;
    // Cells past the final width are empty once cleaned (pass 1 sized the width so): nothing is lost.
    if (fields.length > width) out.emptyExtrasDropped++;
    if (fields.length > headerWidth && cleaned.slice(headerWidth).some((f) => f !== ''))
      out.rowsIntoExtraColumns++;
    batch.push(cleaned);
    out.rowsWritten++;
    if (batch.length >= ROWS_PER_OUTPUT_CHUNK) {
      yield encoder.encode(stringify(batch, options));
      batch = [];
    }
  }
  if (batch.length > 0) yield encoder.encode(stringify(batch, options));
}
