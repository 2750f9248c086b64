import type { Credits } from '../shared/money.ts';
import type { HoldStatus } from './types.ts';

/**
 * Every expected way a ledger command can be refused. `type` is stable: the HTTP layer maps it to a
 * problem+json `type` URI, and clients may switch on it.
 */
export type LedgerError =
  | { type: 'invalid_command'; id: string | null; issues: { path: string; message: string }[] }
  | { type: 'idempotency_conflict'; id: string }
  | { type: 'account_not_found'; accountId: string }
  | { type: 'insufficient_credits'; accountIds: string[]; available: Credits; required: Credits }
  | { type: 'hold_not_found'; holdId: string }
  | { type: 'hold_already_resolved'; holdId: string; status: Exclude<HoldStatus, 'pending'> }
  | { type: 'hold_expired'; holdId: string; expiresAt: Date }
  | { type: 'hold_not_expired'; holdId: string; expiresAt: Date }
  | { type: 'amount_exceeds_hold'; holdId: string; max: Credits; amount: Credits }
  | { type: 'below_payout_minimum'; minimum: Credits; amount: Credits }
  | { type: 'linked_command_failed'; failedId: string };

export type LedgerErrorType = LedgerError['type'];
