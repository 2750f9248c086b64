import {
  type ApplyContext,
  applyUnits,
  BatchState,
  type CommandResult,
  type CommandUnit,
  holdIdOf,
  LEDGER_ID,
  type LedgerCommand,
} from '@jeton/core';
import { persistStatements } from './persist.ts';
import { loadBatch } from './rows.ts';
import type { SqlRunner } from './sql-runner.ts';
import { isLateAccount, touchedAccounts } from './touched-accounts.ts';

/**
 * Applies units inside the caller's transaction, so that a flow can commit its own rows and the money
 * together (a run, its hold and its job). Two round trips: read and lock everything; write (and, unless
 * `commit: false`, commit).
 *
 * Locking, in one global order so that concurrent batches never deadlock:
 *  0. the operation ids, as advisory locks in key order (so the same id never runs twice at once);
 *  1. holds, by id;
 *  2. "early" accounts (wallets), by id: their balances decide whether a hold or transfer may go on;
 *  3. "late" accounts (platform accounts and creator earnings), by id, only at the end, just before
 *     their totals change and the transaction commits. These are the hot rows every capture touches;
 *     nothing a batch decides depends on them unless it debits one (a payout, an operator transfer),
 *     in which case the batch locks them before it decides. Credits that land on them meanwhile only
 *     make a balance larger, so a decision taken on an older balance stays safe, and the database's
 *     own check (debits ≤ credits) is the last word.
 * Accounts then change by the amounts this batch moved (deltas), never by overwriting a total.
 */
export async function applyInTransaction(
  run: SqlRunner,
  units: readonly CommandUnit[],
  ctx: ApplyContext,
  options: { commit?: boolean } = {},
): Promise<CommandResult[][]> {
  const { results, writes } = await prepareInTransaction(run, units, ctx);
  // The store commits with the writes (one round trip fewer); a flow that has more to write, or that
  // must abort on a refusal, passes `commit: false` and ends the transaction itself.
  await run(writes, { last: options.commit ?? true });
  return results;
}

/**
 * The first half of `applyInTransaction`: reads and locks (one round trip) and decides every command,
 * returning the results and the statements that write them, unsent. A flow sends those statements
 * with its own, in its last round trip, so that the hot platform accounts (locked by the writes) stay
 * locked only for that round trip and the commit.
 */
export async function prepareInTransaction(
  run: SqlRunner,
  units: readonly CommandUnit[],
  ctx: ApplyContext,
): Promise<{ results: CommandResult[][]; writes: string[] }> {
  const commands = units.flat() as (Partial<LedgerCommand> | null)[];
  const ids = unique(commands.map((c) => c?.id));
  const holdIds = unique(
    commands.map((c) => (c && typeof c.type === 'string' ? holdIdOf(c as LedgerCommand) : null)),
  );

  // Holds placed in this batch are not in the database yet: their buyers come from the commands. The
  // buyers behind holds already stored are added by the database, under the holds' locks.
  const holders = new Map<string, string>();
  for (const c of commands) {
    if (c?.type === 'hold' && typeof c.id === 'string') holders.set(c.id, String(c.userId));
  }
  const accountIds = unique(commands.flatMap((c) => touchedAccounts(c, (id) => holders.get(id))));
  const debitsLate = commands.some((c) => c?.type === 'payout' || c?.type === 'transfer');
  const {
    operations,
    holds,
    accounts: loaded,
  } = await loadBatch(
    run,
    {
      operationIds: ids,
      holdIds,
      early: accountIds.filter((id) => !isLateAccount(id)),
      late: accountIds.filter(isLateAccount),
    },
    debitsLate,
  );

  const state = new BatchState(loaded, holds, operations);
  const results = applyUnits(state, units, ctx);
  return { results, writes: persistStatements(state, new Map(loaded.map((a) => [a.id, a])), ctx.now) };
}

/** Ids worth looking up: a malformed one cannot name a row, and its command will be refused anyway. */
function unique(values: readonly (string | null | undefined)[]): string[] {
  return [
    ...new Set(
      values.filter((v): v is string => typeof v === 'string' && v.length <= 300 && LEDGER_ID.test(v)),
    ),
  ];
}
