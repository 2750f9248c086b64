import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ledger } from '@jeton/core';
import type { DatabaseHandle } from '@jeton/db';
import { DrizzleLedgerStore, type Engine, migrateDatabase, openDatabase } from '@jeton/db';
import { createTestDatabase } from '@jeton/db/testing';

/**
 * Payment cycles per second: a hold, then a capture of part of it with the creator/platform split,
 * for N concurrent callers. Each caller is a buyer with its own wallet; captures pay 8 creators, so
 * the escrow, revenue and creator accounts are shared and hot, as in production.
 */
export interface CycleResult {
  engine: Engine;
  mode: 'batched' | 'naive';
  callers: number;
  cycles: number;
  seconds: number;
  perSecond: number;
  verified: boolean;
}

const CREATORS = 8;

export async function openBenchDatabase(
  engine: Engine,
): Promise<{ handle: DatabaseHandle; drop(): Promise<void> }> {
  if (engine === 'postgres') return createTestDatabase('postgres', { poolMax: 20 });
  // The embedded engine as `npm start` runs it: PGlite persisted to a directory.
  const dir = mkdtempSync(join(tmpdir(), 'jeton-bench-'));
  const handle = await openDatabase({ dataDir: join(dir, 'data') });
  await migrateDatabase(handle);
  return {
    handle,
    drop: async () => {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function measureCycles(
  handle: DatabaseHandle,
  options: { mode: 'batched' | 'naive'; callers: number; seconds: number; tag: string; maxInFlight?: number },
): Promise<Omit<CycleResult, 'engine'>> {
  const ledger = new Ledger(new DrizzleLedgerStore(handle), {
    batching: options.mode === 'batched',
    ...(options.maxInFlight ? { maxInFlight: options.maxInFlight } : {}),
  });
  const { tag, callers } = options;
  for (let c = 0; c < CREATORS; c++) await ledger.openAccounts(`${tag}-creator-${c}`);
  for (let b = 0; b < callers; b++) {
    const buyer = `${tag}-buyer-${b}`;
    await ledger.openAccounts(buyer);
    const topUp = await ledger.topUp({ id: `${buyer}-topup`, userId: buyer, amount: 10n ** 12n });
    if (!topUp.ok) throw new Error(`bench top-up failed: ${JSON.stringify(topUp.error)}`);
  }

  // PGlite answers within microtasks, so a timer would never fire during the loop: callers read the
  // clock instead.
  let cycles = 0;
  const expiresAt = new Date(Date.now() + 3600_000);
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const caller = async (b: number) => {
    const buyer = `${tag}-buyer-${b}`;
    for (let i = 0; performance.now() < deadline; i++) {
      const holdId = `${buyer}-h${i}`;
      const held = await ledger.hold({
        id: holdId,
        runId: `run-${b}-${i}`,
        userId: buyer,
        max: 50n,
        expiresAt,
      });
      if (!held.ok) throw new Error(`bench hold failed: ${JSON.stringify(held.error)}`);
      const captured = await ledger.capture({
        id: `${buyer}-c${i}`,
        holdId,
        amount: 37n,
        creatorId: `${tag}-creator-${i % CREATORS}`,
      });
      if (!captured.ok) throw new Error(`bench capture failed: ${JSON.stringify(captured.error)}`);
      if (performance.now() <= deadline) cycles++;
    }
  };
  await Promise.all(Array.from({ length: callers }, (_, b) => caller(b)));
  const done = cycles;
  const elapsed = options.seconds;
  return {
    mode: options.mode,
    callers,
    cycles: done,
    seconds: elapsed,
    perSecond: done / elapsed,
    verified: (await ledger.verify()).ok,
  };
}
