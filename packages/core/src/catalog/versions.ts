import semver from 'semver';
import type { VersionRecord } from './types.ts';

/** `slug` or `slug@1.2.0`. */
export function parseAgentRef(ref: string): { slug: string; version: string | null } {
  const at = ref.indexOf('@');
  return at < 0 ? { slug: ref, version: null } : { slug: ref.slice(0, at), version: ref.slice(at + 1) };
}

/** What choosing among versions looks at: a whole record, or a summary without the manifest. */
type VersionLike = Pick<VersionRecord, 'version' | 'status' | 'effectiveAt'>;

const published = <V extends VersionLike>(versions: readonly V[]) =>
  versions.filter((v) => v.status === 'published').sort((a, b) => semver.rcompare(a.version, b.version));

/**
 * The version unpinned runs use (the highest published version in effect), and the one waiting out a
 * price notice, if any (a higher published version not in effect yet).
 */
export function currentAndPending<V extends VersionLike>(
  versions: readonly V[],
  now: Date,
): { current: V | null; pending: V | null } {
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
