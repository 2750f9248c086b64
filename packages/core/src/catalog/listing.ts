import { err, ok, type Result } from '../shared/result.ts';

/**
 * A listing's life. Only `published` agents are listed and runnable by others; the creator can run
 * their own agent in any state but `suspended`.
 *
 *            publish                tests fail
 *   draft ───────────▶ published ─────────────▶ maintenance
 *                       ▲  ▲  │  ◀───────────── │
 *                       │  │  │   tests pass,   │
 *            publish    │  │  │   or publish    │ deprecate
 *   deprecated ─────────┘  │  └──── deprecate ──┴──────────▶ deprecated
 *
 *   any state ── suspend (operator) ──▶ suspended ── reinstate (operator) ──▶ the state it left
 */
export const LISTING_STATUSES = ['draft', 'published', 'maintenance', 'deprecated', 'suspended'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

export type ListingAction =
  | 'publish'
  | 'tests_failed'
  | 'tests_passed'
  | 'deprecate'
  | 'suspend'
  | 'reinstate';
export type ActingRole = 'creator' | 'operator' | 'system';

/** Who may take each action. */
const ACTOR: Record<ListingAction, ActingRole> = {
  publish: 'creator',
  deprecate: 'creator',
  tests_failed: 'system',
  tests_passed: 'system',
  suspend: 'operator',
  reinstate: 'operator',
};

/** The whole table: from a status, each action allowed and the status it leads to. */
const TRANSITIONS: Record<
  Exclude<ListingStatus, 'suspended'>,
  Partial<Record<ListingAction, ListingStatus>>
> = {
  draft: { publish: 'published', suspend: 'suspended' },
  published: {
    publish: 'published',
    tests_failed: 'maintenance',
    tests_passed: 'published',
    deprecate: 'deprecated',
    suspend: 'suspended',
  },
  maintenance: {
    publish: 'published',
    tests_failed: 'maintenance',
    tests_passed: 'published',
    deprecate: 'deprecated',
    suspend: 'suspended',
  },
  deprecated: { publish: 'published', suspend: 'suspended' },
};

export interface ListingTransitionError {
  type: 'invalid_transition';
  from: ListingStatus;
  action: ListingAction;
  message: string;
}

/**
 * The status an action leads to, or why it cannot be taken. `suspendedFrom` is the status a suspended
 * listing returns to when reinstated.
 */
export function nextListingStatus(
  from: ListingStatus,
  action: ListingAction,
  role: ActingRole,
  suspendedFrom: ListingStatus | null = null,
): Result<ListingStatus, ListingTransitionError | { type: 'forbidden'; message: string }> {
  if (ACTOR[action] !== role) {
    return err({ type: 'forbidden', message: `only the ${ACTOR[action]} can ${action.replace('_', ' ')}` });
  }
  if (from === 'suspended') {
    if (action === 'reinstate') return ok(suspendedFrom ?? 'draft');
    return err({
      type: 'invalid_transition',
      from,
      action,
      message: 'the agent is suspended by an operator',
    });
  }
  const to = TRANSITIONS[from][action];
  if (to === undefined) {
    return err({
      type: 'invalid_transition',
      from,
      action,
      message: `cannot ${action.replace('_', ' ')} a ${from} agent`,
    });
  }
  return ok(to);
}

/** Whether someone other than the creator may find and run the agent. */
export const isListed = (status: ListingStatus): boolean => status === 'published';
