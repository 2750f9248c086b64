import { randomUUID } from 'node:crypto';
import { Ledger, ManualClock } from '@jeton/core';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testEngines } from '../testing/index.ts';
import { DrizzleLedgerStore } from './store.ts';

const HOUR = 3600_000;

describe.each(testEngines())('ledger on %s', (engine) => {
  let testDb: TestDatabase;
  let clock: ManualClock;
  let ledger: Ledger;
  let buyer: string;
  let creator: string;
  const inAnHour = () => new Date(clock.now().getTime() + HOUR);

  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
  });
  afterAll(() => testDb.drop());
  beforeEach(async () => {
    clock = new ManualClock();
    ledger = new Ledger(new DrizzleLedgerStore(testDb.handle), { clock, payoutMinimum: 500n });
    buyer = `buyer-${randomUUID().slice(0, 8)}`;
    creator = `creator-${randomUUID().slice(0, 8)}`;
    await ledger.openAccounts(buyer);
    await ledger.openAccounts(creator);
  });

  it('holds promotional credits first, captures part, splits 80/20 and releases the rest', async () => {
    expect((await ledger.topUp({ id: `${buyer}-topup`, userId: buyer, amount: 1000n })).ok).toBe(true);
    expect((await ledger.grantPromo({ id: `${buyer}-promo`, userId: buyer, amount: 30n })).ok).toBe(true);

    const held = await ledger.hold({
      id: `${buyer}-h1`,
      runId: 'run_1',
      userId: buyer,
      max: 100n,
      expiresAt: inAnHour(),
    });
    expect(held).toMatchObject({ ok: true, value: { promoAmount: 30n, paidAmount: 70n, max: 100n } });
    expect(await ledger.balance(buyer)).toMatchObject({ available: 930n, held: 100n });

    const captured = await ledger.capture({
      id: `${buyer}-c1`,
      holdId: `${buyer}-h1`,
      amount: 99n,
      creatorId: creator,
    });
    expect(captured).toEqual({
      ok: true,
      replayed: false,
      value: {
        type: 'capture',
        holdId: `${buyer}-h1`,
        amount: 99n,
        promoSpent: 30n,
        paidSpent: 69n,
        creatorCredit: 24n, // 30 − floor(30 × 20%) = 30 − 6
        creatorCash: 56n, // 69 − floor(69 × 20%) = 69 − 13
        platformFee: 19n,
        released: 1n,
      },
    });
    const buyerBalance = await ledger.balance(buyer);
    expect(buyerBalance).toMatchObject({
      available: 931n,
      held: 0n,
      paid: { posted: 931n },
      promo: { posted: 0n },
    });
    const creatorBalance = await ledger.balance(creator);
    expect(creatorBalance?.earnings).toEqual({
      cash: { posted: 56n, pending: 0n, available: 56n },
      credit: { posted: 24n, pending: 0n, available: 24n },
    });
    expect((await ledger.getHold(`${buyer}-h1`))?.status).toBe('captured');
    expect((await ledger.verify()).ok).toBe(true);
  });

  it('returns the first result for a replay and refuses the same id with another body', async () => {
    const first = await ledger.topUp({ id: `${buyer}-t`, userId: buyer, amount: 50n, reference: 'pay_1' });
    const again = await ledger.topUp({ id: `${buyer}-t`, userId: buyer, amount: 50n, reference: 'pay_1' });
    const other = await ledger.topUp({ id: `${buyer}-t`, userId: buyer, amount: 51n, reference: 'pay_1' });
    expect(first).toMatchObject({ ok: true, replayed: false });
    expect(again).toEqual({ ...first, replayed: true });
    expect(other).toEqual({ ok: false, error: { type: 'idempotency_conflict', id: `${buyer}-t` } });
    expect((await ledger.balance(buyer))?.available).toBe(50n);
  });

  it('moves money once when the same command arrives many times at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => ledger.topUp({ id: `${buyer}-burst`, userId: buyer, amount: 7n })),
    );
    expect(results.filter((r) => r.ok && !r.replayed)).toHaveLength(1);
    expect(results.filter((r) => r.ok && r.replayed)).toHaveLength(19);
    expect((await ledger.balance(buyer))?.available).toBe(7n);
  });

  it('resolves a hold exactly once', async () => {
    await ledger.topUp({ id: `${buyer}-t`, userId: buyer, amount: 100n });
    const holdId = `${buyer}-h`;
    await ledger.hold({ id: holdId, runId: 'run_2', userId: buyer, max: 40n, expiresAt: inAnHour() });
    expect((await ledger.release({ id: `${buyer}-r1`, holdId })).ok).toBe(true);
    expect(await ledger.release({ id: `${buyer}-r2`, holdId })).toEqual({
      ok: false,
      error: { type: 'hold_already_resolved', holdId, status: 'released' },
    });
    expect(await ledger.capture({ id: `${buyer}-c`, holdId, amount: 1n, creatorId: creator })).toEqual({
      ok: false,
      error: { type: 'hold_already_resolved', holdId, status: 'released' },
    });
    expect((await ledger.release({ id: `${buyer}-r1`, holdId })).ok).toBe(true); // a replay, not a second release
    expect((await ledger.balance(buyer))?.available).toBe(100n);
  });

  it('refuses a hold beyond the available credits and writes nothing', async () => {
    await ledger.topUp({ id: `${buyer}-t`, userId: buyer, amount: 10n });
    await ledger.grantPromo({ id: `${buyer}-p`, userId: buyer, amount: 5n });
    const refused = await ledger.hold({
      id: `${buyer}-h`,
      runId: 'r',
      userId: buyer,
      max: 16n,
      expiresAt: inAnHour(),
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { type: 'insufficient_credits', available: 15n, required: 16n },
    });
    expect(await ledger.getHold(`${buyer}-h`)).toBeNull();
    expect((await ledger.balance(buyer))?.available).toBe(15n);
    // A refused command leaves no trace: the same id can succeed once credits arrive.
    await ledger.topUp({ id: `${buyer}-t2`, userId: buyer, amount: 1n });
    expect(
      (await ledger.hold({ id: `${buyer}-h`, runId: 'r', userId: buyer, max: 16n, expiresAt: inAnHour() }))
        .ok,
    ).toBe(true);
  });

  it('refuses to capture more than the hold, or after its expiry', async () => {
    await ledger.topUp({ id: `${buyer}-t`, userId: buyer, amount: 100n });
    const holdId = `${buyer}-h`;
    await ledger.hold({ id: holdId, runId: 'r', userId: buyer, max: 20n, expiresAt: inAnHour() });
    expect(await ledger.capture({ id: `${buyer}-c`, holdId, amount: 21n, creatorId: creator })).toMatchObject(
      {
        ok: false,
        error: { type: 'amount_exceeds_hold', max: 20n, amount: 21n },
      },
    );
    clock.advance(HOUR);
    expect(await ledger.capture({ id: `${buyer}-c`, holdId, amount: 20n, creatorId: creator })).toMatchObject(
      {
        ok: false,
        error: { type: 'hold_expired', holdId },
      },
    );
  });

  it('expires holds past their expiry through the sweep, once', async () => {
    // Holds left open by earlier tests of this suite expire first, out of this test's way.
    clock.advance(24 * HOUR);
    await ledger.expireDue();
    await ledger.topUp({ id: `${buyer}-t`, userId: buyer, amount: 100n });
    const holdId = `${buyer}-h`;
    await ledger.hold({ id: holdId, runId: 'r', userId: buyer, max: 60n, expiresAt: inAnHour() });
    expect(await ledger.expire({ id: `${buyer}-early`, holdId })).toMatchObject({
      ok: false,
      error: { type: 'hold_not_expired' },
    });
    clock.advance(HOUR - 1);
    expect(await ledger.expireDue()).toBe(0);
    clock.advance(1);
    expect(await ledger.expireDue()).toBe(1);
    expect(await ledger.expireDue()).toBe(0);
    expect((await ledger.getHold(holdId))?.status).toBe('expired');
    expect(await ledger.balance(buyer)).toMatchObject({ available: 100n, held: 0n });
    expect((await ledger.verify()).ok).toBe(true);
  });

  it('commits a linked batch whole or not at all', async () => {
    const failed = await ledger.submitLinked([
      { type: 'top_up', id: `${buyer}-lt`, userId: buyer, amount: 10n },
      { type: 'hold', id: `${buyer}-lh`, runId: 'r', userId: buyer, max: 11n, expiresAt: inAnHour() },
    ]);
    expect(failed.map((r) => (r.ok ? 'ok' : r.error.type))).toEqual([
      'linked_command_failed',
      'insufficient_credits',
    ]);
    expect(await ledger.balance(buyer)).toMatchObject({ available: 0n });
    const passed = await ledger.submitLinked([
      { type: 'top_up', id: `${buyer}-lt`, userId: buyer, amount: 10n },
      { type: 'hold', id: `${buyer}-lh`, runId: 'r', userId: buyer, max: 10n, expiresAt: inAnHour() },
    ]);
    expect(passed.every((r) => r.ok)).toBe(true);
    expect(await ledger.balance(buyer)).toMatchObject({ available: 0n, held: 10n });
  });

  it('pays out only withdrawable earnings, above the minimum', async () => {
    await ledger.topUp({ id: `${buyer}-t`, userId: buyer, amount: 1000n });
    await ledger.grantPromo({ id: `${buyer}-p`, userId: buyer, amount: 1000n });
    await ledger.hold({ id: `${buyer}-h1`, runId: 'r1', userId: buyer, max: 1000n, expiresAt: inAnHour() });
    await ledger.capture({ id: `${buyer}-c1`, holdId: `${buyer}-h1`, amount: 1000n, creatorId: creator }); // promo
    await ledger.hold({ id: `${buyer}-h2`, runId: 'r2', userId: buyer, max: 1000n, expiresAt: inAnHour() });
    await ledger.capture({ id: `${buyer}-c2`, holdId: `${buyer}-h2`, amount: 1000n, creatorId: creator }); // paid
    expect((await ledger.balance(creator))?.earnings).toMatchObject({
      cash: { available: 800n },
      credit: { available: 800n },
    });

    expect(await ledger.payout({ id: `${creator}-small`, creatorId: creator, amount: 499n })).toMatchObject({
      ok: false,
      error: { type: 'below_payout_minimum', minimum: 500n },
    });
    // 1,600 earned, but only the 800 from paid credits is cash.
    expect(await ledger.payout({ id: `${creator}-big`, creatorId: creator, amount: 801n })).toMatchObject({
      ok: false,
      error: { type: 'insufficient_credits', available: 800n, required: 801n },
    });
    expect(await ledger.payout({ id: `${creator}-ok`, creatorId: creator, amount: 800n })).toMatchObject({
      ok: true,
    });
    expect((await ledger.balance(creator))?.earnings.cash.available).toBe(0n);
  });

  it('pages a statement newest first with an opaque cursor', async () => {
    for (let i = 1; i <= 5; i++)
      await ledger.topUp({ id: `${buyer}-t${i}`, userId: buyer, amount: BigInt(i) });
    const first = await ledger.statement(buyer, { limit: 2 });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.value.items.map((e) => e.transfer.amount)).toEqual([5n, 4n]);
    expect(first.value.items[0]).toMatchObject({ direction: 'credit', accountId: `${buyer}:wallet_paid` });
    const second = await ledger.statement(buyer, { limit: 2, cursor: first.value.nextCursor });
    const third = second.ok
      ? await ledger.statement(buyer, { limit: 2, cursor: second.value.nextCursor })
      : second;
    expect(second.ok && second.value.items.map((e) => e.transfer.amount)).toEqual([3n, 2n]);
    expect(third.ok && third.value.items.map((e) => e.transfer.amount)).toEqual([1n]);
    expect(third.ok && third.value.nextCursor).toBeNull();
    expect(await ledger.statement(buyer, { cursor: "1' or 1=1" })).toEqual({
      ok: false,
      error: { type: 'invalid_cursor', cursor: "1' or 1=1" },
    });
  });

  it('names every problem of an invalid command, and of an unknown account', async () => {
    const bad = await ledger.submit({
      type: 'hold',
      id: 'bad id with spaces',
      runId: 'r',
      userId: 'platform',
      max: -5n,
      expiresAt: inAnHour(),
    });
    expect(bad.ok).toBe(false);
    if (bad.ok || bad.error.type !== 'invalid_command') throw new Error('expected invalid_command');
    expect(bad.error.issues.map((i) => i.path).sort()).toEqual(['id', 'max', 'userId']);
    expect(await ledger.topUp({ id: 'no-account', userId: 'nobody', amount: 1n })).toEqual({
      ok: false,
      error: { type: 'account_not_found', accountId: 'nobody:wallet_paid' },
    });
    expect(
      await ledger.hold({ id: `${buyer}-past`, runId: 'r', userId: buyer, max: 1n, expiresAt: clock.now() }),
    ).toMatchObject({ ok: false, error: { type: 'invalid_command', issues: [{ path: 'expiresAt' }] } });
  });

  it('keeps room for the sweep: hold ids up to 190 characters, and "expire:" ids are the sweep\'s', async () => {
    await ledger.topUp({ id: `${buyer}-t`, userId: buyer, amount: 10n });
    const longest = `${buyer}-`.padEnd(190, 'h');
    const tooLong = `${buyer}-`.padEnd(191, 'h');
    const hold = (id: string) =>
      ledger.hold({ id, runId: 'r', userId: buyer, max: 1n, expiresAt: inAnHour() });
    expect(await hold(tooLong)).toMatchObject({
      ok: false,
      error: { type: 'invalid_command', issues: [{ path: 'id' }] },
    });
    expect(await ledger.topUp({ id: `expire:${buyer}`, userId: buyer, amount: 1n })).toMatchObject({
      ok: false,
      error: { type: 'invalid_command', issues: [{ path: 'id' }] },
    });
    expect((await hold(longest)).ok).toBe(true);
    clock.advance(HOUR);
    expect(await ledger.expireDue()).toBeGreaterThanOrEqual(1);
    expect((await ledger.getHold(longest))?.status).toBe('expired');
  });

  it('refuses text Postgres cannot store as a clear invalid command, not a failed batch', async () => {
    const results = await Promise.all([
      ledger.topUp({ id: `${buyer}-bad`, userId: buyer, amount: 1n, reference: 'x\ud800' }),
      ledger.topUp({ id: `${buyer}-nul`, userId: buyer, amount: 1n, reference: 'a\u0000b' }),
      ledger.topUp({ id: `${buyer}-good`, userId: buyer, amount: 1n, reference: 'café ☕ 😀' }),
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.type))).toEqual([
      'invalid_command',
      'invalid_command',
      'ok',
    ]);
  });

  it('accepts every user id it can open accounts for', async () => {
    const email = `a+${buyer}@example.com`;
    await ledger.openAccounts(email);
    expect(await ledger.topUp({ id: `${buyer}-email`, userId: email, amount: 3n })).toMatchObject({
      ok: true,
    });
    expect((await ledger.balance(email))?.available).toBe(3n);
    await expect(ledger.openAccounts('has space')).rejects.toThrow(/not a valid user id/);
  });

  it('lets the database itself refuse a negative wallet or a second resolution', async () => {
    const db = testDb.handle.db;
    await expect(
      db.execute(
        sql`update ledger_accounts set debits_posted = credits_posted + 1 where id = ${`${buyer}:wallet_paid`}`,
      ),
    ).rejects.toThrow();
    await ledger.topUp({ id: `${buyer}-t`, userId: buyer, amount: 10n });
    await ledger.hold({ id: `${buyer}-h`, runId: 'r', userId: buyer, max: 10n, expiresAt: inAnHour() });
    await ledger.release({ id: `${buyer}-r`, holdId: `${buyer}-h` });
    await expect(
      db.execute(sql`insert into ledger_transfers (id, operation_id, debit_account_id, credit_account_id, amount, phase, pending_id, code, created_at)
                     values ('dup', ${`${buyer}-r`}, ${`${buyer}:wallet_paid`}, 'platform:escrow', 10, 'void_pending', ${`${buyer}-h#paid`}, 'release', now())`),
    ).rejects.toThrow();
  });
});

