import { describe, expect, it } from 'vitest';
import { isListed, LISTING_STATUSES, nextListingStatus } from './listing.ts';

describe('listing states', () => {
  it.each([
    ['draft', 'publish', 'creator', 'published'],
    ['published', 'tests_failed', 'system', 'maintenance'],
    ['maintenance', 'tests_passed', 'system', 'published'],
    ['maintenance', 'publish', 'creator', 'published'],
    ['published', 'deprecate', 'creator', 'deprecated'],
    ['maintenance', 'deprecate', 'creator', 'deprecated'],
    ['deprecated', 'publish', 'creator', 'published'],
    ['draft', 'suspend', 'operator', 'suspended'],
    ['published', 'suspend', 'operator', 'suspended'],
  ] as const)('%s --%s (%s)--> %s', (from, action, role, to) => {
    expect(nextListingStatus(from, action, role)).toEqual({ ok: true, value: to });
  });

  it('refuses transitions the table does not have', () => {
    expect(nextListingStatus('draft', 'deprecate', 'creator')).toMatchObject({
      ok: false,
      error: { type: 'invalid_transition' },
    });
    expect(nextListingStatus('deprecated', 'tests_failed', 'system')).toMatchObject({
      ok: false,
      error: { type: 'invalid_transition' },
    });
    expect(nextListingStatus('suspended', 'publish', 'creator')).toMatchObject({
      ok: false,
      error: { type: 'invalid_transition' },
    });
  });

  it('lets each action be taken by its role only', () => {
    expect(nextListingStatus('published', 'suspend', 'creator')).toMatchObject({
      ok: false,
      error: { type: 'forbidden' },
    });
    expect(nextListingStatus('draft', 'publish', 'operator')).toMatchObject({
      ok: false,
      error: { type: 'forbidden' },
    });
    expect(nextListingStatus('published', 'tests_failed', 'creator')).toMatchObject({
      ok: false,
      error: { type: 'forbidden' },
    });
  });

  it('reinstates a suspended listing to the state it left', () => {
    expect(nextListingStatus('suspended', 'reinstate', 'operator', 'maintenance')).toEqual({
      ok: true,
      value: 'maintenance',
    });
    expect(nextListingStatus('suspended', 'reinstate', 'operator', 'published')).toEqual({
      ok: true,
      value: 'published',
    });
  });

  it('lists published agents only', () => {
    expect(LISTING_STATUSES.filter(isListed)).toEqual(['published']);
  });
});
