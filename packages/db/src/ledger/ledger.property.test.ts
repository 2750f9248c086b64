import { type CommandResult, Ledger, type LedgerCommand, ManualClock } from '@jeton/core';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, resetLedger, type TestDatabase, testEngines } from '../testing/index.ts';
import { LedgerModel, type ModelResult } from './ledger-model.ts';
import { toBigInt } from './sql-rows.ts';
import { DrizzleLedgerStore } from './store.ts';

/**
 * TigerBeetle's auditor at small scale: random sequences of ledger commands, with duplicated and
 * conflicting replays and commands submitted together, run against the real ledger and against a plain
 * model. After every step the two must agree on every result and every balance, and `verify` must find
 * the ledger sound (Σ balances = 0, no wallet below zero, cached = recomputed, holds resolved once).
 *
 * On failure fast-check prints the seed and path; replay with FC_SEED=<seed> FC_PATH=<path>.
 * FC_RUNS sets the number of sequences (default 50 per engine).
 */
const BUYERS = ['b0', 'b1', 'b2'];
const CREATORS = ['c0', 'c1'];
const COMMISSION_BPS = 2000;
const PAYOUT_MINIMUM = 100n;
const MINUTE = 60_000;

type Step =
  | { kind: 'command'; command: Draft }
  | { kind: 'together'; commands: Draft[] }
  | { kind: 'replay'; pick: number }
  | { kind: 'conflict'; pick: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'sweep' };

/** A command before its hold reference is resolved against the holds of the run so far. */
type Draft =
  | { type: 'top_up'; op: number; user: number; amount: bigint }
  | { type: 'grant_promo'; op: number; user: number; amount: bigint }
  | { type: 'hold'; op: number; user: number; max: bigint; ttlMinutes: number }
  | { type: 'capture'; op: number; hold: number; percent: number; creator: number; bps: number | undefined }
  | { type: 'release'; op: number; hold: number }
  | { type: 'expire'; op: number; hold: number }
  | { type: 'payout'; op: number; creator: number; amount: bigint };

// A bounded pool of ids makes collisions (replays and conflicts) happen on their own too.
const op = fc.integer({ min: 0, max: 150 });
const user = fc.integer({ min: 0, max: BUYERS.length - 1 });
const creator = fc.integer({ min: 0, max: CREATORS.length - 1 });
const hold = fc.nat();
const draft: fc.Arbitrary<Draft> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('top_up' as const),
      op,
      user,
      amount: fc.bigInt({ min: 1n, max: 500n }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('grant_promo' as const),
      op,
      user,
      amount: fc.bigInt({ min: 1n, max: 300n }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('hold' as const),
      op,
      user,
      max: fc.bigInt({ min: 1n, max: 400n }),
      ttlMinutes: fc.integer({ min: 1, max: 120 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('capture' as const),
      op,
      hold,
      // Of the hold's max: mostly within it, sometimes above it.
      percent: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(100, 101, 150)),
      creator,
      bps: fc.constantFrom(undefined, 0, 2000, 3333, 10_000),
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('release' as const), op, hold }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('expire' as const), op, hold }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('payout' as const),
      op,
      creator,
      amount: fc.bigInt({ min: 1n, max: 600n }),
    }),
  },
);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 10, arbitrary: draft.map((command) => ({ kind: 'command' as const, command })) },
  {
    weight: 3,
    arbitrary: fc
      .array(draft, { minLength: 2, maxLength: 6 })
      .map((commands) => ({ kind: 'together' as const, commands })),
  },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ kind: 'replay' as const, pick })) },
  { weight: 2, arbitrary: fc.nat().map((pick) => ({ kind: 'conflict' as const, pick })) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 1, max: 90 }).map((m) => ({ kind: 'advance' as const, ms: m * MINUTE })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'sweep' as const }) },
);

const funding = fc.array(
  fc.record({
    paid: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 1000n })),
    promo: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 300n })),
  }),
  { minLength: BUYERS.length, maxLength: BUYERS.length },
);

