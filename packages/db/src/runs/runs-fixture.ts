import { randomBytes } from 'node:crypto';
import type { Actor, Run, RunEvent } from '@jeton/core';
import { afterAll, beforeAll } from 'vitest';
import type { Engine } from '../connect.ts';
import { createTestDatabase, type TestDatabase } from '../testing/index.ts';
import {
  eventually,
  type Harness,
  perEvent,
  perToken,
  publishAgent,
  startHarness,
  withFiles,
} from './runs-suite.ts';

/**
 * What the run engine suites share: per engine, one database and a run platform (API and worker in
 * one) with the test agents published, and helpers to make buyers, submit runs and wait for them.
 * A test may replace `t.h` (a platform with other settings); the suite closes whichever is last.
 */
export function runSuite(engine: Engine) {
  const t = {
    db: null as unknown as TestDatabase,
    h: null as unknown as Harness,
    /** A new buyer with `credits` paid credits. */
    buyer: async (credits = 100): Promise<Actor> => {
      const id = `usr_${randomBytes(6).toString('hex')}`;
      await t.h.ledger.openAccounts(id);
      if (credits > 0) await t.h.ledger.topUp({ id: `top_${id}`, userId: id, amount: BigInt(credits) });
      return { id, role: 'user' };
    },
    submit: async (who: Actor, agent: string, input: unknown = { text: 'hi' }, extra = {}): Promise<Run> => {
      const r = await t.h.platform.engine.submit({ buyer: who, agent, input, ...extra });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      return r.value.run;
    },
    ended: (id: string) =>
      eventually(async () => {
        const r = await t.h.platform.store.get(id);
        return r?.endedAt ? r : null;
      }),
    balance: async (who: Actor) => {
      const b = await t.h.ledger.balance(who.id);
      return { available: b!.available, held: b!.held };
    },
    allEvents: (id: string): Promise<RunEvent[]> => t.h.platform.store.events(id, 0, 1000),
  };

  beforeAll(async () => {
    t.db = await createTestDatabase(engine);
    t.h = await startHarness(t.db.handle, t.db.url);
    for (const slug of ['echo', 'noop', 'boom', 'ask', 'gate']) await publishAgent(t.h.catalog, slug);
    await publishAgent(t.h.catalog, 'hang', { limits: { timeoutSeconds: 1 } as never });
    await publishAgent(t.h.catalog, 'deaf', { limits: { timeoutSeconds: 1 } as never });
    await publishAgent(t.h.catalog, 'events', perEvent);
    await publishAgent(t.h.catalog, 'files', withFiles);
    await publishAgent(t.h.catalog, 'metered', perToken);
    await publishAgent(t.h.catalog, 'secretive', { secrets: [{ name: 'API_TOKEN' }] } as never);
    await publishAgent(t.h.catalog, 'no-secrets', {}, 'secretive');
    await publishAgent(t.h.catalog, 'flaky', { limits: { retrySafe: true } as never });
    await publishAgent(t.h.catalog, 'flaky-unsafe', {}, 'flaky');
    await publishAgent(
      t.h.catalog,
      'hang-long',
      { limits: { timeoutSeconds: 600, retrySafe: true } as never },
      'hang',
    );
  }, 60_000);

  afterAll(async () => {
    await t.h?.close();
    await t.db?.drop();
  });

  return t;
}
