import { Ledger } from '@jeton/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testEngines } from '../testing/index.ts';
import { applyInTransaction } from './apply-in-transaction.ts';
import { runTransaction } from './sql-runner.ts';
import { DrizzleLedgerStore } from './store.ts';

/**
 * 200 holds of 1 credit arrive at once against a wallet holding 150: exactly 150 succeed, the other 50
 * are told the credits are insufficient, and the wallet ends at 0 available. Run through group commit
 * (two transactions in flight), through one transaction per call on a pool, and through two
 * independent ledgers (two API processes) sharing the database.
 */
describe.each(testEngines())('concurrent holds on %s', (engine) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(engine, { poolMax: 40 });
  });
  afterAll(() => testDb.drop());

  const modes = [
    { name: 'group commit', ledgers: 1, batching: true },
    { name: 'one transaction per call', ledgers: 1, batching: false },
    { name: 'two processes', ledgers: 2, batching: true },
  ];

  it.each(modes)(
    'lets exactly 150 of 200 holds through ($name)',
    async ({ name, ledgers: count, batching }) => {
      const ledgers = Array.from(
        { length: count },
        () => new Ledger(new DrizzleLedgerStore(testDb.handle), { batching }),
      );
      const user = `buyer-${name.replaceAll(' ', '-')}`;
      await ledgers[0]!.openAccounts(user);
      await ledgers[0]!.topUp({ id: `${user}-topup`, userId: user, amount: 150n });
      const expiresAt = new Date(Date.now() + 3600_000);

      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          ledgers[i % count]!.hold({
            id: `${user}-h${i}`,
            runId: `run-${i}`,
            userId: user,
            max: 1n,
            expiresAt,
          }),
        ),
      );

      expect(results.filter((r) => r.ok)).toHaveLength(150);
      const refused = results.filter((r) => !r.ok);
      expect(refused).toHaveLength(50);
      for (const r of refused) expect(r.ok ? null : r.error.type).toBe('insufficient_credits');
      expect(await ledgers[0]!.balance(user)).toMatchObject({
        available: 0n,
        held: 150n,
        paid: { posted: 150n },
      });
      expect((await ledgers[0]!.verify()).ok).toBe(true);
    },
  );
});

/**
 * The same command reaching two transactions at once (a client retry, a second process): the second
 * must wait for the first and then replay its result, never re-run the command on the balances the
 * first left behind. Transaction A is held open after it has read and locked; B starts meanwhile.
 */
