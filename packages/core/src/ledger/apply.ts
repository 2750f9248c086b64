import { createHash } from 'node:crypto';
import { invariant } from '../shared/assert.ts';
import { fromCanonicalJson, toCanonicalJson } from '../shared/canonical-json.ts';
import { type Credits, splitCommission } from '../shared/money.ts';
import { err, ok, type Result } from '../shared/result.ts';
import { accountId, mustStayNonNegative, systemAccountId } from './accounts.ts';
import type { BatchState } from './batch-state.ts';
import {
  type CaptureCommand,
  type ExpireCommand,
  type GrantPromoCommand,
  type HoldCommand,
  type LedgerCommand,
  ledgerCommand,
  type PayoutCommand,
  type ReleaseCommand,
  type TopUpCommand,
  type TransferCommand,
} from './commands.ts';
import type { LedgerError } from './errors.ts';
import type { CommandResult, LedgerOutcome } from './outcomes.ts';
import type { Account, Hold, TransferCode } from './types.ts';

/** The longest a hold may stay open: a run that needs longer must be re-held. */
export const MAX_HOLD_MS = 31 * 24 * 3600 * 1000;

export interface ApplyContext {
  readonly now: Date;
  /** The platform's default commission, in basis points. */
  readonly commissionBps: number;
  /** The smallest payout a creator may ask for. */
  readonly payoutMinimum: Credits;
}

/**
 * A unit is one command, or several linked commands that succeed or fail together.
 * Units are applied in order; each unit's results come back in the order of its commands.
 */
export type CommandUnit = readonly unknown[];

type Step<T extends LedgerOutcome = LedgerOutcome> = Result<T, LedgerError>;

/**
 * Applies units of commands to a batch's state, in memory. Pure apart from `state`: no I/O, so the
 * same rules run on every engine, and the store only has to load and write.
 */
export function applyUnits(
  state: BatchState,
  units: readonly CommandUnit[],
  ctx: ApplyContext,
): CommandResult[][] {
  return units.map((unit) => applyUnit(state, unit, ctx));
}

function applyUnit(state: BatchState, unit: CommandUnit, ctx: ApplyContext): CommandResult[] {
  const checkpoint = state.checkpoint();
  const results = unit.map((command) => applyCommand(state, command, ctx));
  const failed = results.findIndex((r) => !r.ok);
  if (unit.length <= 1 || failed < 0) return results;
  state.rollback(checkpoint);
  const failedId = idOf(unit[failed]) ?? `#${failed}`;
  return results.map((r, i) => (i === failed ? r : err({ type: 'linked_command_failed', failedId })));
}

function idOf(raw: unknown): string | null {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : null;
}

function applyCommand(state: BatchState, raw: unknown, ctx: ApplyContext): CommandResult {
  const parsed = ledgerCommand.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return err({ type: 'invalid_command', id: idOf(raw), issues });
  }
  const command = parsed.data;
  const fingerprint = fingerprintOf(command);
  const existing = state.operations.get(command.id);
  if (existing) {
    if (existing.fingerprint !== fingerprint) return err({ type: 'idempotency_conflict', id: command.id });
    return { ok: true, value: fromCanonicalJson<LedgerOutcome>(existing.result), replayed: true };
  }
  const checkpoint = state.checkpoint();
  const step = dispatch(state, command, ctx);
  if (!step.ok) {
    state.rollback(checkpoint);
    return step;
  }
  state.addOperation({
    id: command.id,
    type: command.type,
    fingerprint,
    result: toCanonicalJson(step.value),
    createdAt: ctx.now,
  });
  return { ok: true, value: step.value, replayed: false };
}

/**
 * What makes two commands "the same body": the SHA-256 of their canonical JSON (key order and
 * omitted options do not matter). Only the fingerprint is stored; the transfers record the movement.
 */
export function fingerprintOf(command: LedgerCommand): string {
  return createHash('sha256').update(toCanonicalJson(command)).digest('base64url');
}

function dispatch(state: BatchState, command: LedgerCommand, ctx: ApplyContext): Step {
  switch (command.type) {
    case 'top_up':
      return topUp(state, command, ctx);
    case 'grant_promo':
      return grantPromo(state, command, ctx);
    case 'hold':
      return hold(state, command, ctx);
    case 'capture':
      return capture(state, command, ctx);
    case 'release':
    case 'expire':
      return release(state, command, ctx);
    case 'payout':
      return payout(state, command, ctx);
    case 'transfer':
      return transfer(state, command, ctx);
  }
}

// ---------------------------------------------------------------------------------------------------
// Commands

