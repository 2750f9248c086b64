import type { CleanPassResult } from './clean-pass.ts';
import type { ColumnChanges, HeaderResult } from './cleaner.ts';
import type { ColumnProfile } from './column-profile.ts';
import {
  DISTINCT_EXACT_PER_COLUMN,
  MAX_TRACKED_ROWS,
  MIN_VALUES_FOR_OUTLIERS,
  OUTLIER_IQR_FACTOR,
  OUTLIER_Z,
  RESERVOIR_SIZE,
} from './limits.ts';
import type { ProfilePassResult } from './profile-pass.ts';
import type { CsvFormat } from './sniff.ts';
import { MISSING_TOKENS } from './values.ts';

/** profile.json: the input as found (rows, columns) and what the cleaned CSV changed. */
export interface ProfileDocument {
  file: {
    name: string;
    bytes: number;
    encoding: CsvFormat['encoding'];
    bom: boolean;
    lineEndings: CsvFormat['lineEndings'];
    delimiter: string;
    delimiterDetected: boolean;
  };
  options: { trimWhitespace: boolean; dropDuplicates: boolean; missingTokens: 'standard' | 'empty' };
  rows: {
    data: number;
    headerLine: number;
    blankLinesSkipped: number;
    allMissing: number;
    duplicates: { count: number; lines: number[]; complete: boolean; untracked: number };
    ragged: ProfilePassResult['ragged'] & { count: number };
  };
  header: { renamed: HeaderResult['renamed']; duplicateNames: string[] };
  columns: (ColumnProfile & { changes: ColumnChanges })[];
  cleaning: Omit<CleanPassResult, 'columns'> & {
    lineEndingsConverted: boolean;
    encodingConverted: string | null;
    extraColumns: number;
    /** An Excel `sep=` first line, read for the delimiter and not written. */
    sepLineRemoved: boolean;
  };
  rules: Record<'missing' | 'types' | 'outliers' | 'duplicates' | 'distinct', string>;
}

export const delimiterName = (d: string) => (d === '\t' ? 'tab' : d);

export function buildProfile(
  fileInfo: { name: string; bytes: number },
  format: CsvFormat,
  options: ProfileDocument['options'],
  pass1: ProfilePassResult,
  header: HeaderResult,
  pass2: CleanPassResult,
): ProfileDocument {
  const { columns: changes, ...cleaning } = pass2;
  return {
    file: {
      ...fileInfo,
      encoding: format.encoding,
      bom: format.bom,
      lineEndings: format.lineEndings,
      delimiter: delimiterName(format.delimiter),
      delimiterDetected: format.delimiterDetected,
    },
    options,
    rows: {
      data: pass1.dataRows,
      headerLine: pass1.headerLine,
      blankLinesSkipped: pass1.blankLines,
      allMissing: pass1.allMissingRows,
      duplicates: {
        count: pass1.duplicates.count,
        lines: pass1.duplicates.lines,
        complete: pass1.duplicates.untracked === 0,
        untracked: pass1.duplicates.untracked,
      },
      ragged: { count: pass1.ragged.short + pass1.ragged.long, ...pass1.ragged },
    },
    header: { renamed: header.renamed, duplicateNames: header.duplicates },
    columns: pass1.columns.map((c, i) => {
      c.name = header.names[i]!;
      return { ...c.result(), changes: changes[i]! };
    }),
    cleaning: {
      ...cleaning,
      lineEndingsConverted: format.lineEndings !== 'lf' && format.lineEndings !== 'none',
      encodingConverted: format.encoding === 'utf-8' ? null : format.encoding,
      extraColumns: header.names.length - pass1.header.length,
      sepLineRemoved: format.sepLineBytes > 0,
    },
    rules: {
      missing: `Missing: an empty cell, a cell of only whitespace${options.missingTokens === 'standard' ? `, or (trimmed, any case) one of ${MISSING_TOKENS.map((t) => `"${t}"`).join(', ')}` : ' (option missingTokens "empty": spellings such as NA or NULL are kept as values)'}; cells a short row lacks count as "absent". The cleaned CSV writes every missing value as an empty cell.`,
      types:
        'Types, from the trimmed present values: integer (digits, optional sign, no leading zero), number (decimal or exponent; a decimal comma only when the delimiter is a semicolon), boolean (true/false, yes/no, y/n, t/f), date (YYYY-MM-DD, ISO date-time, YYYY/MM/DD, DD.MM.YYYY, D/M/YYYY or M/D/YYYY), else text. A column takes the narrowest type all its values fit; one odd value makes it text. "empty" means no value at all.',
      outliers: `Outliers (integer and number columns with at least ${MIN_VALUES_FOR_OUTLIERS} values): beyond Tukey's far-out fences Q1 − ${OUTLIER_IQR_FACTOR}·IQR and Q3 + ${OUTLIER_IQR_FACTOR}·IQR, with quartiles from a uniform sample of ${RESERVOIR_SIZE} values (exact for smaller columns); when the IQR is 0, |z| > ${OUTLIER_Z} from the exact mean and sample standard deviation. Outliers are reported, never changed or removed.`,
      duplicates: `Duplicates: rows identical to an earlier row once cleaned (trimmed if asked, missing values emptied, padded to the header), compared by a 16-byte digest; the first occurrence is kept. Up to ${MAX_TRACKED_ROWS.toLocaleString('en-US')} distinct rows are remembered.`,
      distinct: `Distinct counts are exact up to ${DISTINCT_EXACT_PER_COLUMN.toLocaleString('en-US')} distinct values per column (fewer for very wide files), then a HyperLogLog estimate (about ±1.6%), marked "exact": false.`,
    },
  };
}
