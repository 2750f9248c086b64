import {
  accountId,
  type LedgerCommand,
  SYSTEM_ACCOUNT_KINDS,
  systemAccountId,
  USER_ACCOUNT_KINDS,
} from '@jeton/core';

/**
 * The accounts a command may change, so a batch locks exactly those and no others: two batches that
 * touch different wallets never wait for each other. `holdUser` finds the buyer behind a hold id.
 */
export function touchedAccounts(raw: unknown, holdUser: (holdId: string) => string | undefined): string[] {
  const c = raw as Partial<LedgerCommand> & Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const wallets = (userId: string | undefined) =>
    userId ? [accountId(userId, 'wallet_promo'), accountId(userId, 'wallet_paid')] : [];
  const earnings = (userId: string | undefined) =>
    userId ? [accountId(userId, 'earnings_cash'), accountId(userId, 'earnings_credit')] : [];
  const holder = () => {
    const holdId = str(c.holdId);
    return holdId ? holdUser(holdId) : undefined;
  };
  switch (c.type) {
    case 'top_up':
      return [systemAccountId('payments_clearing'), ...wallets(str(c.userId))];
    case 'grant_promo':
      return [systemAccountId('promo_issuance'), ...wallets(str(c.userId))];
    case 'hold':
      return [systemAccountId('escrow'), ...wallets(str(c.userId))];
    case 'capture':
      return [
        systemAccountId('escrow'),
        systemAccountId('platform_revenue'),
        ...wallets(holder()),
        ...earnings(str(c.creatorId)),
      ];
    case 'release':
    case 'expire':
      return [systemAccountId('escrow'), ...wallets(holder())];
    case 'payout':
      return [systemAccountId('payouts'), ...earnings(str(c.creatorId))];
    case 'transfer':
      return [str(c.debitAccountId), str(c.creditAccountId)].filter((v): v is string => v !== undefined);
    default:
      return [];
  }
}

export const userAccountIds = (userId: string): string[] =>
  USER_ACCOUNT_KINDS.map((k) => accountId(userId, k));

/**
 * Accounts every capture touches (the platform's, and a popular creator's earnings): they are locked
 * last and briefly. See apply-in-transaction.ts for why this keeps batches deadlock-free.
 */
const LATE_KINDS: ReadonlySet<string> = new Set([
  ...SYSTEM_ACCOUNT_KINDS,
  'earnings_cash',
  'earnings_credit',
]);

export function isLateAccount(id: string): boolean {
  return LATE_KINDS.has(id.slice(id.lastIndexOf(':') + 1));
}
