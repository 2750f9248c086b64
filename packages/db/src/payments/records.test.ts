import { newId, type TopUp } from '@jeton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testEngines } from '../testing/index.ts';
import { PaymentRecords } from './records.ts';

const topUp = (userId: string, credits: bigint, at = new Date()): TopUp => {
  const id = newId('top', at.getTime());
  return {
    id,
    userId,
    provider: 'dev',
    credits,
    status: 'pending',
    providerRef: id,
    createdAt: at,
    creditedAt: null,
  };
};

describe.each(testEngines())('payment records on %s', (engine) => {
  let db: TestDatabase;
  let records: PaymentRecords;
  beforeAll(async () => {
    db = await createTestDatabase(engine);
    records = new PaymentRecords(db.handle.db);
  });
  afterAll(() => db.drop());

  it('keeps concurrent top-ups within the daily limit, counting only today and not expired ones', async () => {
    const since = new Date('2026-05-01T00:00:00Z');
    const now = new Date('2026-05-01T12:00:00Z');
    await records.insertTopUp(topUp('usr_limit', 900n, new Date('2026-04-30T23:00:00Z')));
    const expired = await records.insertTopUp(topUp('usr_limit', 500n, now));
    await records.markTopUpExpired(expired.id);
    // Ten requests of 300 at once against a limit of 1000: exactly three fit.
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        records.insertTopUpWithinLimit(topUp('usr_limit', 300n, now), 1000n, since),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.find((r) => !r.ok)).toMatchObject({
      ok: false,
      error: { type: 'daily_limit_reached', usedToday: 900n, remaining: 100n },
    });
  });

  it('credits a top-up once: the second mark finds nothing to change', async () => {
    const t = await records.insertTopUp(topUp('usr_once', 100n));
    expect(await records.markTopUpCredited(t.id, new Date())).toMatchObject({ status: 'credited' });
    expect(await records.markTopUpCredited(t.id, new Date())).toBeNull();
    expect(await records.markTopUpExpired(t.id)).toBeNull();
  });

  it('pages a user’s top-ups newest first, and never shows another user’s', async () => {
    const base = Date.UTC(2026, 4, 2);
    for (let i = 0; i < 5; i++) await records.insertTopUp(topUp('usr_pages', 10n, new Date(base + i)));
    await records.insertTopUp(topUp('usr_other', 10n, new Date(base + 10)));
    const first = await records.topUpsOf('usr_pages', { limit: 3 });
    const second = await records.topUpsOf('usr_pages', { limit: 3, cursor: first!.nextCursor });
    const ids = [...first!.items, ...second!.items].map((t) => t.createdAt.getTime());
    expect(ids).toEqual([4, 3, 2, 1, 0].map((i) => base + i));
    expect(second!.nextCursor).toBeNull();
    expect(await records.topUpsOf('usr_pages', { limit: 3, cursor: 'nope' })).toBeNull();
  });

  it('moves a payout out of pending once, and keeps one payout account per provider', async () => {
    const id = newId('pay');
    const base = {
      id,
      userId: 'usr_creator',
      credits: 1500n,
      status: 'pending' as const,
      provider: 'stripe' as const,
      providerRef: null,
      failure: null,
      createdAt: new Date(),
      paidAt: null,
    };
    await records.insertPayout(base);
    expect(await records.markPayoutFailed(id, 'declined')).toMatchObject({ status: 'failed' });
    expect(await records.markPayoutPaid(id, 'tr_1', new Date())).toBeNull();
    const now = new Date();
    await records.setPayoutAccount({
      userId: 'usr_creator',
      provider: 'stripe',
      accountRef: 'acct_1',
      updatedAt: now,
    });
    await records.setPayoutAccount({
      userId: 'usr_creator',
      provider: 'stripe',
      accountRef: 'acct_2',
      updatedAt: now,
    });
    expect(await records.payoutAccount('usr_creator', 'stripe')).toMatchObject({ accountRef: 'acct_2' });
    expect(await records.payoutAccount('usr_creator', 'dev')).toBeNull();
  });
});
