import {
  accountId,
  type Clock,
  type Credits,
  type DailyLimitRefusal,
  decidePayout,
  err,
  type Ledger,
  newId,
  ok,
  type PaymentEvents,
  type PaymentProvider,
  type Payout,
  type PayoutAccount,
  type PayoutRefusal,
  payoutCommandId,
  payoutReversalCommandId,
  type Result,
  systemAccountId,
  systemClock,
  type TopUp,
  topUpCommandId,
  utcDayStart,
} from '@jeton/core';
import type { PaymentRecords } from '@jeton/db';
import type { Logger } from 'pino';
import type { PaymentsConfig } from './config.ts';
import { payoutJson, topUpJson } from './views.ts';

export type TopUpRefusal = DailyLimitRefusal | { type: 'provider_unavailable'; message: string };

export type PayoutFailure =
  | PayoutRefusal
  | { type: 'payout_account_missing' }
  | { type: 'payout_failed'; payout: Payout };

export type WebhookOutcome = 'credited' | 'already_credited' | 'expired' | 'ignored' | 'unknown_payment';

export interface PaymentsDeps {
  ledger: Ledger;
  records: PaymentRecords;
  provider: PaymentProvider;
  config: PaymentsConfig;
  /** The smallest payout (`JETON_PAYOUT_MIN_CREDITS`, the ledger's own minimum). */
  payoutMinimum: Credits;
  /** Notifications to users (`top_up.credited`, `payout.paid`, `payout.failed`); none when absent. */
  events?: PaymentEvents;
  logger?: Logger;
  clock?: Clock;
}

/**
 * The money flows between the ledger and a payment provider: top-ups, the provider's webhooks and
 * creator payouts. Every step is either idempotent or a compare-and-set, so a retry, a replay or a
 * crash between two steps never moves money twice (see README.md for the orderings).
 */
export class Payments {
  readonly #d: PaymentsDeps;
  readonly #clock: Clock;

  constructor(deps: PaymentsDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? systemClock;
  }

  get provider(): PaymentProvider {
    return this.#d.provider;
  }

  get payoutMinimum(): Credits {
    return this.#d.payoutMinimum;
  }

  /**
   * Starts a top-up. The dev provider credits it at once, within its daily limit; Stripe answers a
   * pending top-up and the Checkout url, and the webhook credits it.
   */
  async topUp(
    userId: string,
    credits: Credits,
  ): Promise<Result<{ topUp: TopUp; url: string | null }, TopUpRefusal>> {
    const { provider, records, config, ledger } = this.#d;
    const now = this.#clock.now();
    const id = newId('top', now.getTime());
    const pending = (ref: string): TopUp => ({
      id,
      userId,
      provider: provider.name,
      credits,
      status: 'pending',
      providerRef: ref,
      createdAt: now,
      creditedAt: null,
    });
    if (provider.name === 'dev') {
      // Recorded (counted against the limit) before it is credited: a crash in between leaves a
      // pending top-up that still counts, never credits beyond the limit.
      const start = await provider.startCheckout({ topUpId: id, userId, credits });
      const inserted = await records.insertTopUpWithinLimit(
        pending(start.ref),
        config.devDailyLimit,
        utcDayStart(now),
      );
      if (!inserted.ok) return inserted;
      const credited = await this.#credit(inserted.value);
      return ok({ topUp: credited ?? inserted.value, url: null });
    }
    let start: Awaited<ReturnType<PaymentProvider['startCheckout']>>;
    try {
      start = await provider.startCheckout({ topUpId: id, userId, credits });
    } catch (error) {
      this.#d.logger?.warn({ err: error, userId }, 'checkout could not be created');
      return err({ type: 'provider_unavailable', message: (error as Error).message });
    }
    // The session exists before its record does: should this insert fail, the buyer never sees the
    // session's url, and an unknown session's webhook is ignored.
    const topUp = await records.insertTopUp(pending(start.ref));
    await ledger.openAccounts(userId);
    return ok({ topUp, url: start.kind === 'redirect' ? start.url : null });
  }

