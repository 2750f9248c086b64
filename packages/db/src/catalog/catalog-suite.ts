import { type Actor, Catalog, ManualClock, type RunOutcome, type TestRunner } from '@jeton/core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { DatabaseHandle, Engine } from '../connect.ts';
import { agentManifest, createTestDatabase, type TestDatabase } from '../testing/index.ts';
import { DrizzleCatalogStore } from './store.ts';

/** What the catalog suites share: their actors, a test runner, and a fresh catalog per test. */
export const DAY = 86_400_000;
export const alice: Actor = { id: 'usr_alice', role: 'user' };
export const bob: Actor = { id: 'usr_bob', role: 'user' };
export const buyer: Actor = { id: 'usr_buyer', role: 'user' };
export const operator: Actor = { id: 'usr_operator', role: 'operator' };
/** The fixtures use the built-in runtime, which only platform creators may: these tests' creators are. */
export const platformCreators = [alice.id, bob.id];

/** Runs built-in test agents: echoes `text` into echo.txt, and fails when asked to. */
export const echoRunner: TestRunner = {
  unavailable: (m) => (m.runtime.kind === 'builtin' ? null : `no ${m.runtime.kind} runtime here`),
  run: async ({ input }) =>
    input.text === 'fail'
      ? { status: 'failed', error: 'asked to fail', artifacts: [], creditsCharged: 0 }
      : {
          status: 'succeeded',
          artifacts: [
            {
              name: 'echo.txt',
              mediaType: 'text/plain',
              bytes: new TextEncoder().encode(String(input.text)),
            },
          ],
          creditsCharged: 0,
        },
};

/** A catalog on `handle` with a clock at 2026-06-01 and Alice and Bob registered as creators. */
export async function freshCatalog(
  handle: DatabaseHandle,
): Promise<{ clock: ManualClock; catalog: Catalog }> {
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const catalog = new Catalog(new DrizzleCatalogStore(handle), {
    clock,
    tests: echoRunner,
    platformCreators,
  });
  await catalog.registerCreator({ id: alice.id, handle: 'alice', displayName: 'Alice' });
  await catalog.registerCreator({ id: bob.id, handle: 'bob', displayName: 'Bob' });
  return { clock, catalog };
}

/** A catalog whose test runner fails every case while `setFailing(true)`. */
export function flakyCatalog(handle: DatabaseHandle, clock: ManualClock) {
  let failing = false;
  const flaky: TestRunner = {
    ...echoRunner,
    run: (req) => echoRunner.run({ ...req, input: failing ? { text: 'fail' } : req.input }),
  };
  const c = new Catalog(new DrizzleCatalogStore(handle), { clock, tests: flaky, platformCreators });
  const setFailing = (on: boolean) => {
    failing = on;
  };
  return { c, setFailing };
}

/** `buyer`'s run of a version, succeeded in a second and paid 10 credits, unless `over` says otherwise. */
export function runOutcome(
  agentId: string,
  versionId: string,
  runId: string,
  finishedAt: Date,
  over: Partial<RunOutcome> = {},
): RunOutcome {
  return {
    runId,
    agentId,
    versionId,
    buyerId: buyer.id,
    status: 'succeeded',
    durationMs: 1000,
    creditsPaid: 10,
    finishedAt,
    ...over,
  };
}

/** Alice saves and publishes the fixture manifest of `slug`; throws on any refusal. */
export async function published(catalog: Catalog, slug: string, overrides = {}) {
  const draft = await catalog.saveDraft(alice, agentManifest(slug, overrides));
  if (!draft.ok) throw new Error(JSON.stringify(draft.error));
  const p = await catalog.publish(alice, slug, draft.value.version.version);
  if (!p.ok) throw new Error(JSON.stringify(p.error));
  return p.value;
}

/**
 * Per engine: one database for the suite, and before each test a fresh catalog with its clock (in
 * `t`, which the tests read when they run). `slug()` gives a new slug each call.
 */
export function catalogSuite(engine: Engine) {
  const t = {
    db: null as unknown as TestDatabase,
    clock: null as unknown as ManualClock,
    catalog: null as unknown as Catalog,
  };
  let n = 0;
  beforeAll(async () => {
    t.db = await createTestDatabase(engine);
  });
  afterAll(() => t.db.drop());
  beforeEach(async () => {
    Object.assign(t, await freshCatalog(t.db.handle));
  });
  return { t, slug: () => `agent-${engine}-${++n}` };
}
