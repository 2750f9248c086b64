import { ARCHIVE_LIMITS, type Extracted } from './collector.ts';
import { COMPLEXITY_THRESHOLD, complexityLevel, type FunctionComplexity } from './complexity.ts';
import { TYPECHECK_LIMITS } from './diagnostics.ts';
import { atLeast, type Category, type Finding, inline, type Level } from './findings.ts';

/** Rows per section: past this the report stops being read; findings.sarif keeps the rest. */
const MAX_ROWS = 100;
const MAX_HOT_SPOTS = 25;

export interface Advice {
  summary: string;
  suggestions: { title: string; fix: string }[];
  model: string;
}

export interface AuditSummary {
  archiveName: string;
  extracted: Extracted;
  minSeverity: Level;
  /** Already filtered by minSeverity and sorted. */
  findings: readonly Finding[];
  /** Findings of every level, before the filter. */
  totalFindings: number;
  typescript: { compiled: number; skippedFiles: number; suppressed: number };
  complexity: { functions: number; hotSpots: readonly FunctionComplexity[] };
  /** Limits hit, options ignored, stages that failed: "what was not checked". */
  notes: readonly string[];
  advice: Advice | null;
}

const SECTIONS: { category: Category; title: string; none: string }[] = [
  { category: 'secrets', title: 'Secrets', none: 'No secrets found.' },
  { category: 'dependencies', title: 'Dependencies', none: 'No risky dependency patterns found.' },
  { category: 'diagnostics', title: 'TypeScript diagnostics', none: 'The compiler reported nothing.' },
  { category: 'complexity', title: 'Complexity hot spots', none: 'No function is above the threshold.' },
];

/** Our own text passes through; text from elsewhere (compiler, model) has Markdown's specials escaped. */
function escapeText(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`);
}

/** A table cell of our own message: its code spans hold sanitised repository text (see `inline`). */
function cell(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;');
}

function code(s: string): string {
  return `\`${inline(s, 200).replace(/\|/g, '\\|')}\``;
}

function where(f: Finding): string {
  return code(`${f.file}:${f.line}${f.column ? `:${f.column}` : ''}`);
}

const ICON: Record<Level, string> = { error: '🔴 error', warning: '🟠 warning', note: '🔵 note' };

function kb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

function countsTable(findings: readonly Finding[]): string[] {
  const rows = ['| | errors | warnings | notes |', '|---|---:|---:|---:|'];
  const count = (c: Category | null, l: Level) =>
    findings.filter((f) => (c === null || f.category === c) && f.level === l).length;
  for (const s of SECTIONS) {
    rows.push(
      `| ${s.title} | ${count(s.category, 'error')} | ${count(s.category, 'warning')} | ${count(s.category, 'note')} |`,
    );
  }
  rows.push(
    `| **Total** | **${count(null, 'error')}** | **${count(null, 'warning')}** | **${count(null, 'note')}** |`,
  );
  return rows;
}

