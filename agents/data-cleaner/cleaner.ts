import { missingKind } from './values.ts';

/**
 * The only changes the cleaned CSV makes to a value, each one counted: line breaks inside a value
 * become `\n`; surrounding whitespace is trimmed (when asked); a missing value (whitespace only, or a
 * spelling such as NA or NULL) becomes empty. Nothing else is rewritten: numbers, dates and case stay
 * as written.
 */
export const CHANGE_LINE_BREAKS = 1;
export const CHANGE_TRIMMED = 2;
export const CHANGE_MISSING = 4;

export interface ColumnChanges {
  trimmed: number;
  missingToEmpty: number;
  lineBreaks: number;
  /** Empty cells added to short rows. */
  padded: number;
}

export const noChanges = (): ColumnChanges => ({ trimmed: 0, missingToEmpty: 0, lineBreaks: 0, padded: 0 });

const LINE_BREAK = /\r\n?/g;

export class ValueCleaner {
  /** Which changes the last `clean` made (CHANGE_* bits). */
  changes = 0;

  /** `tokens`: whether spellings such as NA and NULL are missing values (see `missingKind`). */
  constructor(
    private readonly trim: boolean,
    private readonly tokens: boolean,
  ) {}

  clean(raw: string): string {
    this.changes = 0;
    let v = raw;
    if (v.includes('\r')) {
      v = v.replace(LINE_BREAK, '\n');
      this.changes |= CHANGE_LINE_BREAKS;
    }
    const trimmed = v.trim();
    if (missingKind(v, trimmed, this.tokens) !== null) {
      if (v.length > 0) this.changes = CHANGE_MISSING;
      return '';
    }
    if (this.trim && trimmed.length !== v.length) {
      this.changes |= CHANGE_TRIMMED;
      return trimmed;
    }
    return v;
  }

  /** Counts the last `clean`'s changes into a column's tally. */
  tally(into: ColumnChanges): void {
    if (this.changes === 0) return;
    if (this.changes & CHANGE_LINE_BREAKS) into.lineBreaks++;
    if (this.changes & CHANGE_TRIMMED) into.trimmed++;
    if (this.changes & CHANGE_MISSING) into.missingToEmpty++;
  }
}

/**
 * A row's width once ragged rows are settled: trailing empty cells past the header are dropped (nothing
 * is lost); what remains past the header goes into extra columns.
 */
export function effectiveWidth(cleaned: readonly string[], headerWidth: number): number {
  let width = cleaned.length;
  while (width > headerWidth && cleaned[width - 1] === '') width--;
  return width;
}

export interface HeaderResult {
  names: string[];
  renamed: { index: number; from: string; to: string }[];
  duplicates: string[];
}

/**
 * The cleaned header: names trimmed (when asked), an empty name becomes `column_N`, and columns past the
 * header (from long rows) are named `extra_1`, `extra_2`, ... — each renaming listed. Names that repeat
 * are kept (renaming them would break whoever reads the file by name) and reported.
 */
export function cleanHeader(raw: readonly string[], width: number, trim: boolean): HeaderResult {
  const names: string[] = [];
  const renamed: HeaderResult['renamed'] = [];
  const taken = new Set(raw.map((n) => (trim ? n.trim() : n)));
  const unique = (base: string) => {
    let name = base;
    for (let k = 2; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
  for (let i = 0; i < width; i++) {
    const from = raw[i];
    let name = from === undefined ? '' : trim ? from.trim() : from;
    if (from === undefined) name = unique(`extra_${i - raw.length + 1}`);
    else if (name.trim() === '') name = unique(`column_${i + 1}`);
    if (name !== from) renamed.push({ index: i, from: from ?? '', to: name });
    names.push(name);
  }
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const n of names) (seen.has(n) ? duplicates : seen).add(n);
  return { names, renamed, duplicates: [...duplicates] };
}
