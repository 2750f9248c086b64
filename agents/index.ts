/**
 * The built-in agents' code, by runtime entry (the manifests' `runtime.entry`): module URLs that the
 * runtime loads in worker threads, so that loading one agent never loads the others.
 */
export const builtinAgentModules: Readonly<Record<string, string>> = Object.fromEntries(
  ['code-audit', '3d-character', 'brand-kit', 'data-cleaner'].map((entry) => [
    entry,
    new URL(`./${entry}/agent.ts`, import.meta.url).href,
  ]),
);

/** The folder of a built-in agent (its manifest, eval cases and fixtures). */
export function builtinAgentDir(entry: string): string {
  return new URL(`./${entry}/`, import.meta.url).pathname;
}
