import semver from 'semver';
import { newId } from '../shared/ids.ts';
import { err, ok } from '../shared/result.ts';
import { nextListingStatus } from './listing.ts';
import { runtimeFingerprint } from './manifest.ts';
import type { Manifest } from './manifest-schema.ts';
import { compareOffer, listingOf } from './offer.ts';
import type { AgentChange, CloneMatch, Decision } from './port.ts';
import type { Actor, AgentSnapshot, TestReport, VersionRecord } from './types.ts';
import { currentAndPending, latestPublished } from './versions.ts';

/**
 * The catalog's decisions about one agent, as pure functions of the snapshot the store read (and
 * locked) in the transaction that will write their answer. `Catalog` does the I/O around them.
 */

export interface PublishOutcome {
  slug: string;
  version: string;
  effectiveAt: Date;
  priceChange: 'first' | 'rise' | 'cut' | 'same';
  tests: TestReport;
}

/** Saving a draft: a new agent, a new draft version, or the replacement of a draft. */
export function decideDraft(
  snapshot: AgentSnapshot | null,
  { actor, manifest, bundle, now }: { actor: Actor; manifest: Manifest; bundle: string | null; now: Date },
): Decision<VersionRecord> {
  if (snapshot && snapshot.agent.creatorId !== actor.id)
    return err({ type: 'slug_taken', slug: manifest.slug });
  if (snapshot?.agent.status === 'suspended') {
    return err({ type: 'forbidden', message: 'the agent is suspended by an operator' });
  }
  const existing = snapshot?.versions.find((v) => v.version === manifest.version);
  if (existing?.status === 'published') {
    return err({ type: 'version_immutable', slug: manifest.slug, version: manifest.version });
  }
  const latest = snapshot ? latestPublished(snapshot.versions) : null;
  if (latest && !semver.gt(manifest.version, latest.version)) {
    return err({
      type: 'version_not_newer',
      slug: manifest.slug,
      version: manifest.version,
      latest: latest.version,
    });
  }
  const agentId = snapshot?.agent.id ?? newId('agt', now.getTime());
  const version: VersionRecord = {
    id: existing?.id ?? newId('ver', now.getTime()),
    agentId,
    version: manifest.version,
    status: 'draft',
    manifest,
    bundle,
    fingerprint: runtimeFingerprint(manifest, bundle ?? undefined),
    createdAt: now,
    publishedAt: null,
    effectiveAt: null,
    testReport: null,
  };
  const change: AgentChange = { version };
  if (!snapshot) {
    change.create = {
      id: agentId,
      slug: manifest.slug,
      creatorId: actor.id,
      createdAt: now,
      listing: listingOf(manifest),
    };
  } else if (snapshot.agent.status === 'draft') {
    change.agent = { listing: listingOf(manifest) };
  }
  return ok({ change, value: version });
}

/**
 * Publishing a tested draft: the clone guard, the version order, the listing's move, and the price
 * notice (a rise over the version in effect waits `noticeMs`, a cut or a first version applies now).
 */
export function decidePublish(
  snapshot: AgentSnapshot | null,
  clone: CloneMatch | null,
  {
    slug,
    version,
    draft,
    report,
    now,
    noticeMs,
  }: { slug: string; version: string; draft: VersionRecord; report: TestReport; now: Date; noticeMs: number },
): Decision<PublishOutcome> {
  if (!snapshot) return err({ type: 'agent_not_found', slug });
  const v = snapshot.versions.find((x) => x.id === draft.id);
  if (
    v?.status !== 'draft' ||
    v.fingerprint !== draft.fingerprint ||
    v.createdAt.getTime() !== draft.createdAt.getTime()
  ) {
    return v?.status === 'published'
      ? err({ type: 'version_immutable', slug, version })
      : err({ type: 'draft_changed', slug, version });
  }
  const next = nextListingStatus(snapshot.agent.status, 'publish', 'creator', snapshot.agent.suspendedFrom);
  if (!next.ok) return err(next.error.type === 'forbidden' ? next.error : { ...next.error });
  const latest = latestPublished(snapshot.versions);
  if (latest && !semver.gt(version, latest.version)) {
    return err({ type: 'version_not_newer', slug, version, latest: latest.version });
  }
  if (clone) return err({ type: 'clone_refused', slug, original: clone.slug });

  const { current } = currentAndPending(snapshot.versions, now);
  const priceChange = current ? compareOffer(current.manifest, v.manifest) : 'first';
  // The notice protects buyers of an agent they can see: a listed one, or one briefly down.
  const from = snapshot.agent.status;
  const noticed = priceChange === 'rise' && (from === 'published' || from === 'maintenance');
  const effectiveAt = noticed ? new Date(now.getTime() + noticeMs) : now;
  const published: VersionRecord = {
    ...v,
    status: 'published',
    publishedAt: now,
    effectiveAt,
    testReport: report,
  };
  const versions = snapshot.versions.map((x) => (x.id === v.id ? published : x));
  // Under maintenance, the failing version stays in effect until the new one takes over: the
  // listing comes back then (see `sweep`), not before.
  const stillFailing = noticed && from === 'maintenance';
  const change: AgentChange = {
    version: published,
    agent: {
      status: stillFailing ? 'maintenance' : next.value,
      ...currentFields(versions, now),
      firstPublishedAt: snapshot.agent.firstPublishedAt ?? now,
      lastPublishedAt: now,
      ...(stillFailing ? {} : { lastTest: { status: report.status, at: now } }),
    },
  };
  return ok({ change, value: { slug, version, effectiveAt, priceChange, tests: report } });
}

/**
 * A price change whose notice has ended: the listing moves to the version now in effect, and an agent
 * under maintenance is listed again if that version's tests did not fail.
 */
export function decidePromotion(snapshot: AgentSnapshot | null, slug: string, now: Date): Decision<null> {
  if (!snapshot) return err({ type: 'agent_not_found', slug });
  const fields = currentFields(snapshot.versions, now);
  const current = snapshot.versions.find((v) => v.id === fields.currentVersionId);
  const tests = current?.testReport?.status ?? 'none';
  if (
    snapshot.agent.status === 'maintenance' &&
    current &&
    current.id !== snapshot.agent.currentVersionId &&
    tests !== 'failed'
  ) {
    fields.status = 'published';
    fields.lastTest = { status: tests, at: now };
  }
  return ok({ change: { agent: fields }, value: null });
}

/** The agent's fields that follow from which version is in effect. */
function currentFields(versions: readonly VersionRecord[], now: Date): NonNullable<AgentChange['agent']> {
  const { current, pending } = currentAndPending(versions, now);
  return {
    currentVersionId: current?.id ?? null,
    pendingVersionId: pending?.id ?? null,
    pendingEffectiveAt: pending?.effectiveAt ?? null,
    ...(current ? { listing: listingOf(current.manifest) } : {}),
  };
}
