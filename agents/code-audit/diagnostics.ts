import ts from 'typescript-api';
import type { RepoFile } from './collector.ts';
import type { Finding, Level } from './findings.ts';
import { redactText } from './secrets.ts';
import { breathe, stopIfAborted } from './stop.ts';
import { compilerOptions, flatten, memoryHost, ROOT } from './typescript-host.ts';

/**
 * What one type check may take. The checker holds every file's syntax tree and types in memory at
 * once (several times the source size), so the budget is set by the run's 1 GB of memory and its
 * five-minute timeout, not by what a buyer would like checked.
 */
export interface TypeCheckLimits {
  maxFiles: number;
  maxBytes: number;
  maxDiagnostics: number;
  maxPerFile: number;
}

export const TYPECHECK_LIMITS: Readonly<TypeCheckLimits> = Object.freeze({
  maxFiles: 1000,
  maxBytes: 8 * 1024 * 1024,
  maxDiagnostics: 2000,
  maxPerFile: 100,
});

const CODE = /\.(?:[cm]?tsx?|[cm]?jsx?)$/;
/** Bundles and minified files are build output: checking them reports the bundler, not the project. */
const BUILT = /(?:^|\/)(?:dist|build|out|coverage|vendor|\.next)\/|\.min\.[cm]?js$|\.bundle\.[cm]?js$/;

/**
 * Diagnostics that only say the environment is missing (packages, @types, a JSX runtime): node_modules
 * is never in the archive, so every real project would drown in them.
 */
const ENVIRONMENT = new Set([7016, 2580, 2591, 2582, 2593, 2867, 2868, 2688, 2875, 7026]);
const MODULE_NOT_FOUND = new Set([2307, 2792]);
const SOURCE_MODULE = /\.(?:[cm]?[jt]sx?|json)$|^[^.]*$/;

export interface TypeCheck {
  findings: Finding[];
  /** The archive's files the compiler parsed, for the complexity pass. */
  sourceFiles: { path: string; ast: ts.SourceFile }[];
  notes: string[];
  compiled: number;
  /** Code files left out by the limits or as build output. */
  skippedFiles: number;
  /** Environment diagnostics left out (see ENVIRONMENT). */
  suppressed: number;
  /** Diagnostics past the caps. */
  omitted: number;
}

function level(category: ts.DiagnosticCategory): Level {
  if (category === ts.DiagnosticCategory.Error) return 'error';
  return category === ts.DiagnosticCategory.Warning ? 'warning' : 'note';
}

function onlyEnvironment(d: ts.Diagnostic): boolean {
  if (ENVIRONMENT.has(d.code)) return true;
  if (!MODULE_NOT_FOUND.has(d.code) || !d.file || d.start === undefined) return false;
  const specifier = d.file.text.slice(d.start, d.start + (d.length ?? 0)).replace(/^["'`]|["'`]$/g, '');
  const relative = specifier.startsWith('.') || specifier.startsWith('/');
  // A missing package is the environment; a missing ./file.ts is the project's bug. A ./style.css is
  // handled by the bundler, which the compiler knows nothing of.
  return !relative || !SOURCE_MODULE.test(specifier.split('/').at(-1) ?? '');
}

/** Which code files to compile, within the limits: sources first, tests after, build output never. */
function pick(files: readonly RepoFile[], limits: TypeCheckLimits): { chosen: RepoFile[]; skipped: number } {
  const code = files.filter((f) => CODE.test(f.path));
  const candidates = code.filter(
    (f) => !BUILT.test(f.path) && f.text.length / (f.text.split('\n').length || 1) < 500,
  );
  const isTest = (p: string) => /(?:^|\/)(?:__tests__|tests?)\/|\.(?:test|spec)\.[cm]?[jt]sx?$/.test(p);
  candidates.sort((a, b) => Number(isTest(a.path)) - Number(isTest(b.path)));
  const chosen: RepoFile[] = [];
  let bytes = 0;
  for (const f of candidates) {
    if (chosen.length >= limits.maxFiles || bytes + f.bytes > limits.maxBytes) continue;
    chosen.push(f);
    bytes += f.bytes;
  }
  return { chosen, skipped: code.length - chosen.length };
}

/**
 * Type-checks the archive's TypeScript and JavaScript in memory (JavaScript is checked only where the
 * project opts in, with `checkJs` or `// @ts-check`, as the compiler itself does).
 */
export async function typeCheck(
  files: readonly RepoFile[],
  signal: AbortSignal,
  limits: TypeCheckLimits = TYPECHECK_LIMITS,
): Promise<TypeCheck> {
  const { chosen, skipped } = pick(files, limits);
  const result: TypeCheck = {
    findings: [],
    sourceFiles: [],
    notes: [],
    compiled: chosen.length,
    skippedFiles: skipped,
    suppressed: 0,
    omitted: 0,
  };
  if (chosen.length === 0) return result;
  const { options, notes } = compilerOptions(files.find((f) => f.path === 'tsconfig.json')?.text);
  result.notes.push(...notes);
  const memory = new Map<string, string>();
  for (const f of chosen) memory.set(`${ROOT}/${f.path}`, f.text);
  // package.json files steer module resolution ("type", "exports") between the project's own packages.
  for (const f of files) if (f.path.endsWith('package.json')) memory.set(`${ROOT}/${f.path}`, f.text);
  const rootNames = chosen.map((f) => `${ROOT}/${f.path}`);
  const program = ts.createProgram({ rootNames, options, host: memoryHost(memory, options) });
  for (const d of [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].slice(0, 10)) {
    result.notes.push(`TypeScript: ${redactText(flatten(d)).replaceAll(`${ROOT}/`, '')}`);
  }
  for (const ast of program.getSourceFiles()) {
    if (!ast.fileName.startsWith(`${ROOT}/`)) continue;
    stopIfAborted(signal);
    await breathe();
    const path = ast.fileName.slice(ROOT.length + 1);
    result.sourceFiles.push({ path, ast });
    let inFile = 0;
    // As tsc does: a file that does not parse gets its syntax errors only, not the confusion they cause.
    const syntactic = program.getSyntacticDiagnostics(ast);
    const diagnostics = syntactic.length > 0 ? syntactic : program.getSemanticDiagnostics(ast);
    for (const d of diagnostics) {
      if (onlyEnvironment(d)) {
        result.suppressed++;
        continue;
      }
      if (result.findings.length >= limits.maxDiagnostics || inFile++ >= limits.maxPerFile) {
        result.omitted++;
        continue;
      }
      const at = ast.getLineAndCharacterOfPosition(d.start ?? 0);
      const text = redactText(flatten(d)).replaceAll(`${ROOT}/`, '');
      result.findings.push({
        ruleId: `TS${d.code}`,
        level: level(d.category),
        category: 'diagnostics',
        message: text.length > 500 ? `${text.slice(0, 500)}…` : text,
        file: path,
        line: at.line + 1,
        column: at.character + 1,
      });
    }
  }
  return result;
}
