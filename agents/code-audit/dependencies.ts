import type { RepoFile } from './collector.ts';
import { type Finding, inline, type Level } from './findings.ts';
import { breathe, stopIfAborted } from './stop.ts';

/** npm runs these on `npm install` of the package (or of the repository, for `prepare`). */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'] as const;
const SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
const LOCKFILES = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
];
/** A dependency list longer than this is generated, not written; the report would only repeat itself. */
const MAX_DEPENDENCIES_PER_MANIFEST = 2000;

type SpecKind =
  | { kind: 'exact' | 'local-workspace' }
  | { kind: 'git'; pinned: boolean }
  | { kind: 'url'; insecure: boolean }
  | { kind: 'file' }
  | { kind: 'any'; why: string }
  | { kind: 'range'; why: string };

const EXACT = /^=?v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** What a dependency specifier asks npm to fetch, after npm-package-arg's rules, reduced to risk. */
export function classifySpec(raw: string): SpecKind {
  const spec = raw.trim();
  if (/^(?:workspace|catalog|portal):/.test(spec)) return { kind: 'local-workspace' };
  if (spec.startsWith('npm:')) {
    const at = spec.lastIndexOf('@');
    return at > 4 ? classifySpec(spec.slice(at + 1)) : { kind: 'any', why: 'an alias with no version' };
  }
  if (/^(?:git\+|git:|git@)|^(?:github|gitlab|bitbucket|gist):/.test(spec)) {
    return { kind: 'git', pinned: /#[0-9a-f]{40}$/i.test(spec) };
  }
  if (/^https?:\/\//i.test(spec)) {
    if (/\.git(?:#.*)?$/.test(spec)) return { kind: 'git', pinned: /#[0-9a-f]{40}$/i.test(spec) };
    return { kind: 'url', insecure: /^http:/i.test(spec) };
  }
  if (/^(?:file:|link:|\.\.?\/|\/|~\/)/.test(spec)) return { kind: 'file' };
  // `user/repo` and `user/repo#ref` are GitHub shorthands; a range never contains a slash.
  if (/^[A-Za-z0-9][\w.-]*\/[\w.-]+(?:#.*)?$/.test(spec))
    return { kind: 'git', pinned: /#[0-9a-f]{40}$/i.test(spec) };
  if (EXACT.test(spec)) return { kind: 'exact' };
  if (spec === '' || spec === '*' || /^[xX]$/.test(spec)) return { kind: 'any', why: 'any version' };
  if (/^[A-Za-z][\w.-]*$/.test(spec)) return { kind: 'any', why: `the moving dist-tag "${spec}"` };
  if (/^>=?\s*[\dvx]/.test(spec) && !/[<|]|\s-\s/.test(spec))
    return { kind: 'any', why: 'an open-ended range' };
  if (spec.startsWith('^')) return { kind: 'range', why: 'a caret range (any later minor or patch)' };
  if (spec.startsWith('~')) return { kind: 'range', why: 'a tilde range (any later patch)' };
  return { kind: 'range', why: 'a version range' };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where each line of a text starts: built once per manifest, so a line number costs a binary search. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The 1-based line holding the character at `offset`. */
export function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Where `"key": "value"` sits in the raw text at or after `after` (JSON.parse keeps no positions). */
function find(text: string, key: string, value: string, after: number): { at: number; end: number } | null {
  const re = new RegExp(
    `"${escapeRegExp(JSON.stringify(key).slice(1, -1))}"\\s*:\\s*"${escapeRegExp(JSON.stringify(value).slice(1, -1))}"`,
    'g',
  );
  re.lastIndex = after;
  const m = re.exec(text);
  return m === null ? null : { at: m.index, end: m.index + m[0].length };
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** Whether a lockfile sits in the manifest's folder or any folder above (workspaces share the root's). */
function hasLockfile(manifestPath: string, paths: ReadonlySet<string>): boolean {
  for (let dir = dirOf(manifestPath); ; dir = dirOf(dir)) {
    if (LOCKFILES.some((l) => paths.has(dir === '' ? l : `${dir}/${l}`))) return true;
    if (dir === '') return false;
  }
}

function riskOf(
  kind: SpecKind,
  name: string,
  spec: string,
  section: string,
): { ruleId: string; level: Level; message: string } | null {
  const what = `\`${inline(name, 80)}\` (${section}) is \`${inline(spec, 80)}\``;
  switch (kind.kind) {
    case 'git':
      return {
        ruleId: 'deps/git-dependency',
        level: kind.pinned ? 'note' : 'warning',
        message: kind.pinned
          ? `${what}: fetched from git at a fixed commit, outside the registry's integrity checks.`
          : `${what}: fetched from git at a moving branch or tag; what installs can change at any time. Publish it or pin a commit.`,
      };
    case 'url':
      return {
        ruleId: 'deps/url-dependency',
        level: kind.insecure ? 'error' : 'warning',
        message: kind.insecure
          ? `${what}: a tarball over plain http, which anyone on the path can replace.`
          : `${what}: a tarball from a URL, outside the registry; its content can change under the same URL.`,
      };
    case 'file':
      return {
        ruleId: 'deps/file-dependency',
        level: 'note',
        message: `${what}: a local path, which only installs inside this checkout.`,
      };
    case 'any':
      return {
        ruleId: 'deps/any-version',
        level: 'warning',
        message: `${what}: ${kind.why}, so any future release, including a compromised one, installs. Pin a version.`,
      };
    case 'range':
      // A peer dependency is a compatibility statement: a range is what it should be.
      if (section === 'peerDependencies') return null;
      return {
        ruleId: 'deps/unpinned-range',
        level: 'note',
        message: `${what}: ${kind.why}; installs without a lockfile may differ from what was tested.`,
      };
    default:
      return null;
  }
}

/** Reviews every package.json in the archive (not those in node_modules, which was never read). */
export async function scanManifests(
  files: readonly RepoFile[],
  paths: ReadonlySet<string>,
  signal: AbortSignal,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const file of files) {
    if (file.path !== 'package.json' && !file.path.endsWith('/package.json')) continue;
    await breathe();
    stopIfAborted(signal);
    const at = (line: number, f: Omit<Finding, 'file' | 'line' | 'category'>) =>
      findings.push({ ...f, file: file.path, line, category: 'dependencies' });
    let manifest: unknown;
    try {
      manifest = JSON.parse(file.text);
    } catch (error) {
      at(1, {
        ruleId: 'deps/invalid-manifest',
        level: 'warning',
        message: `Not valid JSON (${inline(error instanceof Error ? error.message : String(error))}): npm cannot install it.`,
      });
      continue;
    }
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) continue;
    const m = manifest as Record<string, unknown>;
    const starts = lineStarts(file.text);
    const scripts = m.scripts;
    if (typeof scripts === 'object' && scripts !== null) {
      for (const name of INSTALL_SCRIPTS) {
        const command = (scripts as Record<string, unknown>)[name];
        if (typeof command !== 'string') continue;
        at(lineAt(starts, find(file.text, name, command, 0)?.at ?? 0), {
          ruleId: 'deps/install-script',
          level: 'warning',
          message: `The \`${name}\` script runs on install: \`${inline(command)}\`. Check that it does only what it must.`,
        });
      }
    }
    let count = 0;
    for (const section of SECTIONS) {
      const deps = m[section];
      if (typeof deps !== 'object' || deps === null) continue;
      const sectionAt = Math.max(0, file.text.indexOf(`"${section}"`));
      // JSON.parse keeps the text's order, so each search starts where the previous one ended: the
      // whole section is read once, not once per dependency.
      let cursor = sectionAt;
      for (const [name, spec] of Object.entries(deps as Record<string, unknown>)) {
        if (typeof spec !== 'string' || ++count > MAX_DEPENDENCIES_PER_MANIFEST) continue;
        const risk = riskOf(classifySpec(spec), name, spec, section);
        if (!risk) continue;
        const hit = find(file.text, name, spec, cursor) ?? find(file.text, name, spec, sectionAt);
        if (hit && hit.at >= cursor) cursor = hit.end;
        at(lineAt(starts, hit?.at ?? 0), risk);
      }
    }
    const runtimeDeps = ['dependencies', 'devDependencies', 'optionalDependencies'].some(
      (s) => typeof m[s] === 'object' && m[s] !== null && Object.keys(m[s] as object).length > 0,
    );
    if (runtimeDeps && !hasLockfile(file.path, paths)) {
      at(1, {
        ruleId: 'deps/no-lockfile',
        level: 'warning',
        message:
          'No lockfile (package-lock.json, yarn.lock, pnpm-lock.yaml) here or above: every install resolves the ranges anew. Commit one.',
      });
    }
  }
  return findings;
}
