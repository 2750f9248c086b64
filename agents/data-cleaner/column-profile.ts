import { type DistinctCount, DistinctCounter } from './distinct.ts';
import { EXAMPLE_CHARS, EXAMPLE_VALUES, OUTLIER_EXAMPLES } from './limits.ts';
import { NumericStats, type NumericSummary, type OutlierRule, outlierRule } from './numeric-stats.ts';
import {
  type DateFormat,
  type MissingKind,
  missingKind,
  parseBoolean,
  parseDate,
  parseNumber,
  type ValueKind,
  valueKind,
} from './values.ts';

export type ColumnType = ValueKind | 'empty';

export interface DateSummary {
  formats: Partial<Record<DateFormat, number>>;
  /** How D/M/Y-or-M/D/Y dates read: decided by a day above 12 in one position, else ambiguous. */
  order: 'day-first' | 'month-first' | 'ambiguous' | 'mixed' | null;
  min: string | null;
  max: string | null;
}

export interface ColumnProfile {
  index: number;
  name: string;
  type: ColumnType;
  /** Present values of each kind; the type is the narrowest kind that covers them all. */
  kinds: Record<ValueKind, number>;
  present: number;
  missing: {
    total: number;
    empty: number;
    whitespace: number;
    /** Missing-value spellings, as written (trimmed). */
    tokens: Record<string, number>;
    /** Cells a short (ragged) row did not have. */
    absent: number;
  };
  distinct: DistinctCount;
  examples: string[];
  /** Values that are not of the column's dominant kind, when a text column is mostly one kind. */
  nonconforming: { dominant: ValueKind; count: number; examples: string[] } | null;
  numeric: NumericSummary | null;
  boolean: { true: number; false: number } | null;
  dates: DateSummary | null;
  text: { minLength: number; maxLength: number } | null;
  outliers: { rule: OutlierRule; count: number; examples: { line: number; value: string }[] } | null;
}

const KINDS: readonly ValueKind[] = ['integer', 'number', 'boolean', 'date', 'text'];
/** A text column whose dominant kind reaches this share gets its odd values listed. */
const NONCONFORMING_SHARE = 0.9;

interface Range {
  min: string | null;
  max: string | null;
}
const noRange = (): Range => ({ min: null, max: null });

/** Dates as `YYYY-MM-DD[THH:MM:SS]` compare correctly as text. */
function widen(r: Range, v: string | null): void {
  if (v === null) return;
  if (r.min === null || v < r.min) r.min = v;
  if (r.max === null || v > r.max) r.max = v;
}

const clip = (s: string) => (s.length > EXAMPLE_CHARS ? `${s.slice(0, EXAMPLE_CHARS - 1)}…` : s);

/** One column's profile, fed cell by cell in pass 1; pass 2 counts outliers once the fences are known. */
export class ColumnProfiler {
  private readonly kinds: Record<ValueKind, number> = { integer: 0, number: 0, boolean: 0, date: 0, text: 0 };
  private readonly missing = { empty: 0, whitespace: 0, absent: 0 };
  private readonly tokens = new Map<string, number>();
  private readonly distinct: DistinctCounter;
  private readonly examples: string[] = [];
  private readonly kindExamples = new Map<ValueKind, string[]>();
  private numeric: NumericStats | null = null;
  private bools: { true: number; false: number } | null = null;
  private dates: {
    formats: Map<DateFormat, number>;
    dayFirstOnly: number;
    monthFirstOnly: number;
    range: Record<'iso' | 'dayFirst' | 'monthFirst', Range>;
  } | null = null;
  private minLength = Number.POSITIVE_INFINITY;
  private maxLength = 0;
  private rule: OutlierRule | null = null;
  private outlierCount = 0;
  private readonly outlierExamples: { line: number; value: string }[] = [];

  constructor(
    readonly index: number,
    public name: string,
    exactDistinctCap: number,
    private readonly decimalComma: boolean,
    /** Whether spellings such as NA and NULL are missing values (see `missingKind`). */
    private readonly missingTokens: boolean,
  ) {
    this.distinct = new DistinctCounter(exactDistinctCap);
  }

  /** Rows seen before this column existed (an extra column found late): their cells are absent. */
  addAbsent(count: number): void {
    this.missing.absent += count;
  }

  /** `raw` as parsed; `clean` as the cleaned CSV will hold it. */
  observe(raw: string, clean: string): MissingKind | null {
    const trimmed = raw.trim();
    const missing = missingKind(raw, trimmed, this.missingTokens);
    if (missing !== null) {
      if (missing === 'token') this.tokens.set(trimmed, (this.tokens.get(trimmed) ?? 0) + 1);
      else this.missing[missing]++;
      return missing;
    }
    const kind = valueKind(trimmed, this.decimalComma);
    this.kinds[kind]++;
    this.distinct.add(clean);
    if (clean.length < this.minLength) this.minLength = clean.length;
    if (clean.length > this.maxLength) this.maxLength = clean.length;
    if (this.examples.length < EXAMPLE_VALUES && !this.examples.includes(clip(clean)))
      this.examples.push(clip(clean));
    const seen = this.kindExamples.get(kind);
    if (!seen) this.kindExamples.set(kind, [clip(clean)]);
    else if (seen.length < 3) seen.push(clip(clean));
    if (kind === 'integer' || kind === 'number') {
      this.numeric ??= new NumericStats(this.index + 1);
      this.numeric.add(parseNumber(trimmed, this.decimalComma));
    } else if (kind === 'boolean') {
      this.bools ??= { true: 0, false: 0 };
      this.bools[parseBoolean(trimmed) ? 'true' : 'false']++;
    } else if (kind === 'date') {
      this.observeDate(trimmed);
    }
    return null;
  }

