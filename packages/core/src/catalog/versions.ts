import semver from 'semver';
import type { VersionRecord } from './types.ts';

/** `slug` or `slug@1.2.0`. */
export function parseAgentRef(ref: string): { slug: string; version: string | null } {
  const at = ref.indexOf('@');
  return at < 0 ? { slug: ref, version: null } : { slug: ref.slice(0, at), version: ref.slice(at + 1) };
}

const published = (versions: readonly VersionRecord[]) =>
  versions.filter((v) => v.status === 'published').sort((a, b) => semver.rcompare(a.version, b.version));

/**
 * The version unpinned runs use (the highest published version in effect), and the one waiting out a
 * price notice, if any (a higher published version not in effect yet).
 */
export function currentAndPending(
  versions: readonly VersionRecord[],
  now: Date,
): { current: VersionRecord | null; pending: VersionRecord | null } {
  const list = published(versions);
  const current = list.find((v) => v.effectiveAt !== null && v.effectiveAt <= now) ?? null;
  const pending =
    list.find(
      (v) =>
        v.effectiveAt !== null && v.effectiveAt > now && (!current || semver.gt(v.version, current.version)),
    ) ?? null;
  return { current, pending };
}

/** The highest published version, in effect or not: a new version must be above it. */
export const latestPublished = (versions: readonly VersionRecord[]): VersionRecord | null =>
  published(versions)[0] ?? null;
