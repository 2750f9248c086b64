import type { Manifest } from '@jeton/core';

/** `code-audit` + `API_TOKEN` → `JETON_SECRET_CODE_AUDIT__API_TOKEN`. */
export function secretVariable(slug: string, name: string): string {
  return `JETON_SECRET_${slug.toUpperCase().replaceAll('-', '_')}__${name}`;
}

/**
 * Agents' secrets from the operator's environment: each secret a manifest declares is read from
 * `JETON_SECRET_<SLUG>__<NAME>`; an agent gets only the secrets it declares, and only those that are
 * set. (Creators setting their own secrets through the API is part of accounts, not of the runtime.)
 */
export function secretsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): (manifest: Manifest) => Promise<Record<string, string>> {
  return async (manifest) => {
    const out: Record<string, string> = {};
    for (const s of manifest.secrets) {
      const value = env[secretVariable(manifest.slug, s.name)];
      if (value !== undefined && value !== '') out[s.name] = value;
    }
    return out;
  };
}