  /** A provider's webhook: verified, then applied at most once per payment. */
  async webhook(
    rawBody: string,
    signature: string | undefined,
  ): Promise<Result<WebhookOutcome, 'bad_signature'>> {
    const { provider, records, logger } = this.#d;
    const event = provider.parseWebhook?.(rawBody, signature) ?? null;
    if (!event) return err('bad_signature');
    if (event.kind === 'ignored') return ok('ignored');
    const topUp = await records.topUpByRef(provider.name, event.ref);
    if (!topUp) {
      logger?.info(
        { eventId: event.eventId, ref: event.ref },
        'webhook for a payment this server did not start',
      );
      return ok('unknown_payment');
    }
    if (event.kind === 'checkout_expired') {
      await records.markTopUpExpired(topUp.id);
      return ok('expired');
    }
    if (event.amountCents !== Number(topUp.credits) || event.currency !== 'usd') {
      // Never credit what was not paid: this needs a person (a tampered session cannot be signed).
      logger?.error(
        { eventId: event.eventId, topUpId: topUp.id, event },
        'paid amount differs from the top-up',
      );
      return ok('ignored');
    }
    return ok((await this.#credit(topUp)) ? 'credited' : 'already_credited');
  }

  /**
   * Credits a top-up exactly once: the ledger command id comes from the provider's payment id, so a
   * replayed event, a second event for the same session or a retry after a crash all name the same
   * command, which the ledger applies once. The record is then marked (compare-and-set), and only the
   * caller that marked it announces it. Returns the credited top-up, or null if it already was.
   */
  async #credit(topUp: TopUp): Promise<TopUp | null> {
    const { ledger, records } = this.#d;
    await ledger.openAccounts(topUp.userId);
    const r = await ledger.topUp({
      id: topUpCommandId(topUp.provider, topUp.providerRef),
      userId: topUp.userId,
      amount: topUp.credits,
      reference: topUp.id,
    });
    if (!r.ok)
      throw new Error(`top-up ${topUp.id} refused by the ledger: ${JSON.stringify(r.error, bigints)}`);
    const marked = await records.markTopUpCredited(topUp.id, this.#clock.now());
    if (marked) await this.#emit(marked.userId, 'top_up.credited', topUpJson(marked));
    return marked;
  }

  async setPayoutAccount(
    userId: string,
    ref: string,
  ): Promise<Result<PayoutAccount, { type: 'invalid_account'; message: string }>> {
    const problem = this.#d.provider.accountRefProblem(ref);
    if (problem) return err({ type: 'invalid_account', message: problem });
    return ok(
      await this.#d.records.setPayoutAccount({
        userId,
        provider: this.#d.provider.name,
        accountRef: ref,
        updatedAt: this.#clock.now(),
      }),
    );
  }

  /**
   * Pays out `requested` credits (default: all withdrawable earnings). The order is: record the
   * payout (pending), move it out of the earnings in the ledger, then ask the provider, with the
   * payout id as its idempotency key. The ledger goes first so that two payouts at once can never
   * both spend the same earnings; a definite refusal by the provider reverses the ledger move and
   * marks the payout failed; an unknown outcome leaves it pending (money may have left).
   */
  async payout(userId: string, requested: Credits | undefined): Promise<Result<Payout, PayoutFailure>> {
    const { ledger, records, provider } = this.#d;
    const balance = await ledger.balance(userId);
    const decided = decidePayout(requested, balance?.earnings.cash.available ?? 0n, this.#d.payoutMinimum);
    if (!decided.ok) return decided;
    const account = await records.payoutAccount(userId, provider.name);
    if (provider.requiresPayoutAccount && !account) return err({ type: 'payout_account_missing' });

    const now = this.#clock.now();
    const payout = await records.insertPayout({
      id: newId('pay', now.getTime()),
      userId,
      credits: decided.value,
      status: 'pending',
      provider: provider.name,
      providerRef: null,
      failure: null,
      createdAt: now,
      paidAt: null,
    });
    const moved = await ledger.payout({
      id: payoutCommandId(payout.id),
      creatorId: userId,
      amount: payout.credits,
      reference: payout.id,
    });
    if (!moved.ok) {
      // Earnings spent by a concurrent payout since the balance was read: nothing moved.
      await records.markPayoutFailed(payout.id, `refused by the ledger: ${moved.error.type}`);
      if (moved.error.type === 'insufficient_credits') {
        return err({
          type: 'insufficient_earnings',
          available: moved.error.available,
          requested: payout.credits,
        });
      }
      throw new Error(`payout ${payout.id} refused by the ledger: ${JSON.stringify(moved.error, bigints)}`);
    }

    const outcome = await provider.transfer({
      payoutId: payout.id,
      userId,
      credits: payout.credits,
      accountRef: account?.accountRef ?? null,
    });
    if (outcome.status === 'paid') {
      const paid = (await records.markPayoutPaid(payout.id, outcome.ref, this.#clock.now())) ?? payout;
      await this.#emit(userId, 'payout.paid', payoutJson(paid));
      return ok(paid);
    }
    if (outcome.status === 'unknown') {
      this.#d.logger?.error(
        { payoutId: payout.id, reason: outcome.reason },
        'payout outcome unknown: left pending',
      );
      return ok((await records.notePayoutPending(payout.id, `outcome unknown: ${outcome.reason}`)) ?? payout);
    }
    const reversed = await ledger.transfer({
      id: payoutReversalCommandId(payout.id),
      debitAccountId: systemAccountId('payouts'),
      creditAccountId: accountId(userId, 'earnings_cash'),
      amount: payout.credits,
      reference: payout.id,
    });
    if (!reversed.ok) {
      throw new Error(`payout ${payout.id}: reversal refused: ${JSON.stringify(reversed.error, bigints)}`);
    }
    const failed = (await records.markPayoutFailed(payout.id, outcome.reason)) ?? payout;
    await this.#emit(userId, 'payout.failed', payoutJson(failed));
    return err({ type: 'payout_failed', payout: failed });
  }

  /** A notification that cannot be sent must not undo (nor fail) a money movement already made. */
  async #emit(userId: string, type: string, data: Record<string, unknown>): Promise<void> {
    if (!this.#d.events) return;
    try {
      await this.#d.events.emit(userId, type, data);
    } catch (error) {
      this.#d.logger?.error({ err: error, userId, type }, 'payment event could not be emitted');
    }
  }
}

/** JSON.stringify replacer: credits are bigints. */
function bigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? Number(value) : value;
}
