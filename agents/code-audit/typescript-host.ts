import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import ts from 'typescript-api';

/** Where the archive's files appear to the compiler; nothing on disk lives there. */
export const ROOT = '/repo';

const DEFAULT_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  jsx: ts.JsxEmit.Preserve,
  esModuleInterop: true,
  resolveJsonModule: false,
  strict: true,
};

/**
 * The project's own compiler options (its root tsconfig.json, without `extends`, which usually names a
 * package that is not in the archive), forced to what an in-memory, read-only check can honour.
 */
export function compilerOptions(tsconfig: string | undefined): {
  options: ts.CompilerOptions;
  notes: string[];
} {
  const notes: string[] = [];
  let options: ts.CompilerOptions = { ...DEFAULT_OPTIONS };
  if (tsconfig !== undefined) {
    const parsed = ts.parseConfigFileTextToJson(`${ROOT}/tsconfig.json`, tsconfig);
    if (parsed.error) {
      notes.push(
        `tsconfig.json could not be read (${flatten(parsed.error)}); TypeScript's defaults were used.`,
      );
    } else {
      const raw = (parsed.config as { compilerOptions?: unknown; extends?: unknown }) ?? {};
      const converted = ts.convertCompilerOptionsFromJson(raw.compilerOptions ?? {}, ROOT, 'tsconfig.json');
      for (const e of converted.errors.slice(0, 5)) notes.push(`tsconfig.json: ${flatten(e)}`);
      options = {
        ...(converted.options.jsx === undefined ? { jsx: ts.JsxEmit.Preserve } : {}),
        ...converted.options,
      };
      if (raw.extends !== undefined)
        notes.push('tsconfig.json `extends` another file; only its own options were used.');
    }
  }
  return {
    options: {
      ...options,
      noEmit: true,
      allowJs: true,
      skipLibCheck: true,
      noLib: false,
      // node_modules is not in the archive: there are no @types packages to load.
      types: [],
      typeRoots: [],
      plugins: [],
      composite: false,
      incremental: false,
      declaration: false,
      emitDeclarationOnly: false,
      sourceMap: false,
      tsBuildInfoFile: undefined,
      outDir: undefined,
      outFile: undefined,
      rootDir: undefined,
      declarationDir: undefined,
    },
    notes,
  };
}

export function flatten(d: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, '\n');
}

/**
 * A compiler host over the archive's files, held in memory. Only the standard library's .d.ts files
 * come from disk, from typescript-api's own folder; any other path does not exist, so a project can
 * never make the compiler read this machine's files.
 */
export function memoryHost(files: ReadonlyMap<string, string>, options: ts.CompilerOptions): ts.CompilerHost {
  const libDir = posix.dirname(ts.getDefaultLibFilePath(options));
  const isLib = (name: string) =>
    posix.dirname(name) === libDir && /^lib(?:\.[a-z0-9]+)*\.d\.ts$/i.test(name.slice(libDir.length + 1));
  const read = (name: string): string | undefined => {
    const own = files.get(name);
    if (own !== undefined) return own;
    if (!isLib(name)) return undefined;
    try {
      return readFileSync(name, 'utf8');
    } catch {
      return undefined;
    }
  };
  const folders = new Set<string>([ROOT]);
  for (const name of files.keys()) {
    for (let dir = posix.dirname(name); dir.length > ROOT.length; dir = posix.dirname(dir)) folders.add(dir);
  }
  return {
    getSourceFile: (name, languageVersion) => {
      const text = read(name);
      return text === undefined ? undefined : ts.createSourceFile(name, text, languageVersion, true);
    },
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    writeFile: () => {},
    getCurrentDirectory: () => ROOT,
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    fileExists: (name) => files.has(name) || (isLib(name) && existsSync(name)),
    readFile: read,
    directoryExists: (dir) => folders.has(dir) || dir === libDir,
    getDirectories: () => [],
    realpath: (name) => name,
  };
}
