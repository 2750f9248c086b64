import type { Credits } from '../shared/money.ts';
import type { ApplyContext, CommandUnit } from './apply.ts';
import type { CommandResult } from './outcomes.ts';
import type { Hold, Transfer } from './types.ts';

export interface AccountBalance {
  readonly posted: Credits;
  readonly pending: Credits;
  /** posted − pending: what can still be spent or withdrawn. */
  readonly available: Credits;
}

export interface UserBalance {
  readonly userId: string;
  readonly paid: AccountBalance;
  readonly promo: AccountBalance;
  /** Spendable credits, promotional and paid together. */
  readonly available: Credits;
  /** Credits reserved by holds of runs in progress. */
  readonly held: Credits;
  readonly earnings: { readonly cash: AccountBalance; readonly credit: AccountBalance };
}

export interface StatementEntry {
  readonly seq: bigint;
  readonly accountId: string;
  /** How this transfer changed the account: credits add to a wallet, debits take from it. */
  readonly direction: 'debit' | 'credit';
  readonly transfer: Transfer;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass back to get the next (older) page; null when this was the last one. */
  readonly nextCursor: string | null;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly checks: { name: string; ok: boolean; failures: string[] }[];
  /** Accounts named by any failing check. */
  readonly offendingAccounts: string[];
}

/**
 * What the ledger needs from storage. The Drizzle store implements it on PGlite and Postgres; nothing
 * in the domain knows which one runs.
 */
export interface LedgerStore {
  /** Applies the units, in order, in ONE transaction, and returns each unit's results. */
  apply(units: readonly CommandUnit[], ctx: ApplyContext): Promise<CommandResult[][]>;
  /** Opens a user's wallets and earnings accounts; opening them again changes nothing. */
  openAccounts(userId: string): Promise<void>;
  balance(userId: string): Promise<UserBalance | null>;
  statement(
    userId: string,
    options: { cursor?: string | null; limit: number },
  ): Promise<Page<StatementEntry>>;
  hold(holdId: string): Promise<Hold | null>;
  /** Ids of pending holds whose expiry is at or before `now`, oldest first. */
  dueHolds(now: Date, limit: number): Promise<string[]>;
  verify(): Promise<VerifyReport>;
}
