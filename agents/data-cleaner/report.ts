import type { ColumnProfile } from './column-profile.ts';
import { MAX_TRACKED_ROWS } from './limits.ts';
import type { ProfileDocument } from './profile-json.ts';

/**
 * Text from the file or the model, made inert for Markdown: line breaks become spaces, Markdown's
 * punctuation (backslash, backticks, emphasis, brackets, pipes) is backslash-escaped and `<`, `>`, `&`
 * become entities, so that a column named `<img onerror=…>` or a model answer holding HTML is shown as
 * text, never rendered, and a pipe cannot split a table cell.
 */
export function md(s: string): string {
  return s
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\`*_[\]|]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

const flat = (s: string) => s.replace(/\r\n|\r|\n/g, ' ');
const short = (s: string) => (s.length > 60 ? `${s.slice(0, 59)}…` : s);

/** A value or name from the file, inert (see `md`) and of bounded length: safe in a table cell. */
const cell = (s: string) => md(short(flat(s)));

/**
 * A column name in running text: as inline code when it is plain, else quoted and made inert (see
 * `md`), so that no `<`, `>` or backtick from the file ever reaches report.md raw.
 */
function code(s: string): string {
  const text = short(flat(s));
  return text.length > 0 && !/[`<>&]/.test(text) ? `\`${text}\`` : `"${md(text)}"`;
}