function topUp(state: BatchState, c: TopUpCommand, ctx: ApplyContext): Step {
  const moved = post(state, ctx, {
    id: c.id,
    operationId: c.id,
    debit: systemAccountId('payments_clearing'),
    credit: accountId(c.userId, 'wallet_paid'),
    amount: c.amount,
    code: 'top_up',
    reference: c.reference ?? null,
  });
  return moved.ok ? ok({ type: 'top_up', transferId: c.id, amount: c.amount }) : moved;
}

function grantPromo(state: BatchState, c: GrantPromoCommand, ctx: ApplyContext): Step {
  const moved = post(state, ctx, {
    id: c.id,
    operationId: c.id,
    debit: systemAccountId('promo_issuance'),
    credit: accountId(c.userId, 'wallet_promo'),
    amount: c.amount,
    code: 'promo_grant',
    reference: c.reference ?? null,
  });
  return moved.ok ? ok({ type: 'grant_promo', transferId: c.id, amount: c.amount }) : moved;
}

function payout(state: BatchState, c: PayoutCommand, ctx: ApplyContext): Step {
  if (c.amount < ctx.payoutMinimum) {
    return err({ type: 'below_payout_minimum', minimum: ctx.payoutMinimum, amount: c.amount });
  }
  const moved = post(state, ctx, {
    id: c.id,
    operationId: c.id,
    debit: accountId(c.creatorId, 'earnings_cash'),
    credit: systemAccountId('payouts'),
    amount: c.amount,
    code: 'payout',
    reference: c.reference ?? null,
  });
  return moved.ok ? ok({ type: 'payout', transferId: c.id, amount: c.amount }) : moved;
}

function transfer(state: BatchState, c: TransferCommand, ctx: ApplyContext): Step {
  const escrow = systemAccountId('escrow');
  if (c.debitAccountId === c.creditAccountId) {
    return invalid(c.id, 'creditAccountId', 'must differ from debitAccountId');
  }
  if (c.debitAccountId === escrow || c.creditAccountId === escrow) {
    return invalid(c.id, 'debitAccountId', 'escrow moves only through holds');
  }
  const moved = post(state, ctx, {
    id: c.id,
    operationId: c.id,
    debit: c.debitAccountId,
    credit: c.creditAccountId,
    amount: c.amount,
    code: 'transfer',
    reference: c.reference ?? null,
  });
  return moved.ok ? ok({ type: 'transfer', transferId: c.id, amount: c.amount }) : moved;
}

/** Reserves `max`, promotional credits first, then paid credits. */
function hold(state: BatchState, c: HoldCommand, ctx: ApplyContext): Step {
  const ttl = c.expiresAt.getTime() - ctx.now.getTime();
  if (ttl <= 0) return invalid(c.id, 'expiresAt', 'must be in the future');
  if (ttl > MAX_HOLD_MS) return invalid(c.id, 'expiresAt', 'must be at most 31 days ahead');
  invariant(!state.holds.has(c.id), `hold ${c.id} exists without its operation`);

  const promo = state.accounts.get(accountId(c.userId, 'wallet_promo'));
  const paid = state.accounts.get(accountId(c.userId, 'wallet_paid'));
  if (!promo) return err({ type: 'account_not_found', accountId: accountId(c.userId, 'wallet_promo') });
  if (!paid) return err({ type: 'account_not_found', accountId: accountId(c.userId, 'wallet_paid') });
  const promoAvailable = available(promo);
  const paidAvailable = available(paid);
  const promoAmount = min(promoAvailable, c.max);
  const paidAmount = c.max - promoAmount;
  if (paidAmount > paidAvailable) {
    return err({
      type: 'insufficient_credits',
      accountIds: [promo.id, paid.id],
      available: promoAvailable + paidAvailable,
      required: c.max,
    });
  }
  const escrow = systemAccountId('escrow');
  for (const [leg, wallet, amount] of [
    ['promo', promo.id, promoAmount],
    ['paid', paid.id, paidAmount],
  ] as const) {
    if (amount === 0n) continue;
    const reserved = reserve(state, ctx, {
      id: legId(c.id, leg),
      operationId: c.id,
      debit: wallet,
      credit: escrow,
      amount,
      code: 'hold',
      holdId: c.id,
      reference: c.runId,
    });
    if (!reserved.ok) return reserved;
  }
  state.insertHold({
    id: c.id,
    runId: c.runId,
    userId: c.userId,
    max: c.max,
    promoAmount,
    paidAmount,
    status: 'pending',
    capturedAmount: null,
    expiresAt: c.expiresAt,
    createdAt: ctx.now,
    resolvedAt: null,
  });
  return ok({ type: 'hold', holdId: c.id, max: c.max, promoAmount, paidAmount, expiresAt: c.expiresAt });
}

