import { z } from 'zod';
import { MAX_AMOUNT } from '../shared/money.ts';
import { isValidOwnerId, LEDGER_ID } from './accounts.ts';

/** The prefix of the ids the expiry sweep gives its `expire` commands. */
export const EXPIRE_PREFIX = 'expire:';

/**
 * The ledger's write commands. Every command carries a caller-chosen `id` that is its idempotency key:
 * the same id with the same body returns the first result; with another body it is refused.
 */
/**
 * Ids starting with `expire:` are the sweep's (`expire:<holdId>`), so that no other command can take
 * the id the sweep will need; a hold id is at most 190 characters so that the sweep's id fits.
 */
const id = z.string().min(1).max(200).regex(LEDGER_ID, 'use letters, digits and _ . @ + : / - only');
const commandId = id.refine(
  (v) => !v.startsWith(EXPIRE_PREFIX),
  `ids starting with "${EXPIRE_PREFIX}" are reserved for the expiry sweep`,
);
const holdId = id.max(190);
const ownerId = z
  .string()
  .refine(isValidOwnerId, 'not a valid user id (1-64 characters, no ":", not "platform")');
const positive = z.bigint().min(1n, 'must be at least 1 credit').max(MAX_AMOUNT, 'too large');
const nonNegative = z.bigint().min(0n, 'must not be negative').max(MAX_AMOUNT, 'too large');
const reference = z
  .string()
  .min(1)
  .max(256)
  // Control characters and lone surrogates cannot be stored as text (nor as JSON) by Postgres.
  .regex(/^[^\p{Cc}\p{Cs}]*$/u, 'must not contain control characters or lone surrogates')
  .optional();

export const topUpCommand = z.strictObject({
  type: z.literal('top_up'),
  id: commandId,
  userId: ownerId,
  amount: positive,
  reference,
});

export const grantPromoCommand = z.strictObject({
  type: z.literal('grant_promo'),
  id: commandId,
  userId: ownerId,
  amount: positive,
  reference,
});

export const holdCommand = z.strictObject({
  type: z.literal('hold'),
  /** Also the hold's id. */
  id: commandId.pipe(holdId),
  runId: id,
  userId: ownerId,
  max: positive,
  expiresAt: z.date(),
});

export const captureCommand = z.strictObject({
  type: z.literal('capture'),
  id: commandId,
  holdId: id,
  /** What the run actually costs: 0 ≤ amount ≤ the hold's max. The rest is released. */
  amount: nonNegative,
  creatorId: ownerId,
  /** The platform's commission in basis points; the ledger's configured rate when omitted. */
  commissionBps: z.number().int().min(0).max(10_000).optional(),
});

export const releaseCommand = z.strictObject({ type: z.literal('release'), id: commandId, holdId: id });

export const expireCommand = z.strictObject({ type: z.literal('expire'), id, holdId: id });

export const payoutCommand = z.strictObject({
  type: z.literal('payout'),
  id: commandId,
  creatorId: ownerId,
  amount: positive,
  reference,
});

/** A plain posted transfer between two named accounts, for operator corrections. */
export const transferCommand = z.strictObject({
  type: z.literal('transfer'),
  id: commandId,
  debitAccountId: z.string().min(3).max(200),
  creditAccountId: z.string().min(3).max(200),
  amount: positive,
  reference,
});

export const ledgerCommand = z.discriminatedUnion('type', [
  topUpCommand,
  grantPromoCommand,
  holdCommand,
  captureCommand,
  releaseCommand,
  expireCommand,
  payoutCommand,
  transferCommand,
]);

export type TopUpCommand = z.infer<typeof topUpCommand>;
export type GrantPromoCommand = z.infer<typeof grantPromoCommand>;
export type HoldCommand = z.infer<typeof holdCommand>;
export type CaptureCommand = z.infer<typeof captureCommand>;
export type ReleaseCommand = z.infer<typeof releaseCommand>;
export type ExpireCommand = z.infer<typeof expireCommand>;
export type PayoutCommand = z.infer<typeof payoutCommand>;
export type TransferCommand = z.infer<typeof transferCommand>;
export type LedgerCommand = z.infer<typeof ledgerCommand>;
export type LedgerCommandType = LedgerCommand['type'];

/** The holds a command reads, so a store can lock them before it applies the command. */
export function holdIdOf(command: LedgerCommand): string | null {
  switch (command.type) {
    case 'capture':
    case 'release':
    case 'expire':
      return command.holdId;
    default:
      return null;
  }
}
