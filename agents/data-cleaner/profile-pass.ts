import type { AgentFile } from '@jeton/runtime/sdk';
import { AgentFailure } from '@jeton/runtime/sdk';
import { effectiveWidth, ValueCleaner } from './cleaner.ts';
import { ColumnProfiler } from './column-profile.ts';
import {
  DISTINCT_EXACT_PER_COLUMN,
  DISTINCT_EXACT_TOTAL,
  EXAMPLE_LINES,
  MAX_COLUMNS,
  ROWS_PER_CHECK,
} from './limits.ts';
import { type CsvRecord, readRecords, stopped } from './records.ts';
import { RowBitmap, RowDigests } from './row-digests.ts';
import type { CsvFormat } from './sniff.ts';
import { missingKind, valueKind } from './values.ts';

/** What both passes need to know about the run. */
export interface PassSettings {
  file: AgentFile;
  format: CsvFormat;
  trimWhitespace: boolean;
  dropDuplicates: boolean;
  /** Whether spellings such as NA and NULL are missing values (option `missingTokens`). */
  missingTokens: boolean;
  signal: AbortSignal;
  /** Share of the file read so far (0..1). */
  onRead: (share: number) => void;
}

export interface ProfilePassResult {
  header: string[];
  headerLine: number;
  /** The header's columns, then one per extra column found in long rows. */
  columns: ColumnProfiler[];
  dataRows: number;
  blankLines: number;
  allMissingRows: number;
  duplicates: {
    count: number;
    lines: number[];
    /** Rows pass 2 drops when duplicates are dropped. */
    rows: RowBitmap;
    /** Rows past the digest table's limit: not checked against each other. */
    untracked: number;
  };
  ragged: { short: number; long: number; examples: { line: number; fields: number }[] };
}

function checkHeader(record: CsvRecord, decimalComma: boolean, missingTokens: boolean): void {
  const { fields, line } = record;
  if (fields.length > MAX_COLUMNS) {
    throw new AgentFailure(
      'input_invalid',
      `The header (line ${line}) has ${fields.length} columns; at most ${MAX_COLUMNS} are supported.`,
    );
  }
  const named = fields.map((f) => f.trim()).filter((f) => missingKind(f, f, missingTokens) === null);
  if (named.length === 0) {
    throw new AgentFailure(
      'input_invalid',
      `The first row (line ${line}) has no column names: the CSV needs a header row naming its columns.`,
    );
  }
  const dataLike = named.every((f) => ['integer', 'number', 'date'].includes(valueKind(f, decimalComma)));
  if (dataLike) {
    const shown = named
      .slice(0, 3)
      .map((f) => `"${f}"`)
      .join(', ');
    throw new AgentFailure(
      'input_invalid',
      `The first row (line ${line}) holds only numbers or dates (${shown}): it looks like data, not a header. Add a header row naming the columns.`,
    );
  }
}

/**
 * Pass 1: reads every record once to profile each column, find duplicate rows (by digest) and ragged
 * rows, and learn how wide the cleaned file must be. Memory does not grow with the file, except the
 * row digests and the duplicate bitmap (see limits.ts).
 */
export async function profilePass(s: PassSettings): Promise<ProfilePassResult> {
  // A decimal comma ("12,5") only in semicolon files, the European spreadsheet convention: in a tab or
  // pipe file "1,234" is as likely a thousands separator, and reading it as 1.234 would be wrong.
  const decimalComma = s.format.delimiter === ';';
  const cleaner = new ValueCleaner(s.trimWhitespace, s.missingTokens);
  const digests = new RowDigests();
  const stats = { blankLines: 0 };
  let header: CsvRecord | null = null;
  let columns: ColumnProfiler[] = [];
  let exactCap = DISTINCT_EXACT_PER_COLUMN;
  let rows = 0;
  let allMissingRows = 0;
  const duplicates = { count: 0, lines: [] as number[], rows: new RowBitmap(), untracked: 0 };
  const ragged = { short: 0, long: 0, examples: [] as { line: number; fields: number }[] };
  const size = Math.max(1, s.file.size);

  const reading = {
    signal: s.signal,
    onBytes: (n: number) => s.onRead(n / size),
    checkUtf8: s.format.encoding === 'utf-8',
  };
  for await (const record of readRecords(s.file, s.format, reading, stats)) {
    if (header === null) {
      checkHeader(record, decimalComma, s.missingTokens);
      header = record;
      exactCap = Math.min(DISTINCT_EXACT_PER_COLUMN, Math.floor(DISTINCT_EXACT_TOTAL / record.fields.length));
      columns = record.fields.map(
        (name, i) => new ColumnProfiler(i, name, exactCap, decimalComma, s.missingTokens),
      );
      continue;
    }
    const { fields, line } = record;
    const row = rows++;
    if ((row & (ROWS_PER_CHECK - 1)) === 0 && s.signal.aborted) throw stopped();
    const headerWidth = header.fields.length;
    if (fields.length !== headerWidth) {
      if (fields.length < headerWidth) ragged.short++;
      else ragged.long++;
      if (ragged.examples.length < EXAMPLE_LINES) ragged.examples.push({ line, fields: fields.length });
    }
    const cleaned = fields.map((f) => cleaner.clean(f));
    const width = effectiveWidth(cleaned, headerWidth);
    if (width > MAX_COLUMNS) {
      throw new AgentFailure(
        'input_invalid',
        `Line ${line} has ${width} fields; at most ${MAX_COLUMNS} columns are supported. Is the delimiter right?`,
      );
    }
    while (columns.length < width) {
      const extra = new ColumnProfiler(columns.length, '', exactCap, decimalComma, s.missingTokens);
      extra.addAbsent(row);
      columns.push(extra);
    }
    let missing = 0;
    for (let i = 0; i < columns.length; i++) {
      if (i >= fields.length) {
        columns[i]!.addAbsent(1);
        missing++;
      } else if (columns[i]!.observe(fields[i]!, cleaned[i]!) !== null) {
        missing++;
      }
    }
    if (missing === columns.length) allMissingRows++;
    // Rows compare as the cleaned file will hold them: padded to the header, trailing extras dropped.
    const key = cleaned.slice(0, width);
    while (key.length < headerWidth) key.push('');
    if (digests.seen(key)) {
      duplicates.count++;
      duplicates.rows.set(row);
      if (duplicates.lines.length < EXAMPLE_LINES) duplicates.lines.push(line);
    }
  }
  if (header === null)
    throw new AgentFailure('input_invalid', 'The CSV file is empty: it has no rows at all.');
  if (rows === 0) {
    throw new AgentFailure(
      'input_invalid',
      `The CSV has a header row (line ${header.line}) but no data rows: there is nothing to profile or clean.`,
    );
  }
  duplicates.untracked = digests.untracked;
  for (const c of columns) c.prepareOutliers();
  return {
    header: header.fields,
    headerLine: header.line,
    columns,
    dataRows: rows,
    blankLines: stats.blankLines,
    allMissingRows,
    duplicates,
    ragged,
  };
}