describe.each(testEngines())('ledger against its model on %s', (engine) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
    const ledger = new Ledger(new DrizzleLedgerStore(testDb.handle));
    for (const u of [...BUYERS, ...CREATORS]) await ledger.openAccounts(u);
  });
  afterAll(() => testDb.drop());

  it('agrees with the model after every step, and verify finds the ledger sound', async () => {
    const runs = Number(process.env.FC_RUNS ?? 50);
    const replay = process.env.FC_SEED
      ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH }
      : {};
    await fc.assert(
      fc.asyncProperty(
        funding,
        fc.array(step, { minLength: 1, maxLength: 40, size: 'max' }),
        async (funds, steps) => {
          await resetLedger(testDb.handle);
          const clock = new ManualClock();
          // One transaction at a time keeps the order of concurrent submissions known to the model.
          const ledger = new Ledger(new DrizzleLedgerStore(testDb.handle), {
            clock,
            commissionBps: COMMISSION_BPS,
            payoutMinimum: PAYOUT_MINIMUM,
            maxInFlight: 1,
          });
          const model = new LedgerModel([...BUYERS, ...CREATORS], COMMISSION_BPS, PAYOUT_MINIMUM);
          const holdIds: string[] = [];
          const history: LedgerCommand[] = [];

          const resolve = (d: Draft): LedgerCommand => {
            const id = `op${d.op}`;
            // Mostly one of the three newest holds that exist, so that holds get resolved while pending;
            // otherwise any id a hold was tried with, including refused ones.
            const holdId = (n: number) => {
              const placed = [...model.holds.keys()];
              if (n % 4 < 3 && placed.length) return placed[Math.max(0, placed.length - 1 - (n % 3))]!;
              return holdIds.length ? holdIds[n % holdIds.length]! : 'no-such-hold';
            };
            switch (d.type) {
              case 'top_up':
              case 'grant_promo':
                return { type: d.type, id, userId: BUYERS[d.user]!, amount: d.amount };
              case 'hold':
                return {
                  type: 'hold',
                  id,
                  runId: `run-${d.op}`,
                  userId: BUYERS[d.user]!,
                  max: d.max,
                  expiresAt: new Date(clock.now().getTime() + d.ttlMinutes * MINUTE),
                };
              case 'capture': {
                const target = holdId(d.hold);
                const max = model.holds.get(target)?.max ?? 100n;
                return {
                  type: 'capture',
                  id,
                  holdId: target,
                  amount: (max * BigInt(d.percent)) / 100n,
                  creatorId: CREATORS[d.creator]!,
                  commissionBps: d.bps,
                };
              }
              case 'release':
              case 'expire':
                return { type: d.type, id, holdId: holdId(d.hold) };
              case 'payout':
                return { type: 'payout', id, creatorId: CREATORS[d.creator]!, amount: d.amount };
            }
          };

          const submitAll = async (commands: LedgerCommand[]) => {
            for (const c of commands) if (c.type === 'hold' && !holdIds.includes(c.id)) holdIds.push(c.id);
            history.push(...commands);
            const expected = commands.map((c) => model.apply(c, clock.now().getTime()));
            const actual = await Promise.all(commands.map((c) => ledger.submit(c)));
            commands.forEach((c, i) => {
              expect(summary(actual[i]!), `${c.type} ${c.id}`).toEqual(modelSummary(expected[i]!));
            });
          };

          // Wallets start funded (a zero means none of that kind), so that holds have something to hold.
          await submitAll(
            funds.flatMap((f, i) => [
              ...(f.paid
                ? [{ type: 'top_up' as const, id: `fund-paid-${i}`, userId: BUYERS[i]!, amount: f.paid }]
                : []),
              ...(f.promo
                ? [
                    {
                      type: 'grant_promo' as const,
                      id: `fund-promo-${i}`,
                      userId: BUYERS[i]!,
                      amount: f.promo,
                    },
                  ]
                : []),
            ]),
          );
          for (const s of steps) {
            if (s.kind === 'command') await submitAll([resolve(s.command)]);
            else if (s.kind === 'together') await submitAll(s.commands.map(resolve));
            else if (s.kind === 'replay' && history.length)
              await submitAll([history[s.pick % history.length]!]);
            else if (s.kind === 'conflict' && history.length)
              await submitAll([conflicting(history[s.pick % history.length]!)]);
            else if (s.kind === 'advance') clock.advance(s.ms);
            else if (s.kind === 'sweep') {
              const now = clock.now().getTime();
              let expired = 0;
              for (const [holdId, h] of model.holds) {
                if (h.status === 'pending' && h.expiresAt <= now) {
                  model.apply({ type: 'expire', id: `expire:${holdId}`, holdId }, now);
                  expired++;
                }
              }
              expect(await ledger.expireDue()).toBe(expired);
            }
            await expectSameBalances(ledger, model, testDb);
          }
        },
      ),
      { numRuns: runs, ...replay },
    );
  });
});

/** The same id with another body: a different amount, or a different hold for hold-less variety. */
function conflicting(c: LedgerCommand): LedgerCommand {
  switch (c.type) {
    case 'top_up':
    case 'grant_promo':
    case 'payout':
      return { ...c, amount: c.amount + 1n };
    case 'hold':
      return { ...c, max: c.max + 1n };
    case 'capture':
      return { ...c, amount: c.amount + 1n };
    case 'release':
    case 'expire':
      return { ...c, holdId: `${c.holdId}-other` };
    case 'transfer':
      return { ...c, amount: c.amount + 1n };
  }
}

function summary(r: CommandResult) {
  return r.ok ? { ok: true, replayed: r.replayed, value: r.value } : { ok: false, type: r.error.type };
}

function modelSummary(r: ModelResult) {
  return r.ok ? { ok: true, replayed: r.replayed, value: r.value } : { ok: false, type: r.type };
}

async function expectSameBalances(ledger: Ledger, model: LedgerModel, testDb: TestDatabase) {
  for (const [u, w] of model.wallets) {
    const b = await ledger.balance(u);
    expect(
      {
        paid: b?.paid.posted,
        promo: b?.promo.posted,
        held: b?.held,
        available: b?.available,
        cash: b?.earnings.cash.posted,
        credit: b?.earnings.credit.posted,
      },
      `balances of ${u}`,
    ).toEqual({
      paid: w.paid,
      promo: w.promo,
      held: w.paidHeld + w.promoHeld,
      available: w.paid - w.paidHeld + w.promo - w.promoHeld,
      cash: w.cash,
      credit: w.credit,
    });
  }
  const rows = (await testDb.handle.db.execute(
    sql`select id, credits_posted - debits_posted as balance, credits_pending from ledger_accounts where owner_id = 'platform'`,
  )) as unknown as { rows: { id: string; balance: unknown; credits_pending: unknown }[] };
  const platform = Object.fromEntries(rows.rows.map((r) => [r.id, toBigInt(r.balance)]));
  const escrowPending = toBigInt(rows.rows.find((r) => r.id === 'platform:escrow')?.credits_pending ?? 0);
  expect({ ...platform, escrowPending }, 'platform accounts').toEqual({
    'platform:escrow': 0n,
    'platform:platform_revenue': model.revenue,
    'platform:payments_clearing': -model.cleared,
    'platform:promo_issuance': -model.promoIssued,
    'platform:payouts': model.paidOut,
    escrowPending: model.escrowHeld,
  });
  const report = await ledger.verify();
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
}