/** The model's summary: each paragraph made inert (see `md`), and no line read as a heading or list. */
function paragraphs(text: string): string {
  return text
    .split(/(?:\r\n|\r|\n)\s*(?:\r\n|\r|\n)/)
    .map((p) =>
      md(p.trim())
        .replace(/^([#+=-])/, '\\$1')
        .replace(/^(\d+)([.)])/, '$1\\$2'),
    )
    .filter((p) => p.length > 0)
    .join('\n\n');
}

const count = (n: number) => n.toLocaleString('en-US');

function num(x: number): string {
  if (Number.isInteger(x)) return count(x);
  const abs = Math.abs(x);
  return abs !== 0 && (abs >= 1e15 || abs < 1e-4) ? x.toExponential(4) : String(Number(x.toFixed(4)));
}

const percent = (part: number, whole: number) =>
  whole === 0 ? '0%' : `${Number(((100 * part) / whole).toFixed(1))}%`;

const lines = (list: number[], total: number) =>
  `line${list.length > 1 ? 's' : ''} ${list.join(', ')}${total > list.length ? ', …' : ''}`;

function range(c: ColumnProfile): [string, string, string, string] {
  if (c.numeric) return [num(c.numeric.min), num(c.numeric.max), num(c.numeric.mean), num(c.numeric.std)];
  if (c.dates) return [c.dates.min ?? '', c.dates.max ?? '', '', ''];
  return ['', '', '', ''];
}

function columnsTable(p: ProfileDocument): string[] {
  const out = [
    '| # | Column | Type | Missing | Distinct | Min | Max | Mean | Std | Outliers |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of p.columns) {
    const [min, max, mean, std] = range(c);
    const distinct = `${c.distinct.exact ? '' : '≈'}${count(c.distinct.count)}`;
    const missing = `${count(c.missing.total)} (${percent(c.missing.total, p.rows.data)})`;
    const outliers = c.outliers ? count(c.outliers.count) : '';
    out.push(
      `| ${c.index + 1} | ${cell(c.name)} | ${c.type} | ${missing} | ${distinct} | ${min} | ${max} | ${mean} | ${std} | ${outliers} |`,
    );
  }
  return out;
}

function changes(p: ProfileDocument): string[] {
  const c = p.cleaning;
  const sum = (k: keyof ProfileDocument['columns'][number]['changes']) =>
    p.columns.reduce((n, col) => n + col.changes[k], 0);
  const items: [string, number | string][] = [];
  const add = (what: string, n: number) => {
    if (n > 0) items.push([what, count(n)]);
  };
  if (p.options.dropDuplicates) add('Duplicate rows dropped', c.duplicatesDropped);
  add('Values trimmed of surrounding whitespace', sum('trimmed'));
  const spellings = p.options.missingTokens === 'standard' ? 'whitespace, NA, NULL, …' : 'whitespace only';
  add(`Missing values (${spellings}) written as empty`, sum('missingToEmpty'));
  add('Values whose line breaks were normalised to \\n', sum('lineBreaks'));
  add('Short rows padded with empty cells', c.shortRowsPadded);
  add('Long rows whose extra values went into new columns', c.rowsIntoExtraColumns);
  add('Long rows whose trailing empty cells were dropped', c.emptyExtrasDropped);
  add('Columns added for extra values', c.extraColumns);
  add('Blank lines removed', p.rows.blankLinesSkipped);
  add('Header names renamed (trimmed, named or added)', p.header.renamed.length);
  if (c.sepLineRemoved) items.push([`Excel "sep=" first line removed (it named the delimiter)`, 1]);
  if (c.lineEndingsConverted) items.push([`Line endings converted (${p.file.lineEndings}) to \\n`, 'all']);
  if (c.encodingConverted) items.push([`Text converted from ${c.encodingConverted} to UTF-8`, 'all']);
  const out = ['## What was changed', ''];
  if (items.length === 0) out.push('Nothing needed changing.');
  else out.push('| Change | Count |', '|---|---|', ...items.map(([what, n]) => `| ${what} | ${n} |`));
  out.push(
    '',
    `${count(c.rowsWritten)} of ${count(p.rows.data)} data rows written. Nothing else was changed: numbers, dates and text are written exactly as read, the delimiter stays "${md(p.file.delimiter)}", and outliers are reported, not removed.`,
  );
  const changed = p.columns.filter((col) => Object.values(col.changes).some((n) => n > 0));
  if (changed.length > 0) {
    out.push('', '| Column | Trimmed | Missing → empty | Line breaks | Padded |', '|---|---|---|---|---|');
    for (const col of changed) {
      const ch = col.changes;
      out.push(
        `| ${cell(col.name)} | ${count(ch.trimmed)} | ${count(ch.missingToEmpty)} | ${count(ch.lineBreaks)} | ${count(ch.padded)} |`,
      );
    }
  }
  for (const r of p.header.renamed) out.push(`- Column ${r.index + 1}: "${cell(r.from)}" → "${cell(r.to)}"`);
  return out;
}

function problems(p: ProfileDocument): string[] {
  const out: string[] = [];
  const d = p.rows.duplicates;
  if (d.count > 0) {
    const what = p.options.dropDuplicates ? 'dropped' : 'kept, as asked';
    out.push(`- **Duplicate rows: ${count(d.count)}** (${what}): ${lines(d.lines, d.count)}.`);
  }
  if (!d.complete) {
    out.push(
      `- Duplicate detection remembered the first ${count(MAX_TRACKED_ROWS)} distinct rows only: ${count(d.untracked)} later rows were compared with those, not with each other.`,
    );
  }
  const r = p.rows.ragged;
  if (r.count > 0) {
    const shown = r.examples.map((e) => `line ${e.line} has ${e.fields}`).join(', ');
    out.push(
      `- **Ragged rows: ${count(r.count)}** (${count(r.short)} short, ${count(r.long)} long; the header has ${p.columns.length - p.cleaning.extraColumns} fields): ${shown}${r.count > r.examples.length ? ', …' : ''}.`,
    );
  }
  if (p.rows.allMissing > 0) out.push(`- Rows with every value missing: ${count(p.rows.allMissing)} (kept).`);
  for (const c of p.columns) {
    const name = code(c.name);
    if (c.outliers && c.outliers.count > 0) {
      const rule = c.outliers.rule;
      const how =
        rule.kind === 'iqr'
          ? `outside [${num(rule.lower)}, ${num(rule.upper)}] (Q1 − ${rule.factor}·IQR, Q3 + ${rule.factor}·IQR)`
          : `more than ${rule.threshold} standard deviations from the mean ${num(rule.mean)}`;
      const shown = c.outliers.examples.map((e) => `${cell(e.value)} (line ${e.line})`).join(', ');
      out.push(
        `- **Outliers in ${name}: ${count(c.outliers.count)}**, ${how}: ${shown}${c.outliers.count > c.outliers.examples.length ? ', …' : ''}.`,
      );
    }
    if (c.nonconforming) {
      const n = c.nonconforming;
      out.push(
        `- ${name} is mostly ${n.dominant} but ${count(n.count)} value${n.count > 1 ? 's are' : ' is'} not (${n.examples.map((e) => `"${cell(e)}"`).join(', ')}), so it is typed text.`,
      );
    }
    if (c.dates?.order === 'ambiguous') {
      out.push(
        `- ${name}: dates such as 03/04/2024 read either day-first or month-first; no value decides which.`,
      );
    } else if (c.dates?.order === 'mixed') {
      out.push(
        `- ${name}: some dates are only valid day-first and others only month-first: the column mixes both.`,
      );
    }
    if (c.type === 'empty') out.push(`- ${name} has no values at all.`);
  }
  if (p.header.duplicateNames.length > 0) {
    out.push(
      `- Column names used more than once: ${p.header.duplicateNames.map((n) => `"${cell(n)}"`).join(', ')}.`,
    );
  }
  return [
    '## Problems found',
    '',
    ...(out.length > 0 ? out : ['None: no duplicates, ragged rows or outliers.']),
  ];
}

/** report.md: what the file is, what was changed, what looks wrong, and the rules behind each figure. */
export function renderReport(p: ProfileDocument, summary: { text: string; model: string } | null): string {
  const f = p.file;
  const encoding = `${f.encoding}${f.bom ? ' with BOM' : ''}`;
  const delimiter = `"${md(f.delimiter)}"${f.delimiterDetected ? ' (detected)' : ''}`;
  const out = [`# Data cleaning report: ${cell(f.name)}`, ''];
  if (summary) {
    out.push(
      '## In short',
      '',
      paragraphs(summary.text),
      '',
      `_Written by ${md(summary.model)} from the figures below, which are the reference._`,
      '',
    );
  }
  out.push(
    '## The file',
    '',
    `- ${count(f.bytes)} bytes, ${encoding}, ${f.lineEndings} line endings, delimiter ${delimiter}.`,
    `- ${count(p.rows.data)} data rows after the header (line ${p.rows.headerLine}), ${count(p.columns.length)} columns.`,
    '',
    ...changes(p),
    '',
    '## Columns',
    '',
    ...columnsTable(p),
    '',
    ...problems(p),
    '',
    '## How the figures were decided',
    '',
    ...Object.values(p.rules).map((rule) => `- ${rule}`),
    '',
  );
  return out.join('\n');
}