/**
 * Posts `amount` of the hold (promotional part first), releases the rest, and pays the creator and
 * the platform from escrow, all in this one command.
 */
function capture(state: BatchState, c: CaptureCommand, ctx: ApplyContext): Step {
  const found = pendingHold(state, c.holdId);
  if (!found.ok) return found;
  const h = found.value;
  if (ctx.now.getTime() >= h.expiresAt.getTime()) {
    return err({ type: 'hold_expired', holdId: h.id, expiresAt: h.expiresAt });
  }
  if (c.amount > h.max)
    return err({ type: 'amount_exceeds_hold', holdId: h.id, max: h.max, amount: c.amount });
  for (const id of [accountId(c.creatorId, 'earnings_cash'), accountId(c.creatorId, 'earnings_credit')]) {
    if (!state.accounts.has(id)) return err({ type: 'account_not_found', accountId: id });
  }

  const promoSpent = min(h.promoAmount, c.amount);
  const paidSpent = c.amount - promoSpent;
  settleLegs(state, ctx, h, c.id, promoSpent, paidSpent, 'capture');

  const rate = c.commissionBps ?? ctx.commissionBps;
  const promoSplit = splitCommission(promoSpent, rate);
  const paidSplit = splitCommission(paidSpent, rate);
  const platformFee = promoSplit.platform + paidSplit.platform;
  const escrow = systemAccountId('escrow');
  const payments: [string, string, Credits, TransferCode][] = [
    ['creator_credit', accountId(c.creatorId, 'earnings_credit'), promoSplit.creator, 'creator_earning'],
    ['creator_cash', accountId(c.creatorId, 'earnings_cash'), paidSplit.creator, 'creator_earning'],
    ['fee', systemAccountId('platform_revenue'), platformFee, 'commission'],
  ];
  for (const [leg, credit, amount, code] of payments) {
    if (amount === 0n) continue;
    const paid = post(state, ctx, {
      id: legId(c.id, leg),
      operationId: c.id,
      debit: escrow,
      credit,
      amount,
      code,
      holdId: h.id,
      reference: h.runId,
    });
    // Escrow has just been credited with exactly what it pays out here, so this cannot fail.
    invariant(paid.ok, `escrow could not pay ${leg} for hold ${h.id}`);
  }
  state.updateHold({ ...h, status: 'captured', capturedAmount: c.amount, resolvedAt: ctx.now });
  return ok({
    type: 'capture',
    holdId: h.id,
    amount: c.amount,
    promoSpent,
    paidSpent,
    creatorCash: paidSplit.creator,
    creatorCredit: promoSplit.creator,
    platformFee,
    released: h.max - c.amount,
  });
}

/** `release` voids a hold at any time; `expire` does the same, but only once the hold has expired. */
function release(state: BatchState, c: ReleaseCommand | ExpireCommand, ctx: ApplyContext): Step {
  const found = pendingHold(state, c.holdId);
  if (!found.ok) return found;
  const h = found.value;
  if (c.type === 'expire' && ctx.now.getTime() < h.expiresAt.getTime()) {
    return err({ type: 'hold_not_expired', holdId: h.id, expiresAt: h.expiresAt });
  }
  settleLegs(state, ctx, h, c.id, 0n, 0n, c.type);
  const status = c.type === 'expire' ? 'expired' : 'released';
  state.updateHold({ ...h, status, capturedAmount: null, resolvedAt: ctx.now });
  return ok({ type: c.type, holdId: h.id, released: h.max });
}

// ---------------------------------------------------------------------------------------------------
// Primitives

interface Movement {
  id: string;
  operationId: string;
  debit: string;
  credit: string;
  amount: Credits;
  code: TransferCode;
  holdId?: string;
  reference: string | null;
}

function post(state: BatchState, ctx: ApplyContext, m: Movement): Result<void, LedgerError> {
  const accounts = debitable(state, m);
  if (!accounts.ok) return accounts;
  const [debit, credit] = accounts.value;
  state.setAccount({ ...debit, debitsPosted: debit.debitsPosted + m.amount });
  state.setAccount({ ...credit, creditsPosted: credit.creditsPosted + m.amount });
  addTransfer(state, ctx, m, 'posted', null);
  return ok(undefined);
}

