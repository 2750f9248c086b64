import { type Actor, Catalog, ManualClock, type TestRunner } from '@jeton/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agentManifest, createTestDatabase, type TestDatabase, testEngines } from '../testing/index.ts';
import { DrizzleCatalogStore } from './store.ts';

const DAY = 86_400_000;
const alice: Actor = { id: 'usr_alice', role: 'user' };
const bob: Actor = { id: 'usr_bob', role: 'user' };
const buyer: Actor = { id: 'usr_buyer', role: 'user' };
const operator: Actor = { id: 'usr_operator', role: 'operator' };
/** The fixtures use the built-in runtime, which only platform creators may: these tests' creators are. */
const platformCreators = [alice.id, bob.id];

/** Runs built-in test agents: echoes `text` into echo.txt, and fails when asked to. */
const echoRunner: TestRunner = {
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

describe.each(testEngines())('catalog on %s', (engine) => {
  let testDb: TestDatabase;
  let clock: ManualClock;
  let catalog: Catalog;
  let n = 0;
  const slug = () => `agent-${engine}-${++n}`;

  beforeAll(async () => {
    testDb = await createTestDatabase(engine);
  });
  afterAll(() => testDb.drop());
  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 5, 1));
    catalog = new Catalog(new DrizzleCatalogStore(testDb.handle), {
      clock,
      tests: echoRunner,
      platformCreators,
    });
    await catalog.registerCreator({ id: alice.id, handle: 'alice', displayName: 'Alice' });
    await catalog.registerCreator({ id: bob.id, handle: 'bob', displayName: 'Bob' });
  });

  /** A catalog whose test runner fails every case while `setFailing(true)`. */
  function flakyCatalog() {
    let failing = false;
    const flaky: TestRunner = {
      ...echoRunner,
      run: (req) => echoRunner.run({ ...req, input: failing ? { text: 'fail' } : req.input }),
    };
    const c = new Catalog(new DrizzleCatalogStore(testDb.handle), { clock, tests: flaky, platformCreators });
    const setFailing = (on: boolean) => {
      failing = on;
    };
    return { c, setFailing };
  }

  async function published(s: string, overrides = {}) {
    const draft = await catalog.saveDraft(alice, agentManifest(s, overrides));
    if (!draft.ok) throw new Error(JSON.stringify(draft.error));
    const p = await catalog.publish(alice, s, draft.value.version.version);
    if (!p.ok) throw new Error(JSON.stringify(p.error));
    return p.value;
  }

  describe('drafts and versions', () => {
    it('refuses an invalid manifest with every issue and writes nothing', async () => {
      const s = slug();
      const r = await catalog.saveDraft(alice, {
        ...agentManifest(s),
        version: 'one',
        pricing: { model: 'free' },
      });
      expect(r).toMatchObject({ ok: false, error: { type: 'invalid_manifest' } });
      if (r.ok || r.error.type !== 'invalid_manifest') return;
      expect(r.error.issues.map((i) => i.path)).toEqual(['$.version', '$.pricing.model']);
      expect((await catalog.get(alice, s)).ok).toBe(false);
    });

    it('keeps a draft private: its creator can see and run it, nobody else can', async () => {
      const s = slug();
      expect((await catalog.saveDraft(alice, agentManifest(s))).ok).toBe(true);
      expect((await catalog.get(alice, s)).ok).toBe(true);
      expect(await catalog.resolve(alice, s)).toMatchObject({
        ok: true,
        value: { version: '1.0.0', maxCredits: 10 },
      });
      expect(await catalog.get(buyer, s)).toMatchObject({ ok: false, error: { type: 'agent_not_found' } });
      expect(await catalog.resolve(buyer, s)).toMatchObject({
        ok: false,
        error: { type: 'agent_not_found' },
      });
      expect((await catalog.search({ q: s })).ok && (await catalog.search({ q: s }))).toMatchObject({
        value: { items: [] },
      });
    });

    it("refuses another creator's slug and an unregistered creator", async () => {
      const s = slug();
      await catalog.saveDraft(alice, agentManifest(s));
      expect(await catalog.saveDraft(bob, agentManifest(s))).toMatchObject({
        ok: false,
        error: { type: 'slug_taken' },
      });
      expect(
        await catalog.saveDraft({ id: 'usr_nobody', role: 'user' }, agentManifest(slug())),
      ).toMatchObject({
        ok: false,
        error: { type: 'forbidden' },
      });
    });

    it('keeps the built-in runtime for the platform’s own agents', async () => {
      const mallory: Actor = { id: 'usr_mallory', role: 'user' };
      await catalog.registerCreator({ id: mallory.id, handle: 'mallory', displayName: 'Mallory' });
      const r = await catalog.saveDraft(
        mallory,
        agentManifest(slug(), { runtime: { kind: 'builtin', entry: 'code-audit' } }),
      );
      expect(r).toMatchObject({
        ok: false,
        error: { type: 'invalid_manifest', issues: [{ path: '$.runtime.kind' }] },
      });
    });

    it('never changes a published version: a new version is a new row, and must be higher', async () => {
      const s = slug();
      await published(s);
      expect(await catalog.saveDraft(alice, agentManifest(s, { name: 'Renamed' }))).toMatchObject({
        ok: false,
        error: { type: 'version_immutable', version: '1.0.0' },
      });
      expect(await catalog.saveDraft(alice, agentManifest(s, { version: '0.9.0' }))).toMatchObject({
        ok: false,
        error: { type: 'version_not_newer', latest: '1.0.0' },
      });
      const v2 = await catalog.saveDraft(alice, agentManifest(s, { version: '1.1.0', name: 'Renamed' }));
      expect(v2.ok && v2.value.version.id).toMatch(/^ver_/);
      // The database refuses too: a published row cannot be rewritten, whatever the code asks.
      const store = new DrizzleCatalogStore(testDb.handle);
      const snapshot = await store.load(s);
      const v1 = snapshot!.versions.find((v) => v.version === '1.0.0')!;
      await expect(
        store.change(
          s,
          {},
          () => ({ ok: true, value: { change: { version: { ...v1, bundle: 'x' } }, value: null } }),
          () => 0,
        ),
      ).rejects.toThrow(/published and cannot change/);
      expect((await store.load(s))!.versions.find((v) => v.id === v1.id)).toEqual(v1);
    });

    it('lets a buyer pin a version, and runs the latest published one otherwise', async () => {
      const s = slug();
      await published(s);
      await published(s, { version: '1.1.0' });
      await catalog.saveDraft(alice, agentManifest(s, { version: '2.0.0' }));
      expect(await catalog.resolve(buyer, s)).toMatchObject({ ok: true, value: { version: '1.1.0' } });
      expect(await catalog.resolve(buyer, `${s}@1.0.0`)).toMatchObject({
        ok: true,
        value: { version: '1.0.0' },
      });
      expect(await catalog.resolve(buyer, `${s}@2.0.0`)).toMatchObject({
        ok: false,
        error: { type: 'version_not_found' },
      });
      expect(await catalog.resolve(alice, `${s}@2.0.0`)).toMatchObject({
        ok: true,
        value: { version: '2.0.0' },
      });
      const page = await catalog.get(buyer, s);
      expect(page.ok && page.value.versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    });
  });

  describe('price notice', () => {
    it('delays a rise by the notice period, shows it meanwhile, and applies a cut at once', async () => {
      const s = slug();
      await published(s, { pricing: { model: 'per_run', credits: 20 } });
      const rise = await published(s, { version: '1.1.0', pricing: { model: 'per_run', credits: 30 } });
      expect(rise.priceChange).toBe('rise');
      expect(rise.effectiveAt.getTime()).toBe(clock.now().getTime() + 14 * DAY);

      expect(await catalog.resolve(buyer, s)).toMatchObject({
        ok: true,
        value: { version: '1.0.0', maxCredits: 20 },
      });
      expect(await catalog.resolve(buyer, `${s}@1.1.0`)).toMatchObject({
        ok: false,
        error: { type: 'version_not_effective' },
      });
      const page = await catalog.get(buyer, s);
      expect(page.ok && page.value.pending).toEqual({
        version: '1.1.0',
        effectiveAt: rise.effectiveAt,
        pricing: { model: 'per_run', credits: 30 },
        maxCredits: 30,
      });
      expect(page.ok && page.value.agent.listing.maxCredits).toBe(20);

      clock.advance(14 * DAY - 1);
      expect(await catalog.resolve(buyer, s)).toMatchObject({ ok: true, value: { version: '1.0.0' } });
      clock.advance(1);
      expect(await catalog.resolve(buyer, s)).toMatchObject({
        ok: true,
        value: { version: '1.1.0', maxCredits: 30 },
      });
      expect((await catalog.sweep()).promoted).toBeGreaterThanOrEqual(1);
      const after = await catalog.get(buyer, s);
      expect(after.ok && [after.value.agent.listing.maxCredits, after.value.pending]).toEqual([30, null]);

      const cut = await published(s, { version: '1.2.0', pricing: { model: 'per_run', credits: 25 } });
      expect([cut.priceChange, cut.effectiveAt]).toEqual(['cut', clock.now()]);
      expect(await catalog.resolve(buyer, s)).toMatchObject({
        ok: true,
        value: { version: '1.2.0', maxCredits: 25 },
      });
    });

    it('takes the notice period from the configuration', async () => {
      const short = new Catalog(new DrizzleCatalogStore(testDb.handle), {
        clock,
        tests: echoRunner,
        priceNoticeDays: 3,
        platformCreators,
      });
      const s = slug();
      await published(s);
      await short.saveDraft(
        alice,
        agentManifest(s, { version: '1.0.1', pricing: { model: 'per_run', credits: 11 } }),
      );
      const r = await short.publish(alice, s, '1.0.1');
      expect(r.ok && r.value.effectiveAt.getTime() - clock.now().getTime()).toBe(3 * DAY);
    });
  });

  describe('publishing', () => {
    it('runs the test cases and refuses to publish on failure, naming the failing cases', async () => {
      const s = slug();
      const tests = [
        {
          name: 'echoes',
          input: { text: 'hi' },
          checks: [{ kind: 'contains' as const, artifact: 'echo.txt', text: 'hi' }],
        },
        { name: 'fails', input: { text: 'fail' }, checks: [{ kind: 'succeeds' as const }] },
        {
          name: 'wrong text',
          input: { text: 'hello' },
          checks: [{ kind: 'contains' as const, artifact: 'echo.txt', text: 'bye' }],
        },
      ];
      await catalog.saveDraft(alice, agentManifest(s, { tests }));
      const r = await catalog.publish(alice, s, '1.0.0');
      expect(r.ok).toBe(false);
      if (r.ok || r.error.type !== 'tests_failed') throw new Error('expected tests_failed');
      expect(r.error.report.cases.map((c) => [c.name, c.passed, c.failures])).toEqual([
        ['echoes', true, []],
        ['fails', false, ['the run ended failed: asked to fail']],
        ['wrong text', false, ['"echo.txt" does not contain "bye"']],
      ]);
      const page = await catalog.get(alice, s);
      expect(
        page.ok && [page.value.agent.status, page.value.versions[0]?.status, page.value.versions[0]?.tests],
      ).toEqual(['draft', 'draft', 'failed']);
      await catalog.saveDraft(alice, agentManifest(s, { tests: tests.slice(0, 1) }));
      const fixed = await catalog.publish(alice, s, '1.0.0');
      expect(fixed.ok && fixed.value.tests.status).toBe('passed');
    });

    it('publishes with skipped tests, and says why, when the runtime cannot run them here', async () => {
      const s = slug();
      await catalog.saveDraft(
        alice,
        agentManifest(s, {
          runtime: { kind: 'prompt', model: 'default', system: 'Echo.', template: '{{text}}' },
          tests: [{ name: 't', input: { text: 'x' }, checks: [{ kind: 'succeeds' }] }],
        }),
      );
      const r = await catalog.publish(alice, s, '1.0.0');
      expect(r.ok && r.value.tests).toMatchObject({ status: 'skipped', reason: 'no prompt runtime here' });
    });

    it('refuses a clone of another creator’s published agent, whatever its name and price', async () => {
      const original = slug();
      await published(original, { runtime: { kind: 'builtin', entry: `shared-${original}` } });
      const copy = slug();
      await catalog.saveDraft(
        bob,
        agentManifest(copy, {
          name: 'Totally new',
          pricing: { model: 'per_run', credits: 1 },
          runtime: { kind: 'builtin', entry: `shared-${original}` },
        }),
      );
      expect(await catalog.publish(bob, copy, '1.0.0')).toMatchObject({
        ok: false,
        error: { type: 'clone_refused', original },
      });
      // The creator may reuse their own work.
      const mine = slug();
      await catalog.saveDraft(
        alice,
        agentManifest(mine, { runtime: { kind: 'builtin', entry: `shared-${original}` } }),
      );
      expect((await catalog.publish(alice, mine, '1.0.0')).ok).toBe(true);
    });

    it('lets one of two simultaneous identical publications through', async () => {
      const entry = `race-${slug()}`;
      const [a, b] = [slug(), slug()];
      await catalog.saveDraft(alice, agentManifest(a, { runtime: { kind: 'builtin', entry } }));
      await catalog.saveDraft(bob, agentManifest(b, { runtime: { kind: 'builtin', entry } }));
      const results = await Promise.all([
        catalog.publish(alice, a, '1.0.0'),
        catalog.publish(bob, b, '1.0.0'),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.error.type === 'clone_refused')).toHaveLength(1);
    });

    it('lets only the creator publish', async () => {
      const s = slug();
      await catalog.saveDraft(alice, agentManifest(s));
      expect(await catalog.publish(bob, s, '1.0.0')).toMatchObject({
        ok: false,
        error: { type: 'agent_not_found' },
      });
      expect(await catalog.publish(alice, s, '9.9.9')).toMatchObject({
        ok: false,
        error: { type: 'version_not_found' },
      });
    });
  });

  describe('listing states', () => {
    it('unlists a deprecated agent but keeps its page; a new version lists it again', async () => {
      const s = slug();
      await published(s, { name: `Deprecable ${s}` });
      expect(await catalog.deprecate(bob, s)).toMatchObject({ ok: false, error: { type: 'forbidden' } });
      expect(await catalog.deprecate(alice, s)).toEqual({ ok: true, value: 'deprecated' });
      expect(await catalog.resolve(buyer, s)).toMatchObject({
        ok: false,
        error: { type: 'not_runnable', status: 'deprecated' },
      });
      expect((await catalog.get(buyer, s)).ok).toBe(true);
      const found = await catalog.search({ q: 'Deprecable', limit: 100 });
      expect(found.ok && found.value.items.map((a) => a.slug)).not.toContain(s);
      await published(s, { version: '1.0.1', name: `Deprecable ${s}` });
      expect(await catalog.resolve(buyer, s)).toMatchObject({ ok: true, value: { version: '1.0.1' } });
      const again = await catalog.search({ q: 'Deprecable', limit: 100 });
      expect(again.ok && again.value.items.map((a) => a.slug)).toContain(s);
    });

    it('lets an operator suspend any agent and reinstate it where it was; a creator cannot', async () => {
      const s = slug();
      await published(s);
      expect(await catalog.suspend(alice, s)).toMatchObject({ ok: false, error: { type: 'forbidden' } });
      expect(await catalog.suspend(operator, s)).toEqual({ ok: true, value: 'suspended' });
      expect(await catalog.resolve(alice, s)).toMatchObject({ ok: false, error: { type: 'not_runnable' } });
      expect(await catalog.get(buyer, s)).toMatchObject({ ok: false, error: { type: 'agent_not_found' } });
      expect(await catalog.saveDraft(alice, agentManifest(s, { version: '2.0.0' }))).toMatchObject({
        ok: false,
        error: { type: 'forbidden' },
      });
      expect(await catalog.reinstate(operator, s)).toEqual({ ok: true, value: 'published' });
      expect((await catalog.resolve(buyer, s)).ok).toBe(true);
    });

    it('re-ranks every listed agent, never-published suspended ones included', async () => {
      const s = slug();
      await catalog.saveDraft(alice, agentManifest(s));
      await catalog.suspend(operator, s);
      // A new formula changes every score, this never-published agent's (no publication date) too.
      const store = new DrizzleCatalogStore(testDb.handle);
      let n = 0;
      const changed = await store.refreshRanks(() => ++n);
      expect(changed).toBeGreaterThan(0);
      expect((await store.load(s))?.agent.rankScore).toBeGreaterThan(0);
      // Nothing moved since: nothing to write.
      expect((await catalog.sweep({ rerank: true })).reranked).toBeGreaterThan(0);
      expect((await catalog.sweep({ rerank: true })).reranked).toBe(0);
    });

    it('puts an agent whose tests now fail under maintenance, and back when they pass', async () => {
      const s = slug();
      const { c, setFailing } = flakyCatalog();
      await c.saveDraft(
        alice,
        agentManifest(s, { tests: [{ name: 't', input: { text: 'x' }, checks: [{ kind: 'succeeds' }] }] }),
      );
      expect((await c.publish(alice, s, '1.0.0')).ok).toBe(true);
      setFailing(true);
      expect(await c.verifyListing(s)).toMatchObject({ ok: true, value: { status: 'failed' } });
      expect(await c.resolve(buyer, s)).toMatchObject({
        ok: false,
        error: { type: 'not_runnable', status: 'maintenance' },
      });
      const page = await c.get(buyer, s);
      expect(page.ok && [page.value.agent.status, page.value.agent.stats.lastTestStatus]).toEqual([
        'maintenance',
        'failed',
      ]);
      setFailing(false);
      expect(await c.verifyListing(s)).toMatchObject({ ok: true, value: { status: 'passed' } });
      expect((await c.resolve(buyer, s)).ok).toBe(true);
    });
  });

  describe('price rises and maintenance', () => {
    it('keeps a failing agent under maintenance until its dearer fix takes effect', async () => {
      const s = slug();
      const { c, setFailing } = flakyCatalog();
      const tests = [{ name: 't', input: { text: 'x' }, checks: [{ kind: 'succeeds' as const }] }];
      await c.saveDraft(alice, agentManifest(s, { tests, pricing: { model: 'per_run', credits: 10 } }));
      await c.publish(alice, s, '1.0.0');
      setFailing(true);
      await c.verifyListing(s);
      setFailing(false);
      await c.saveDraft(
        alice,
        agentManifest(s, { version: '1.1.0', tests, pricing: { model: 'per_run', credits: 12 } }),
      );
      const fix = await c.publish(alice, s, '1.1.0');
      expect(fix.ok && fix.value.priceChange).toBe('rise');
      const during = await c.get(buyer, s);
      expect(during.ok && [during.value.agent.status, during.value.agent.stats.lastTestStatus]).toEqual([
        'maintenance',
        'failed',
      ]);
      expect(await c.resolve(buyer, s)).toMatchObject({
        ok: false,
        error: { type: 'not_runnable', status: 'maintenance' },
      });
      clock.advance(14 * DAY);
      await c.sweep();
      const after = await c.get(buyer, s);
      expect(after.ok && [after.value.agent.status, after.value.agent.stats.lastTestStatus]).toEqual([
        'published',
        'passed',
      ]);
      expect(await c.resolve(buyer, s)).toMatchObject({
        ok: true,
        value: { version: '1.1.0', maxCredits: 12 },
      });
    });

    it('ignores a nightly result about a version that is no longer in effect', async () => {
      const s = slug();
      let release: (fail: boolean) => void = () => {};
      let blocking = false;
      const slow: TestRunner = {
        ...echoRunner,
        run: async (req) => {
          if (!blocking) return echoRunner.run(req);
          const fail = await new Promise<boolean>((r) => {
            release = r;
          });
          return echoRunner.run({ ...req, input: fail ? { text: 'fail' } : req.input });
        },
      };
      const c = new Catalog(new DrizzleCatalogStore(testDb.handle), { clock, tests: slow, platformCreators });
      const tests = [{ name: 't', input: { text: 'x' }, checks: [{ kind: 'succeeds' as const }] }];
      await c.saveDraft(alice, agentManifest(s, { tests }));
      await c.publish(alice, s, '1.0.0');
      blocking = true;
      const nightly = c.verifyListing(s);
      await new Promise((r) => setTimeout(r, 50));
      blocking = false;
      await c.saveDraft(alice, agentManifest(s, { version: '1.0.1', tests }));
      expect((await c.publish(alice, s, '1.0.1')).ok).toBe(true);
      release(true);
      expect(await nightly).toMatchObject({ ok: true, value: { status: 'failed' } });
      const page = await c.get(buyer, s);
      expect(page.ok && [page.value.agent.status, page.value.agent.stats.lastTestStatus]).toEqual([
        'published',
        'passed',
      ]);
    });

    it('gives notice when a per-token agent moves to another model', async () => {
      const s = slug();
      const prompt = (model: string) => ({
        kind: 'prompt' as const,
        model,
        system: `Echo ${s}.`,
        template: '{{text}}',
      });
      const perToken = { model: 'per_token' as const, markupBps: 2000, maxCreditsPerRun: 50 };
      await catalog.saveDraft(
        alice,
        agentManifest(s, { runtime: prompt('openai/gpt-4o-mini'), pricing: perToken }),
      );
      await catalog.publish(alice, s, '1.0.0');
      await catalog.saveDraft(
        alice,
        agentManifest(s, { version: '1.1.0', runtime: prompt('openai/gpt-4o'), pricing: perToken }),
      );
      const r = await catalog.publish(alice, s, '1.1.0');
      expect(r.ok && [r.value.priceChange, r.value.effectiveAt.getTime() - clock.now().getTime()]).toEqual([
        'rise',
        14 * DAY,
      ]);
    });
  });

  describe('stats and reviews', () => {
    const outcome = (agentId: string, versionId: string, runId: string, over = {}) => ({
      runId,
      agentId,
      versionId,
      buyerId: buyer.id,
      status: 'succeeded' as const,
      durationMs: 1000,
      creditsPaid: 10,
      finishedAt: clock.now(),
      ...over,
    });

    it('keeps runs, success rate and medians current, once per run', async () => {
      const s = slug();
      await published(s);
      const r = await catalog.resolve(buyer, s);
      if (!r.ok) throw new Error('resolve');
      const { agentId, versionId } = r.value;
      const durations = [100, 300, 200, 900];
      for (const [i, d] of durations.entries()) {
        expect(
          await catalog.recordRunOutcome(
            outcome(agentId, versionId, `run_${s}_${i}`, { durationMs: d, creditsPaid: d / 10 }),
          ),
        ).toEqual({ recorded: true });
      }
      await catalog.recordRunOutcome(
        outcome(agentId, versionId, `run_${s}_f`, { status: 'failed', creditsPaid: 0, durationMs: 5 }),
      );
      expect(await catalog.recordRunOutcome(outcome(agentId, versionId, `run_${s}_0`))).toEqual({
        recorded: false,
      });
      const page = await catalog.get(buyer, s);
      if (!page.ok) throw new Error('get');
      expect(page.value.agent.stats).toMatchObject({
        runs: 5,
        succeeded: 4,
        medianDurationMs: 200,
        medianCredits: 20,
      });
      expect(page.value.successRate).toBe(0.8);
    });

    it("counts nothing for a creator's runs of their own agent, and lets no creator review it", async () => {
      const s = slug();
      await published(s);
      const r = await catalog.resolve(alice, s);
      if (!r.ok) throw new Error('resolve');
      expect(
        await catalog.recordRunOutcome(
          outcome(r.value.agentId, r.value.versionId, `run_${s}_self`, { buyerId: alice.id }),
        ),
      ).toEqual({ recorded: false });
      expect(await catalog.review(alice, `run_${s}_self`, 5, 'Mine is great')).toMatchObject({
        ok: false,
        error: { type: 'review_not_allowed' },
      });
      const page = await catalog.get(buyer, s);
      expect(page.ok && page.value.agent.stats.runs).toBe(0);
    });

    it('lets only the buyer of a finished run review it, once, and the creator reply once', async () => {
      const s = slug();
      await published(s);
      await published(s, { version: '1.1.0' });
      const r = await catalog.resolve(buyer, `${s}@1.0.0`);
      if (!r.ok) throw new Error('resolve');
      const runId = `run_${s}`;
      expect(await catalog.review(buyer, runId, 5, 'Great')).toMatchObject({
        ok: false,
        error: { type: 'review_not_allowed' },
      });
      await catalog.recordRunOutcome(outcome(r.value.agentId, r.value.versionId, runId));
      expect(await catalog.review(bob, runId, 1, 'Not my run')).toMatchObject({
        ok: false,
        error: { type: 'review_not_allowed' },
      });
      expect(await catalog.review(buyer, runId, 6, 'Too many stars')).toMatchObject({
        ok: false,
        error: { type: 'review_not_allowed' },
      });
      const review = await catalog.review(buyer, runId, 4, 'Good logo');
      expect(review).toMatchObject({ ok: true, value: { rating: 4, version: '1.0.0', reply: null } });
      expect(await catalog.review(buyer, runId, 5, 'Again')).toMatchObject({
        ok: false,
        error: { type: 'already_reviewed' },
      });
      if (!review.ok) return;
      expect(await catalog.reply(bob, review.value.id, 'Thanks?')).toMatchObject({
        ok: false,
        error: { type: 'forbidden' },
      });
      expect(await catalog.reply(alice, review.value.id, 'Thank you!')).toMatchObject({
        ok: true,
        value: { reply: { body: 'Thank you!' } },
      });
      expect(await catalog.reply(alice, review.value.id, 'Again')).toMatchObject({
        ok: false,
        error: { type: 'already_replied' },
      });
      const list = await catalog.reviews(buyer, s);
      expect(list.ok && list.value.map((x) => [x.rating, x.version, x.reply?.body])).toEqual([
        [4, '1.0.0', 'Thank you!'],
      ]);
      const page = await catalog.get(buyer, s);
      expect(page.ok && [page.value.agent.stats.ratingCount, page.value.rating]).toEqual([
        1,
        (5 * 3.5 + 4) / 6,
      ]);
    });
  });
});
