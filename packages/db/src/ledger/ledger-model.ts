import { type LedgerCommand, toCanonicalJson } from '@jeton/core';

/**
 * A plain in-memory model of the ledger's rules, written a second time as simply as possible: the
 * property test replays the same random commands against it and against the real ledger, and they
 * must agree on every result and every balance. It shares no code with the ledger but the JSON
 * encoding that defines "the same body".
 */
export interface ModelHold {
  user: string;
  max: bigint;
  promo: bigint;
  paid: bigint;
  status: 'pending' | 'captured' | 'released' | 'expired';
  expiresAt: number;
  runId: string;
}

export interface ModelWallet {
  paid: bigint;
  promo: bigint;
  paidHeld: bigint;
  promoHeld: bigint;
  cash: bigint;
  credit: bigint;
}

export type ModelResult =
  | { ok: true; value: Record<string, unknown>; replayed: boolean }
  | { ok: false; type: string };

export class LedgerModel {
  readonly wallets = new Map<string, ModelWallet>();
  readonly holds = new Map<string, ModelHold>();
  readonly ops = new Map<string, { body: string; value: Record<string, unknown> }>();
  revenue = 0n;
  cleared = 0n;
  promoIssued = 0n;
  paidOut = 0n;

  constructor(
    users: readonly string[],
    private readonly commissionBps: number,
    private readonly payoutMinimum: bigint,
  ) {
    for (const u of users)
      this.wallets.set(u, { paid: 0n, promo: 0n, paidHeld: 0n, promoHeld: 0n, cash: 0n, credit: 0n });
  }

  get escrowHeld(): bigint {
    let sum = 0n;
    for (const h of this.holds.values()) if (h.status === 'pending') sum += h.max;
    return sum;
  }

  apply(command: LedgerCommand, now: number): ModelResult {
    const body = toCanonicalJson(command);
    const seen = this.ops.get(command.id);
    if (seen)
      return seen.body === body
        ? { ok: true, value: seen.value, replayed: true }
        : fail('idempotency_conflict');
    const result = this.#run(command, now);
    if (result.ok) this.ops.set(command.id, { body, value: result.value });
    return result;
  }

  #run(c: LedgerCommand, now: number): ModelResult {
    switch (c.type) {
      case 'top_up': {
        this.#w(c.userId).paid += c.amount;
        this.cleared += c.amount;
        return done({ type: 'top_up', transferId: c.id, amount: c.amount });
      }
      case 'grant_promo': {
        this.#w(c.userId).promo += c.amount;
        this.promoIssued += c.amount;
        return done({ type: 'grant_promo', transferId: c.id, amount: c.amount });
      }
      case 'hold': {
        if (c.expiresAt.getTime() <= now) return fail('invalid_command');
        const w = this.#w(c.userId);
        const promoFree = w.promo - w.promoHeld;
        const paidFree = w.paid - w.paidHeld;
        // biome-ignore lint/complexity/useMathMinMax: Math.min does not take bigints
        const promo = promoFree < c.max ? promoFree : c.max;
        const paid = c.max - promo;
        if (paid > paidFree) return fail('insufficient_credits');
        w.promoHeld += promo;
        w.paidHeld += paid;
        this.holds.set(c.id, {
          user: c.userId,
          max: c.max,
          promo,
          paid,
          status: 'pending',
          expiresAt: c.expiresAt.getTime(),
          runId: c.runId,
        });
        return done({
          type: 'hold',
          holdId: c.id,
          max: c.max,
          promoAmount: promo,
          paidAmount: paid,
          expiresAt: c.expiresAt,
        });
      }
      case 'capture': {
        const h = this.holds.get(c.holdId);
        if (!h) return fail('hold_not_found');
        if (h.status !== 'pending') return fail('hold_already_resolved');
        if (now >= h.expiresAt) return fail('hold_expired');
        if (c.amount > h.max) return fail('amount_exceeds_hold');
        const w = this.#w(h.user);
        // biome-ignore lint/complexity/useMathMinMax: Math.min does not take bigints
        const promoSpent = h.promo < c.amount ? h.promo : c.amount;
        const paidSpent = c.amount - promoSpent;
        w.promoHeld -= h.promo;
        w.paidHeld -= h.paid;
        w.promo -= promoSpent;
        w.paid -= paidSpent;
        const bps = BigInt(c.commissionBps ?? this.commissionBps);
        const feePromo = (promoSpent * bps) / 10_000n;
        const feePaid = (paidSpent * bps) / 10_000n;
        const creator = this.#w(c.creatorId);
        creator.credit += promoSpent - feePromo;
        creator.cash += paidSpent - feePaid;
        this.revenue += feePromo + feePaid;
        h.status = 'captured';
        return done({
          type: 'capture',
          holdId: c.holdId,
          amount: c.amount,
          promoSpent,
          paidSpent,
          creatorCash: paidSpent - feePaid,
          creatorCredit: promoSpent - feePromo,
          platformFee: feePromo + feePaid,
          released: h.max - c.amount,
        });
      }
      case 'release':
      case 'expire': {
        const h = this.holds.get(c.holdId);
        if (!h) return fail('hold_not_found');
        if (h.status !== 'pending') return fail('hold_already_resolved');
        if (c.type === 'expire' && now < h.expiresAt) return fail('hold_not_expired');
        const w = this.#w(h.user);
        w.promoHeld -= h.promo;
        w.paidHeld -= h.paid;
        h.status = c.type === 'expire' ? 'expired' : 'released';
        return done({ type: c.type, holdId: c.holdId, released: h.max });
      }
      case 'payout': {
        if (c.amount < this.payoutMinimum) return fail('below_payout_minimum');
        const w = this.#w(c.creatorId);
        if (c.amount > w.cash) return fail('insufficient_credits');
        w.cash -= c.amount;
        this.paidOut += c.amount;
        return done({ type: 'payout', transferId: c.id, amount: c.amount });
      }
      case 'transfer':
        throw new Error('the model does not cover operator transfers');
    }
  }

  #w(user: string): ModelWallet {
    const w = this.wallets.get(user);
    if (!w) throw new Error(`model has no user ${user}`);
    return w;
  }
}

const done = (value: Record<string, unknown>): ModelResult => ({ ok: true, value, replayed: false });
const fail = (type: string): ModelResult => ({ ok: false, type });