describe.each(testEngines())('ledger verify on %s', (engine) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
  });
  afterAll(() => testDb.drop());

  it('passes on a consistent ledger and names the accounts a tampered balance touches', async () => {
    const clock = new ManualClock();
    const ledger = new Ledger(new DrizzleLedgerStore(testDb.handle), { clock });
    await ledger.openAccounts('alice');
    await ledger.topUp({ id: 't1', userId: 'alice', amount: 100n });
    await ledger.hold({
      id: 'h1',
      runId: 'r1',
      userId: 'alice',
      max: 30n,
      expiresAt: new Date(clock.now().getTime() + HOUR),
    });
    const clean = await ledger.verify();
    expect(clean.ok).toBe(true);
    expect(clean.checks.length).toBeGreaterThanOrEqual(6);

    // Someone edits a cached balance by hand: the transfers no longer explain it.
    await testDb.handle.db.execute(
      sql`update ledger_accounts set credits_posted = credits_posted + 5 where id = 'alice:wallet_paid'`,
    );
    const tampered = await ledger.verify();
    expect(tampered.ok).toBe(false);
    expect(tampered.offendingAccounts).toEqual(['alice:wallet_paid']);
    expect(tampered.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      'cached balances equal balances recomputed from transfers',
      'the sum of all balances is zero',
    ]);

    // A hold whose status was flipped without its transfers.
    await testDb.handle.db.execute(
      sql`update ledger_accounts set credits_posted = credits_posted - 5 where id = 'alice:wallet_paid'`,
    );
    await testDb.handle.db.execute(
      sql`update ledger_holds set status = 'released', resolved_at = now() where id = 'h1'`,
    );
    const flipped = await ledger.verify();
    expect(flipped.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([
      "each hold's status matches its transfers (reserved = max, resolved exactly once when not pending)",
      'escrow holds exactly the open holds and nothing else',
    ]);
  });
});
