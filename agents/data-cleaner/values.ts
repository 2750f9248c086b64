/**
 * What one cell is: missing (and how), or a value of a kind. The rules are deliberately strict and
 * documented in the README, because a profile that guesses generously misleads: "1,234" in a
 * comma-decimal file and "007" in a ZIP-code column are not what a loose parser would say.
 */

export type ValueKind = 'integer' | 'number' | 'boolean' | 'date' | 'text';
export type MissingKind = 'empty' | 'whitespace' | 'token';

/** Spellings read as "no value" (compared trimmed and lower-cased): what spreadsheets, R and pandas write. */
export const MISSING_TOKENS: readonly string[] = ['na', 'n/a', '#n/a', 'null', 'none', 'nan', '-', '--'];
const missingTokens = new Set(MISSING_TOKENS);

/**
 * How `raw` is missing, or null when it holds a value. `trimmed` is `raw.trim()`. `tokens` says whether
 * the spellings above count as missing (input option `missingTokens`: "standard", the default) or only
 * empty and whitespace cells do ("empty": NA may be Namibia, None a real answer).
 */
export function missingKind(raw: string, trimmed: string, tokens: boolean): MissingKind | null {
  if (raw.length === 0) return 'empty';
  if (trimmed.length === 0) return 'whitespace';
  if (tokens && trimmed.length <= 4 && missingTokens.has(trimmed.toLowerCase())) return 'token';
  return null;
}

// No leading zeros (other than "0" itself): "007" and "02134" are codes whose zeros matter.
const INTEGER = /^[+-]?(?:0|[1-9]\d*)$/;
const DECIMAL = /^[+-]?(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?(?:0|[1-9]\d*),\d+$/;

/**
 * The number `t` holds, or NaN. A decimal comma ("12,5") counts only when `decimalComma` is set, which
 * the caller does for semicolon files only (the European convention): elsewhere "1,234" may be a
 * thousands separator, so it stays text.
 */
export function parseNumber(t: string, decimalComma: boolean): number {
  if (DECIMAL.test(t)) return Number(t);
  if (decimalComma && DECIMAL_COMMA.test(t)) return Number(t.replace(',', '.'));
  return Number.NaN;
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', 't']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'f']);

/** true/false for the boolean spellings (case-insensitive), else null. 0 and 1 stay integers. */
export function parseBoolean(t: string): boolean | null {
  if (t.length > 5) return null;
  const lower = t.toLowerCase();
  if (TRUE_WORDS.has(lower)) return true;
  if (FALSE_WORDS.has(lower)) return false;
  return null;
}

export type DateFormat = 'YYYY-MM-DD' | 'ISO date-time' | 'YYYY/MM/DD' | 'DD.MM.YYYY' | 'D/M/Y or M/D/Y';

/**
 * A recognised date. `iso` is its calendar date (and time) as `YYYY-MM-DD[THH:MM[:SS]]`, comparable
 * as text. A date such as 03/04/2024 is read both ways: `dayFirst`/`monthFirst` hold each reading when
 * it is a real date, and the column decides which one holds.
 */
export interface DateMatch {
  format: DateFormat;
  iso: string | null;
  dayFirst: string | null;
  monthFirst: string | null;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;
const YMD_SLASH = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;
const DMY_DOT = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const AMBIGUOUS = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4})$/;

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` when the parts make a real calendar date, else null. */
function calendar(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

export function parseDate(t: string): DateMatch | null {
  // Every supported format is 8 to 35 characters and starts with a digit.
  if (t.length < 8 || t.length > 35) return null;
  const c = t.charCodeAt(0);
  if (c < 48 || c > 57) return null;
  let m = ISO_DATE.exec(t);
  if (m) {
    const iso = calendar(+m[1]!, +m[2]!, +m[3]!);
    return iso ? { format: 'YYYY-MM-DD', iso, dayFirst: null, monthFirst: null } : null;
  }
  m = ISO_DATE_TIME.exec(t);
  if (m) {
    const day = calendar(+m[1]!, +m[2]!, +m[3]!);
    const [h, min, s] = [+m[4]!, +m[5]!, m[6] === undefined ? 0 : +m[6]];
    if (!day || h > 23 || min > 59 || s > 60) return null;
    return {
      format: 'ISO date-time',
      iso: `${day}T${pad(h)}:${pad(min)}:${pad(s)}`,
      dayFirst: null,
      monthFirst: null,
    };
  }
  m = YMD_SLASH.exec(t);
  if (m) {
    const iso = calendar(+m[1]!, +m[2]!, +m[3]!);
    return iso ? { format: 'YYYY/MM/DD', iso, dayFirst: null, monthFirst: null } : null;
  }
  m = DMY_DOT.exec(t);
  if (m) {
    const iso = calendar(+m[3]!, +m[2]!, +m[1]!);
    return iso ? { format: 'DD.MM.YYYY', iso, dayFirst: null, monthFirst: null } : null;
  }
  m = AMBIGUOUS.exec(t);
  if (m) {
    const [a, b, year] = [+m[1]!, +m[3]!, +m[4]!];
    const dayFirst = calendar(year, b, a);
    const monthFirst = calendar(year, a, b);
    if (!dayFirst && !monthFirst) return null;
    return { format: 'D/M/Y or M/D/Y', iso: null, dayFirst, monthFirst };
  }
  return null;
}

/** The kind of a present (non-missing) trimmed value. */
export function valueKind(t: string, decimalComma: boolean): ValueKind {
  const c = t.charCodeAt(0);
  const numericStart = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
  if (numericStart) {
    // Numbers too large for a double (1e999) are text: no statistic could use them.
    if (INTEGER.test(t)) return Number.isFinite(Number(t)) ? 'integer' : 'text';
    if (Number.isFinite(parseNumber(t, decimalComma))) return 'number';
    if (parseDate(t)) return 'date';
    return 'text';
  }
  return parseBoolean(t) === null ? 'text' : 'boolean';
}
