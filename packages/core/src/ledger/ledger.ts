import { Batcher } from '../shared/batcher.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import type { Credits } from '../shared/money.ts';
import { err, ok, type Result } from '../shared/result.ts';
import { isValidOwnerId } from './accounts.ts';
import type { ApplyContext, CommandUnit } from './apply.ts';
import type {
  CaptureCommand,
  ExpireCommand,
  GrantPromoCommand,
  HoldCommand,
  LedgerCommand,
  PayoutCommand,
  ReleaseCommand,
  TopUpCommand,
  TransferCommand,
} from './commands.ts';
import { EXPIRE_PREFIX } from './commands.ts';
import type { CommandResult, OutcomeOf } from './outcomes.ts';
import type { LedgerStore, Page, StatementEntry, UserBalance, VerifyReport } from './port.ts';
import type { Hold } from './types.ts';

export interface LedgerOptions {
  clock?: Clock;
  /** The platform's commission, in basis points (2000 = 20%). */
  commissionBps?: number;
  /** The smallest payout, in credits. */
  payoutMinimum?: Credits;
  /**
   * Group concurrent commands into one transaction (default). Off: every command gets its own
   * transaction, which is the naive baseline the benchmark compares against.
   */
  batching?: boolean;
  /** The most units one transaction may carry (default 256; each holds one advisory lock per id). */
  maxBatchSize?: number;
  /**
   * How many batch transactions may run at once (default 2): while one waits on the database, the next
   * is being prepared, so both cores stay busy. More only adds waiting on the shared platform accounts.
   */
  maxInFlight?: number;
}

type Without<C> = Omit<C, 'type'>;

/**
 * The credit ledger: double-entry, two-phase holds, idempotent by caller-chosen ids.
 *
 * Throughput comes from group commit, as in TigerBeetle: while transactions are in flight, new commands
 * queue; the next transaction takes them (up to `maxBatchSize`). Each command still gets its own
 * result, and one command's refusal never fails another's (unless they are linked).
 *
 * @example
 * const ledger = new Ledger(store);
 * const held = await ledger.hold({ id: 'hold_run_1', runId: 'run_1', userId: 'usr_1', max: 50n, expiresAt });
 * if (held.ok) await ledger.capture({ id: 'cap_run_1', holdId: 'hold_run_1', amount: 40n, creatorId: 'usr_2' });
 */
export class Ledger {
  readonly #store: LedgerStore;
  readonly #clock: Clock;
  readonly #commissionBps: number;
  readonly #payoutMinimum: Credits;
  readonly #batching: boolean;
  readonly #maxBatchSize: number;
  readonly #maxInFlight: number;
  /** Group commit: commands that arrive while a transaction is in flight share the next one. */
  readonly #batcher: Batcher<CommandUnit, CommandResult[]>;

  constructor(store: LedgerStore, options: LedgerOptions = {}) {
    this.#store = store;
    this.#clock = options.clock ?? systemClock;
    this.#commissionBps = options.commissionBps ?? 2000;
    this.#payoutMinimum = options.payoutMinimum ?? 1000n;
    this.#batching = options.batching ?? true;
    this.#maxBatchSize = options.maxBatchSize ?? 256;
    this.#maxInFlight = options.maxInFlight ?? 2;
    // One unit that throws (a bug, a broken row) must not fail the others: the batcher then applies
    // them one by one.
    this.#batcher = new Batcher((units) => this.#store.apply(units, this.#context()), {
      maxBatch: this.#maxBatchSize,
      maxInFlight: this.#maxInFlight,
    });
  }

  get commissionBps(): number {
    return this.#commissionBps;
  }

  /** Submits one command. Never rejects for an expected outcome: those come back as `ok: false`. */
  async submit(command: LedgerCommand): Promise<CommandResult> {
    const [result] = await this.#enqueue([command]);
    return result!;
  }

  /** Submits commands that succeed or fail together; on failure nothing of any of them is written. */
  submitLinked(commands: readonly LedgerCommand[]): Promise<CommandResult[]> {
    return this.#enqueue(commands);
  }

  topUp(c: Without<TopUpCommand>) {
    return this.#typed<'top_up'>({ ...c, type: 'top_up' });
  }
  grantPromo(c: Without<GrantPromoCommand>) {
    return this.#typed<'grant_promo'>({ ...c, type: 'grant_promo' });
  }
  hold(c: Without<HoldCommand>) {
    return this.#typed<'hold'>({ ...c, type: 'hold' });
  }
  capture(c: Without<CaptureCommand>) {
    return this.#typed<'capture'>({ ...c, type: 'capture' });
  }
  release(c: Without<ReleaseCommand>) {
    return this.#typed<'release'>({ ...c, type: 'release' });
  }
  expire(c: Without<ExpireCommand>) {
    return this.#typed<'expire'>({ ...c, type: 'expire' });
  }
  payout(c: Without<PayoutCommand>) {
    return this.#typed<'payout'>({ ...c, type: 'payout' });
  }
  transfer(c: Without<TransferCommand>) {
    return this.#typed<'transfer'>({ ...c, type: 'transfer' });
  }

  /** Expires every pending hold past its expiry (up to `limit`) and returns how many it expired. */
  async expireDue(limit = 1000): Promise<number> {
    const due = await this.#store.dueHolds(this.#clock.now(), limit);
    const results = await Promise.all(
      due.map((holdId) => this.submit({ type: 'expire', id: `${EXPIRE_PREFIX}${holdId}`, holdId })),
    );
    return results.filter((r) => r.ok && !r.replayed).length;
  }

  /** Opens a user's wallets and earnings accounts; rejects an id that is not a valid user id. */
  async openAccounts(userId: string): Promise<void> {
    if (!isValidOwnerId(userId)) throw new TypeError(`not a valid user id: ${JSON.stringify(userId)}`);
    await this.#store.openAccounts(userId);
  }

  balance(userId: string): Promise<UserBalance | null> {
    return this.#store.balance(userId);
  }

  /** The user's transfers, newest first, `limit` (1..500, default 50) at a time. */
  async statement(
    userId: string,
    options: { cursor?: string | null; limit?: number } = {},
  ): Promise<Result<Page<StatementEntry>, { type: 'invalid_cursor'; cursor: string }>> {
    const cursor = options.cursor ?? null;
    if (cursor !== null && !/^[1-9]\d{0,18}$/.test(cursor)) return err({ type: 'invalid_cursor', cursor });
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 500);
    return ok(await this.#store.statement(userId, { cursor, limit }));
  }

  getHold(holdId: string): Promise<Hold | null> {
    return this.#store.hold(holdId);
  }

  verify(): Promise<VerifyReport> {
    return this.#store.verify();
  }

  async #typed<T extends LedgerCommand['type']>(
    command: LedgerCommand,
  ): Promise<CommandResult<OutcomeOf<T>>> {
    return (await this.submit(command)) as CommandResult<OutcomeOf<T>>;
  }

  #context(): ApplyContext {
    return { now: this.#clock.now(), commissionBps: this.#commissionBps, payoutMinimum: this.#payoutMinimum };
  }

  #enqueue(unit: CommandUnit): Promise<CommandResult[]> {
    if (!this.#batching) return this.#store.apply([unit], this.#context()).then((r) => r[0]!);
    return this.#batcher.submit(unit);
  }
}