function reserve(state: BatchState, ctx: ApplyContext, m: Movement): Result<void, LedgerError> {
  const accounts = debitable(state, m);
  if (!accounts.ok) return accounts;
  const [debit, credit] = accounts.value;
  state.setAccount({ ...debit, debitsPending: debit.debitsPending + m.amount });
  state.setAccount({ ...credit, creditsPending: credit.creditsPending + m.amount });
  addTransfer(state, ctx, m, 'pending', null);
  return ok(undefined);
}

/** Both accounts exist, differ, and the debit leaves a non-negative account at or above zero. */
function debitable(state: BatchState, m: Movement): Result<[Account, Account], LedgerError> {
  invariant(m.amount > 0n, `transfer ${m.id} has a non-positive amount`);
  const debit = state.accounts.get(m.debit);
  if (!debit) return err({ type: 'account_not_found', accountId: m.debit });
  const credit = state.accounts.get(m.credit);
  if (!credit) return err({ type: 'account_not_found', accountId: m.credit });
  invariant(debit.id !== credit.id, `transfer ${m.id} debits and credits the same account`);
  if (mustStayNonNegative(debit.kind) && m.amount > available(debit)) {
    return err({
      type: 'insufficient_credits',
      accountIds: [debit.id],
      available: available(debit),
      required: m.amount,
    });
  }
  return ok([debit, credit]);
}

/**
 * Resolves both legs of a hold: each is posted for its part of the spent amount, or voided when that
 * part is zero. The reserved remainder returns to the wallet either way.
 */
function settleLegs(
  state: BatchState,
  ctx: ApplyContext,
  h: Hold,
  operationId: string,
  promoSpent: Credits,
  paidSpent: Credits,
  code: TransferCode,
): void {
  const legs = [
    ['promo', accountId(h.userId, 'wallet_promo'), h.promoAmount, promoSpent],
    ['paid', accountId(h.userId, 'wallet_paid'), h.paidAmount, paidSpent],
  ] as const;
  const escrowId = systemAccountId('escrow');
  for (const [leg, walletId, reserved, spent] of legs) {
    if (reserved === 0n) continue;
    invariant(spent <= reserved, `leg ${leg} of hold ${h.id} spends more than it reserved`);
    const wallet = state.accounts.get(walletId);
    const escrow = state.accounts.get(escrowId);
    invariant(wallet && escrow, `accounts of hold ${h.id} were not loaded`);
    state.setAccount({
      ...wallet,
      debitsPending: wallet.debitsPending - reserved,
      debitsPosted: wallet.debitsPosted + spent,
    });
    state.setAccount({
      ...escrow,
      creditsPending: escrow.creditsPending - reserved,
      creditsPosted: escrow.creditsPosted + spent,
    });
    const movement: Movement = {
      id: legId(operationId, leg),
      operationId,
      debit: walletId,
      credit: escrowId,
      amount: spent > 0n ? spent : reserved,
      code: spent > 0n ? code : code === 'capture' ? 'release' : code,
      holdId: h.id,
      reference: h.runId,
    };
    addTransfer(state, ctx, movement, spent > 0n ? 'post_pending' : 'void_pending', legId(h.id, leg));
  }
}

function addTransfer(
  state: BatchState,
  ctx: ApplyContext,
  m: Movement,
  phase: 'posted' | 'pending' | 'post_pending' | 'void_pending',
  pendingId: string | null,
): void {
  state.addTransfer({
    id: m.id,
    operationId: m.operationId,
    debitAccountId: m.debit,
    creditAccountId: m.credit,
    amount: m.amount,
    phase,
    pendingId,
    code: m.code,
    holdId: m.holdId ?? null,
    reference: m.reference,
    createdAt: ctx.now,
  });
}

function pendingHold(state: BatchState, holdId: string): Result<Hold, LedgerError> {
  const h = state.holds.get(holdId);
  if (!h) return err({ type: 'hold_not_found', holdId });
  if (h.status !== 'pending') return err({ type: 'hold_already_resolved', holdId, status: h.status });
  return ok(h);
}

/** What a credit-normal account can still spend: posted credits less posted and pending debits. */
export function available(a: Account): Credits {
  return a.creditsPosted - a.debitsPosted - a.debitsPending;
}

/** Transfer ids of a multi-leg operation: the operation id, `#`, the leg. Ids cannot contain `#`. */
export function legId(operationId: string, leg: string): string {
  return `${operationId}#${leg}`;
}

function min(a: Credits, b: Credits): Credits {
  return a < b ? a : b;
}

function invalid(id: string, path: string, message: string): Step {
  return err({ type: 'invalid_command', id, issues: [{ path, message }] });
}
