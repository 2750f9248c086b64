import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { builtinAgentModules } from '@jeton/agents';
import { type Manifest, parseManifestText } from '@jeton/core';
import { readEvalCases } from '@jeton/runtime';

export const MANIFEST_FILE = 'jeton.agent.json';
/** A code agent's bundle is loaded whole into its sandbox: keep it small. */
const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

/**
 * Reads and checks an agent's folder: the manifest (its schema, and its examples' and tests' inputs
 * against its input schema), the code bundle it names, its eval cases. Prints every problem with
 * where it is; returns null when there is any.
 */
export function readAgentFolder(
  dir: string,
  out: (line: string) => void,
): { manifest: Manifest; bundle: string | null } | null {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) {
    out(`✗ No ${MANIFEST_FILE} in ${dir} (jeton agent init creates one).`);
    return null;
  }
  const parsed = parseManifestText(readFileSync(file, 'utf8'), file);
  if (!parsed.ok) {
    out(`✗ ${MANIFEST_FILE} is not a valid manifest:`);
    for (const i of parsed.error) out(`    ${i.path}: ${i.message}`);
    return null;
  }
  const manifest = parsed.value;
  const problems: string[] = [];
  let bundle: string | null = null;
  const r = manifest.runtime;
  if (r.kind === 'code') {
    const path = resolve(dir, r.entry);
    if (relative(dir, path).startsWith('..'))
      problems.push(`$.runtime.entry: ${r.entry} is outside the agent's folder`);
    else if (!existsSync(path))
      problems.push(`$.runtime.entry: ${r.entry} does not exist (build the bundle first)`);
    else if (statSync(path).size > MAX_BUNDLE_BYTES)
      problems.push(`$.runtime.entry: ${r.entry} is larger than 5 MB`);
    else bundle = readFileSync(path, 'utf8');
  }
  if (r.kind === 'builtin' && !Object.hasOwn(builtinAgentModules, r.entry)) {
    problems.push(
      `$.runtime.entry: "${r.entry}" is not one of Jeton's built-in agents (creators publish code or prompt agents)`,
    );
  }
  try {
    for (const [n, c] of readEvalCases(dir).entries()) {
      for (const f of c.files) {
        if (!existsSync(join(dir, f.path))) problems.push(`evals.json[${n}].files: ${f.path} does not exist`);
      }
    }
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) {
    out(`✗ ${manifest.slug} ${manifest.version}:`);
    for (const p of problems) out(`    ${p}`);
    return null;
  }
  return { manifest, bundle };
}

/** `jeton agent validate [dir]`: exit code 0 when the folder is sound, 1 when not. */
export function agentValidate(dir: string, out: (line: string) => void = console.log): number {
  const folder = readAgentFolder(resolve(dir), out);
  if (!folder) return 1;
  const m = folder.manifest;
  out(`✓ ${m.slug} ${m.version} (${m.runtime.kind}, ${m.pricing.model}) is valid.`);
  return 0;
}
