import { Ledger } from '@jeton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testEngines } from '../testing/index.ts';
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