  private observeDate(trimmed: string): void {
    const d = parseDate(trimmed)!;
    this.dates ??= {
      formats: new Map(),
      dayFirstOnly: 0,
      monthFirstOnly: 0,
      range: { iso: noRange(), dayFirst: noRange(), monthFirst: noRange() },
    };
    const dates = this.dates;
    dates.formats.set(d.format, (dates.formats.get(d.format) ?? 0) + 1);
    if (d.dayFirst && !d.monthFirst) dates.dayFirstOnly++;
    if (d.monthFirst && !d.dayFirst) dates.monthFirstOnly++;
    widen(dates.range.iso, d.iso);
    widen(dates.range.dayFirst, d.dayFirst);
    widen(dates.range.monthFirst, d.monthFirst);
  }

  type(): ColumnType {
    const k = this.kinds;
    const present = KINDS.reduce((n, kind) => n + k[kind], 0);
    if (present === 0) return 'empty';
    if (k.integer === present) return 'integer';
    if (k.integer + k.number === present) return 'number';
    for (const kind of ['boolean', 'date'] as const) if (k[kind] === present) return kind;
    return 'text';
  }

  /** Decides the outlier fences from pass 1's statistics (numeric columns only). */
  prepareOutliers(): void {
    const type = this.type();
    this.rule =
      (type === 'integer' || type === 'number') && this.numeric ? outlierRule(this.numeric.summary()) : null;
  }

  get checksOutliers(): boolean {
    return this.rule !== null;
  }

  /** Pass 2: `trimmed` is a present value of a numeric column. */
  checkOutlier(trimmed: string, line: number): void {
    const x = parseNumber(trimmed, this.decimalComma);
    if (x >= this.rule!.lower && x <= this.rule!.upper) return;
    this.outlierCount++;
    if (this.outlierExamples.length < OUTLIER_EXAMPLES)
      this.outlierExamples.push({ line, value: clip(trimmed) });
  }

  result(): ColumnProfile {
    const type = this.type();
    const present = KINDS.reduce((n, kind) => n + this.kinds[kind], 0);
    const tokens = Object.fromEntries(this.tokens);
    const tokenTotal = [...this.tokens.values()].reduce((a, b) => a + b, 0);
    return {
      index: this.index,
      name: this.name,
      type,
      kinds: { ...this.kinds },
      present,
      missing: {
        total: this.missing.empty + this.missing.whitespace + tokenTotal + this.missing.absent,
        empty: this.missing.empty,
        whitespace: this.missing.whitespace,
        tokens,
        absent: this.missing.absent,
      },
      distinct: this.distinct.result(),
      examples: [...this.examples],
      nonconforming: type === 'text' ? this.nonconforming(present) : null,
      numeric: (type === 'integer' || type === 'number') && this.numeric ? this.numeric.summary() : null,
      boolean: type === 'boolean' ? this.bools : null,
      dates: type === 'date' ? this.dateSummary() : null,
      text: present > 0 ? { minLength: this.minLength, maxLength: this.maxLength } : null,
      outliers: this.rule
        ? { rule: this.rule, count: this.outlierCount, examples: [...this.outlierExamples] }
        : null,
    };
  }

  private nonconforming(present: number): ColumnProfile['nonconforming'] {
    // Integers and decimals together count as one numeric kind.
    const numeric = this.kinds.integer + this.kinds.number;
    const candidates: [ValueKind, number][] = [
      ['number', numeric],
      ['boolean', this.kinds.boolean],
      ['date', this.kinds.date],
    ];
    const [dominant, count] = candidates.sort((a, b) => b[1] - a[1])[0]!;
    if (count < present * NONCONFORMING_SHARE) return null;
    const odd = KINDS.filter((k) => k !== dominant && !(dominant === 'number' && k === 'integer'));
    return {
      dominant,
      count: present - count,
      examples: odd.flatMap((k) => this.kindExamples.get(k) ?? []).slice(0, 3),
    };
  }

  private dateSummary(): DateSummary | null {
    const d = this.dates;
    if (!d) return null;
    const ambiguousCount = d.formats.get('D/M/Y or M/D/Y') ?? 0;
    let order: DateSummary['order'] = null;
    if (ambiguousCount > 0) {
      if (d.dayFirstOnly > 0 && d.monthFirstOnly > 0) order = 'mixed';
      else if (d.dayFirstOnly > 0) order = 'day-first';
      else if (d.monthFirstOnly > 0) order = 'month-first';
      else order = 'ambiguous';
    }
    // Slash dates join the range only once their order is known.
    const ranges = [d.range.iso];
    if (order === 'day-first') ranges.push(d.range.dayFirst);
    if (order === 'month-first') ranges.push(d.range.monthFirst);
    const mins = ranges.map((r) => r.min).filter((v): v is string => v !== null);
    const maxs = ranges.map((r) => r.max).filter((v): v is string => v !== null);
    return {
      formats: Object.fromEntries(d.formats),
      order,
      // Strings: sorted as text, which is date order for these forms.
      min: mins.sort()[0] ?? null,
      max: maxs.sort().at(-1) ?? null,
    };
  }
}
