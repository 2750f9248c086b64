import type { CatalogError } from '@jeton/core';
import { problem } from '../problem.ts';

/** Every catalog refusal as problem+json: one status and title per type, the details in extensions. */
export function catalogProblem(e: CatalogError): Response {
  switch (e.type) {
    case 'invalid_manifest':
      return problem('invalid-manifest', 'The manifest is not valid', 422, { issues: e.issues });
    case 'invalid_search':
      return problem('invalid-request', 'The request is not valid', 400, { issues: e.issues });
    case 'invalid_cursor':
      return problem('invalid-cursor', 'The cursor is not valid', 400, {
        detail: 'Pass back the nextCursor of a previous page, with the same sort.',
      });
    case 'agent_not_found':
      return problem('agent-not-found', 'No such agent', 404, { detail: `No agent "${e.slug}".` });
    case 'version_not_found':
      return problem('version-not-found', 'No such version', 404, {
        detail: `"${e.slug}" has no version ${e.version}.`,
      });
    case 'version_not_effective':
      return problem('version-not-effective', 'This version is not in effect yet', 409, {
        detail: `${e.slug}@${e.version} raises the price; it takes effect at ${e.effectiveAt.toISOString()}.`,
        effectiveAt: e.effectiveAt.toISOString(),
      });
    case 'not_runnable':
      return problem('agent-not-runnable', 'This agent cannot be run now', 409, {
        detail: `"${e.slug}" is ${e.status}.`,
        listingStatus: e.status,
      });
    case 'slug_taken':
      return problem('slug-taken', 'The slug belongs to another creator', 409, {
        detail: `"${e.slug}" is taken.`,
      });
    case 'handle_taken':
      return problem('handle-taken', 'The handle belongs to another creator', 409, {
        detail: `"${e.handle}" is taken.`,
      });
    case 'version_immutable':
      return problem('version-immutable', 'A published version never changes', 409, {
        detail: `Publish a new version instead of ${e.version}.`,
      });
    case 'version_not_newer':
      return problem('version-not-newer', 'The version must be higher than the latest', 409, {
        detail: `${e.version} is not above ${e.latest}.`,
      });
    case 'draft_changed':
      return problem('draft-changed', 'The draft changed while it was being tested', 409, {
        detail: 'Publish it again.',
      });
    case 'forbidden':
      return problem('forbidden', 'Not allowed', 403, { detail: e.message });
    case 'invalid_transition':
      return problem('invalid-transition', 'Not possible in this state', 409, { detail: e.message });
    case 'clone_refused':
      return problem('clone-refused', 'This agent copies another creator’s agent', 409, {
        detail: `Its runtime is identical to "${e.original}".`,
      });
    case 'tests_failed':
      return problem('tests-failed', 'The test cases failed', 422, {
        detail: 'Nothing was published.',
        report: e.report,
      });
    case 'review_not_allowed':
      return problem('review-not-allowed', 'This review is not allowed', 403, { detail: e.reason });
    case 'already_reviewed':
      return problem('already-reviewed', 'This run was already reviewed', 409);
    case 'review_not_found':
      return problem('review-not-found', 'No such review', 404);
    case 'already_replied':
      return problem('already-replied', 'The creator already replied', 409);
  }
}