describe.each(testEngines())('the same command in two transactions at once on %s', (engine) => {
  let testDb: TestDatabase;
  let store: DrizzleLedgerStore;
  let ledger: Ledger;
  const ctx = () => ({ now: new Date(), commissionBps: 2000, payoutMinimum: 1n });

  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
    store = new DrizzleLedgerStore(testDb.handle);
    ledger = new Ledger(store, { batching: false, payoutMinimum: 1n });
    for (const u of ['creator', 'buyer', 'other']) await ledger.openAccounts(u);
    await ledger.transfer({
      id: 'seed',
      debitAccountId: 'platform:payments_clearing',
      creditAccountId: 'creator:earnings_cash',
      amount: 1000n,
    });
    await ledger.topUp({ id: 'tu', userId: 'buyer', amount: 100n });
  });
  afterAll(() => testDb.drop());

  /** Runs `first` in a transaction paused before its writes, starts `second`, then lets `first` finish. */
  async function race(first: unknown[][], second: unknown[][]) {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let loaded!: () => void;
    const didLoad = new Promise<void>((r) => {
      loaded = r;
    });
    const a = runTransaction(testDb.handle, (run) =>
      applyInTransaction(
        async (statements, options) => {
          if (options?.last) await gate;
          const rows = await run(statements, options);
          if (!options?.last) loaded();
          return rows;
        },
        first,
        ctx(),
      ),
    );
    await didLoad;
    const b = store.apply(second, ctx());
    // Let B reach the point where it must wait for A (a real wait on Postgres; on PGlite B queues).
    await new Promise((r) => setTimeout(r, 150));
    release();
    return { a: await a, b: await b };
  }

  it.each([
    ['payout', { type: 'payout', id: 'po-1', creatorId: 'creator', amount: 1000n }],
    [
      'hold',
      {
        type: 'hold',
        id: 'h-1',
        runId: 'r1',
        userId: 'buyer',
        max: 100n,
        expiresAt: new Date(Date.now() + 3600_000),
      },
    ],
    ['capture', { type: 'capture', id: 'c-1', holdId: 'h-1', amount: 10n, creatorId: 'creator' }],
  ])('replays a %s to the second transaction', async (_name, command) => {
    const retriesBefore = store.retries;
    const { a, b } = await race([[command]], [[command]]);
    expect(a[0]![0]).toMatchObject({ ok: true, replayed: false });
    expect(b[0]![0]).toEqual({ ...a[0]![0], replayed: true });
    expect(store.retries).toBe(retriesBefore);
    expect((await ledger.verify()).ok).toBe(true);
  });

  it('refuses the same id with another body without a deadlock, beside a payout that locks platform accounts', async () => {
    const retriesBefore = store.retries;
    const { a, b } = await race(
      [[{ type: 'top_up', id: 'X', userId: 'buyer', amount: 5n }]],
      [
        [{ type: 'top_up', id: 'X', userId: 'other', amount: 5n }],
        [{ type: 'payout', id: 'P', creatorId: 'creator', amount: 1n }],
      ],
    );
    expect(a[0]![0]).toMatchObject({ ok: true });
    expect(b.map((unit) => (unit[0]!.ok ? 'ok' : unit[0]!.error.type))).toEqual([
      'idempotency_conflict',
      'ok',
    ]);
    expect(store.retries).toBe(retriesBefore);
  });
});

/** How a flow commits its own rows with the money, or nothing at all when the ledger refuses. */
describe.each(testEngines())('a flow sharing the ledger transaction on %s', (engine) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
    await testDb.handle.db.execute(sql`create table flow_rows (id text primary key)`);
    const ledger = new Ledger(new DrizzleLedgerStore(testDb.handle));
    await ledger.openAccounts('flow-buyer');
    await ledger.topUp({ id: 'flow-topup', userId: 'flow-buyer', amount: 10n });
  });
  afterAll(() => testDb.drop());

  const ctx = () => ({ now: new Date(), commissionBps: 2000, payoutMinimum: 1n });
  const hold = (id: string, max: bigint) => ({
    type: 'hold',
    id,
    runId: id,
    userId: 'flow-buyer',
    max,
    expiresAt: new Date(Date.now() + 3600_000),
  });
  /** Holds, and writes its own row only when the hold was placed; otherwise rolls everything back. */
  const flow = (id: string, max: bigint) =>
    runTransaction(testDb.handle, async (run) => {
      const [[result]] = (await applyInTransaction(run, [[hold(id, max)]], ctx(), { commit: false })) as [
        [Awaited<ReturnType<Ledger['submit']>>],
      ];
      if (!result.ok) throw new Error(result.error.type);
      await run([`insert into flow_rows (id) values ('${id}')`], { last: true });
      return result;
    });
  const rows = async () =>
    (
      (await testDb.handle.db.execute(sql`select id from flow_rows order by id`)) as unknown as {
        rows: { id: string }[];
      }
    ).rows.map((r) => r.id);

  it('commits the row and the hold together, or neither', async () => {
    expect((await flow('run-a', 6n)).ok).toBe(true);
    await expect(flow('run-b', 6n)).rejects.toThrow('insufficient_credits');
    expect(await rows()).toEqual(['run-a']);
    const ledger = new Ledger(new DrizzleLedgerStore(testDb.handle));
    expect(await ledger.balance('flow-buyer')).toMatchObject({ available: 4n, held: 6n });
    expect(await ledger.getHold('run-b')).toBeNull();
    expect((await ledger.verify()).ok).toBe(true);
  });
});