function section(category: Category, findings: readonly Finding[], a: AuditSummary): string[] {
  const mine = findings.filter((f) => f.category === category);
  const out: string[] = [];
  if (category === 'diagnostics') {
    const t = a.typescript;
    out.push(
      `Compiled ${t.compiled} file(s)${t.skippedFiles ? `; ${t.skippedFiles} left out (build output, minified, or over the limits)` : ''}.` +
        (t.suppressed
          ? ` ${t.suppressed} diagnostic(s) only about packages or type definitions that are not in the archive (node_modules is never read) were left out.`
          : ''),
      '',
    );
  }
  if (category === 'complexity') {
    const shown = a.complexity.hotSpots.filter((h) => atLeast(complexityLevel(h.complexity), a.minSeverity));
    out.push(
      `Measured ${a.complexity.functions} function(s); ${a.complexity.hotSpots.length} above a cyclomatic complexity of ${COMPLEXITY_THRESHOLD}.`,
      '',
    );
    if (shown.length === 0) {
      return [...out, a.complexity.hotSpots.length > 0 ? 'None at the chosen severity.' : SECTIONS[3]!.none];
    }
    out.push('| complexity | function | where |', '|---:|---|---|');
    for (const h of shown.slice(0, MAX_HOT_SPOTS)) {
      out.push(`| ${h.complexity} | ${code(h.name)} | ${code(`${h.file}:${h.line}`)} |`);
    }
    if (shown.length > MAX_HOT_SPOTS)
      out.push('', `…and ${shown.length - MAX_HOT_SPOTS} more in findings.sarif.`);
    return out;
  }
  if (mine.length === 0) return [...out, SECTIONS.find((s) => s.category === category)!.none];
  const ts = category === 'diagnostics';
  out.push(
    ts ? '| level | where | code | message |' : '| level | where | finding |',
    ts ? '|---|---|---|---|' : '|---|---|---|',
  );
  for (const f of mine.slice(0, MAX_ROWS)) {
    out.push(
      ts
        ? `| ${ICON[f.level]} | ${where(f)} | ${f.ruleId} | ${escapeText(f.message)} |`
        : `| ${ICON[f.level]} | ${where(f)} | ${cell(f.message)} |`,
    );
  }
  if (mine.length > MAX_ROWS) out.push('', `…and ${mine.length - MAX_ROWS} more in findings.sarif.`);
  return out;
}

/** The report for people: what to fix first, then every section, then what was not looked at. */
export function renderReport(a: AuditSummary): string {
  const x = a.extracted;
  const bytes = x.files.reduce((s, f) => s + f.bytes, 0);
  const lines: string[] = [
    '# Code audit report',
    '',
    `**Archive:** ${code(a.archiveName)} (${x.format}) · **files read:** ${x.files.length} (${kb(bytes)})` +
      (x.strippedPrefix ? ` · top folder ${code(`${x.strippedPrefix}/`)} removed from paths` : ''),
    '',
    `**Findings shown:** ${a.minSeverity === 'note' ? 'all levels' : a.minSeverity === 'warning' ? 'warnings and errors' : 'errors only'}` +
      ` — ${a.findings.length} of ${a.totalFindings}. Secret values are never shown in full.`,
    '',
    ...countsTable(a.findings),
    '',
  ];
  if (a.advice) {
    lines.push(
      '## Summary',
      '',
      `_Written by a model (${escapeText(a.advice.model)}); the findings below are the tool's own._`,
      '',
    );
    lines.push(escapeModel(a.advice.summary), '');
  }
  for (const s of SECTIONS) lines.push(`## ${s.title}`, '', ...section(s.category, a.findings, a), '');
  if (a.advice && a.advice.suggestions.length > 0) {
    lines.push(
      '## Fix suggestions',
      '',
      `_Written by a model (${escapeText(a.advice.model)}): check before applying._`,
      '',
    );
    for (const s of a.advice.suggestions) {
      lines.push(`- **${escapeText(s.title)}** — ${escapeModel(s.fix).replace(/\s*\n\s*/g, ' ')}`);
    }
    lines.push('');
  }
  lines.push('## What was not checked', '');
  const skipped = Object.entries(x.skipped).filter(([, n]) => n && n > 0);
  for (const [reason, n] of skipped)
    lines.push(`- ${n} archive entr${n === 1 ? 'y' : 'ies'} skipped: ${reason}.`);
  for (const note of a.notes) lines.push(`- ${escapeText(note)}`);
  if (skipped.length === 0 && a.notes.length === 0) lines.push('- Nothing was left out.');
  lines.push(
    '',
    `Limits: files over ${kb(ARCHIVE_LIMITS.maxFileBytes)}, binary files, links, \`node_modules/\` and \`.git/\` are not read; ` +
      `TypeScript compiles at most ${TYPECHECK_LIMITS.maxFiles} files (${kb(TYPECHECK_LIMITS.maxBytes)}). ` +
      'Packages are not installed, so types from dependencies are unknown.',
    '',
  );
  return lines.join('\n');
}

/** Model text may use Markdown, but never raw HTML, headings that break the layout, or long walls. */
function escapeModel(s: string): string {
  return s
    .slice(0, 3000)
    .replace(/</g, '&lt;')
    .replace(/^#+\s*/gm, '');
}
