/**
 * Account kinds and how an account is named. An account is identified by its owner and its kind,
 * so its id is derived (`owner:kind`) and never needs a lookup.
 */
export const USER_ACCOUNT_KINDS = [
  'wallet_paid', // credits bought with money
  'wallet_promo', // free / trial credits
  'earnings_cash', // creator earnings from paid credits: withdrawable
  'earnings_credit', // creator earnings from promotional credits: platform credits only
] as const;

export const SYSTEM_ACCOUNT_KINDS = [
  'escrow', // credits held for runs in progress
  'platform_revenue', // the platform's commission
  'payments_clearing', // outside world: money received from payment providers
  'promo_issuance', // outside world: where promotional credits come from
  'payouts', // outside world: money paid out to creators
] as const;

export type UserAccountKind = (typeof USER_ACCOUNT_KINDS)[number];
export type SystemAccountKind = (typeof SYSTEM_ACCOUNT_KINDS)[number];
export type AccountKind = UserAccountKind | SystemAccountKind;

/** The owner of every system account. */
export const PLATFORM_OWNER = 'platform';

/**
 * Accounts whose debits may never exceed their credits (TigerBeetle's `debits_must_not_exceed_credits`):
 * wallets, earnings, escrow and revenue can never go below zero. The outside-world accounts are the
 * other side of every inflow and outflow, so their balance is negative by design.
 */
const NON_NEGATIVE: ReadonlySet<AccountKind> = new Set<AccountKind>([
  ...USER_ACCOUNT_KINDS,
  'escrow',
  'platform_revenue',
]);

export function mustStayNonNegative(kind: AccountKind): boolean {
  return NON_NEGATIVE.has(kind);
}

export function accountId(ownerId: string, kind: AccountKind): string {
  return `${ownerId}:${kind}`;
}

export function systemAccountId(kind: SystemAccountKind): string {
  return accountId(PLATFORM_OWNER, kind);
}

/** Characters of a user id: ASCII letters, digits and `_ . @ + -` (no `:`, the separator), at most 64. */
export const OWNER_ID = /^[\w.@+-]{1,64}$/;

/** Characters of a command id and of an account id: an owner id's, plus `:` and `/`. */
export const LEDGER_ID = /^[\w.@+:/-]+$/;

/** A user id may not collide with the platform owner nor contain the separator. */
export function isValidOwnerId(ownerId: string): boolean {
  return OWNER_ID.test(ownerId) && ownerId !== PLATFORM_OWNER;
}
