import type { Ledger } from '@jeton/core';
import type { TestDatabase } from '@jeton/db/testing';
import type { RunningServer } from '../server.ts';
import { startServerOn } from '../testing/engine-server.ts';
import type { PaymentsOverrides } from './setup.ts';

/** A recording fake of the outbound notification port. */
export class RecordingEvents {
  readonly emitted: { userId: string; type: string; data: Record<string, unknown> }[] = [];
  async emit(userId: string, type: string, data: Record<string, unknown>): Promise<void> {
    this.emitted.push({ userId, type, data });
  }
}

export interface WalletTestServer {
  server: RunningServer;
  db: TestDatabase;
  api(path: string, init?: RequestInit & { key?: string; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/** A real server on loopback and a fresh database, every JSON answer checked against its schema. */
export async function startWalletServer(
  engine: 'pglite' | 'postgres',
  payments: PaymentsOverrides,
  defaultKey: () => string,
): Promise<WalletTestServer> {
  const { server, db } = await startServerOn(
    engine,
    { JETON_CHECK_RESPONSES: 'true', JETON_PAYOUT_MIN_CREDITS: '1000' },
    { payments },
  );
  return {
    server,
    db,
    api: (path, init = {}) =>
      fetch(`${server.url}${path}`, {
        ...init,
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${init.key ?? defaultKey()}`,
          ...(init.headers as Record<string, string> | undefined),
        },
      }),
    close: async () => {
      await server.close();
      if (engine === 'postgres') await db.drop();
    },
  };
}

/** Gives a creator `cash` withdrawable earnings the way runs do: a buyer's hold, captured for them. */
export async function earn(ledger: Ledger, creatorId: string, buyerId: string, gross: bigint, tag: string) {
  await ledger.openAccounts(creatorId);
  await ledger.openAccounts(buyerId);
  const top = await ledger.topUp({ id: `test-top-${tag}`, userId: buyerId, amount: gross });
  const hold = await ledger.hold({
    id: `test-hold-${tag}`,
    runId: `run-${tag}`,
    userId: buyerId,
    max: gross,
    expiresAt: new Date(Date.now() + 3600_000),
  });
  const cap = await ledger.capture({
    id: `test-cap-${tag}`,
    holdId: `test-hold-${tag}`,
    amount: gross,
    creatorId,
  });
  if (!top.ok || !hold.ok || !cap.ok)
    throw new Error(`could not earn: ${JSON.stringify([top, hold, cap].map((r) => r.ok))}`);
  return cap.value.creatorCash;
}
