import { Catalog, type TestRunner } from '@jeton/core';
import { describe, expect, it } from 'vitest';
import { agentManifest, testEngines } from '../testing/index.ts';
import {
  alice,
  bob,
  buyer,
  catalogSuite,
  DAY,
  echoRunner,
  flakyCatalog,
  operator,
  platformCreators,
  published,
  runOutcome,
} from './catalog-suite.ts';
import { DrizzleCatalogStore } from './store.ts';

describe.each(testEngines())('catalog listings, stats and reviews on %s', (engine) => {
  const { t, slug } = catalogSuite(engine);

  describe('listing states', () => {
    it('unlists a deprecated agent but keeps its page; a new version lists it again', async () => {
      const s = slug();
      await published(t.catalog, s, { name: `Deprecable ${s}` });
      expect(await t.catalog.deprecate(bob, s)).toMatchObject({ ok: false, error: { type: 'forbidden' } });
      expect(await t.catalog.deprecate(alice, s)).toEqual({ ok: true, value: 'deprecated' });
      expect(await t.catalog.resolve(buyer, s)).toMatchObject({
        ok: false,
        error: { type: 'not_runnable', status: 'deprecated' },
      });
      expect((await t.catalog.get(buyer, s)).ok).toBe(true);
      const found = await t.catalog.search({ q: 'Deprecable', limit: 100 });
      expect(found.ok && found.value.items.map((a) => a.slug)).not.toContain(s);
      await published(t.catalog, s, { version: '1.0.1', name: `Deprecable ${s}` });
      expect(await t.catalog.resolve(buyer, s)).toMatchObject({ ok: true, value: { version: '1.0.1' } });
      const again = await t.catalog.search({ q: 'Deprecable', limit: 100 });
      expect(again.ok && again.value.items.map((a) => a.slug)).toContain(s);
    });

    it('lets an operator suspend any agent and reinstate it where it was; a creator cannot', async () => {
      const s = slug();
      await published(t.catalog, s);
      expect(await t.catalog.suspend(alice, s)).toMatchObject({ ok: false, error: { type: 'forbidden' } });
      expect(await t.catalog.suspend(operator, s)).toEqual({ ok: true, value: 'suspended' });
      expect(await t.catalog.resolve(alice, s)).toMatchObject({ ok: false, error: { type: 'not_runnable' } });
      expect(await t.catalog.get(buyer, s)).toMatchObject({ ok: false, error: { type: 'agent_not_found' } });
      expect(await t.catalog.saveDraft(alice, agentManifest(s, { version: '2.0.0' }))).toMatchObject({
        ok: false,
        error: { type: 'forbidden' },
      });
      expect(await t.catalog.reinstate(operator, s)).toEqual({ ok: true, value: 'published' });
      expect((await t.catalog.resolve(buyer, s)).ok).toBe(true);
    });

    it('re-ranks every listed agent, never-published suspended ones included', async () => {
      const s = slug();
      await t.catalog.saveDraft(alice, agentManifest(s));
      await t.catalog.suspend(operator, s);
      // A new formula changes every score, this never-published agent's (no publication date) too.
      const store = new DrizzleCatalogStore(t.db.handle);
      let n = 0;
      const changed = await store.refreshRanks(() => ++n);
      expect(changed).toBeGreaterThan(0);
      expect((await store.load(s))?.agent.rankScore).toBeGreaterThan(0);
      // Nothing moved since: nothing to write.
      expect((await t.catalog.sweep({ rerank: true })).reranked).toBeGreaterThan(0);
      expect((await t.catalog.sweep({ rerank: true })).reranked).toBe(0);
    });

    it('puts an agent whose tests now fail under maintenance, and back when they pass', async () => {
      const s = slug();
      const { c, setFailing } = flakyCatalog(t.db.handle, t.clock);
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
      const { c, setFailing } = flakyCatalog(t.db.handle, t.clock);
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
      t.clock.advance(14 * DAY);
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
      const c = new Catalog(new DrizzleCatalogStore(t.db.handle), {
        clock: t.clock,
        tests: slow,
        platformCreators,
      });
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
      await t.catalog.saveDraft(
        alice,
        agentManifest(s, { runtime: prompt('openai/gpt-4o-mini'), pricing: perToken }),
      );
      await t.catalog.publish(alice, s, '1.0.0');
      await t.catalog.saveDraft(
        alice,
        agentManifest(s, { version: '1.1.0', runtime: prompt('openai/gpt-4o'), pricing: perToken }),
      );
      const r = await t.catalog.publish(alice, s, '1.1.0');
      expect(r.ok && [r.value.priceChange, r.value.effectiveAt.getTime() - t.clock.now().getTime()]).toEqual([
        'rise',
        14 * DAY,
      ]);
    });
  });

  describe('stats and reviews', () => {
    const outcome = (agentId: string, versionId: string, runId: string, over = {}) =>
      runOutcome(agentId, versionId, runId, t.clock.now(), over);

    it('keeps runs, success rate and medians current, once per run', async () => {
      const s = slug();
      await published(t.catalog, s);
      const r = await t.catalog.resolve(buyer, s);
      if (!r.ok) throw new Error('resolve');
      const { agentId, versionId } = r.value;
      const durations = [100, 300, 200, 900];
      for (const [i, d] of durations.entries()) {
        expect(
          await t.catalog.recordRunOutcome(
            outcome(agentId, versionId, `run_${s}_${i}`, { durationMs: d, creditsPaid: d / 10 }),
          ),
        ).toEqual({ recorded: true });
      }
      await t.catalog.recordRunOutcome(
        outcome(agentId, versionId, `run_${s}_f`, { status: 'failed', creditsPaid: 0, durationMs: 5 }),
      );
      expect(await t.catalog.recordRunOutcome(outcome(agentId, versionId, `run_${s}_0`))).toEqual({
        recorded: false,
      });
      const page = await t.catalog.get(buyer, s);
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
      await published(t.catalog, s);
      const r = await t.catalog.resolve(alice, s);
      if (!r.ok) throw new Error('resolve');
      expect(
        await t.catalog.recordRunOutcome(
          outcome(r.value.agentId, r.value.versionId, `run_${s}_self`, { buyerId: alice.id }),
        ),
      ).toEqual({ recorded: false });
      expect(await t.catalog.review(alice, `run_${s}_self`, 5, 'Mine is great')).toMatchObject({
        ok: false,
        error: { type: 'review_not_allowed' },
      });
      const page = await t.catalog.get(buyer, s);
      expect(page.ok && page.value.agent.stats.runs).toBe(0);
    });

    it('lets only the buyer of a finished run review it, once, and the creator reply once', async () => {
      const s = slug();
      await published(t.catalog, s);
      await published(t.catalog, s, { version: '1.1.0' });
      const r = await t.catalog.resolve(buyer, `${s}@1.0.0`);
      if (!r.ok) throw new Error('resolve');
      const runId = `run_${s}`;
      expect(await t.catalog.review(buyer, runId, 5, 'Great')).toMatchObject({
        ok: false,
        error: { type: 'review_not_allowed' },
      });
      await t.catalog.recordRunOutcome(outcome(r.value.agentId, r.value.versionId, runId));
      expect(await t.catalog.review(bob, runId, 1, 'Not my run')).toMatchObject({
        ok: false,
        error: { type: 'review_not_allowed' },
      });
      expect(await t.catalog.review(buyer, runId, 6, 'Too many stars')).toMatchObject({
        ok: false,
        error: { type: 'review_not_allowed' },
      });
      const review = await t.catalog.review(buyer, runId, 4, 'Good logo');
      expect(review).toMatchObject({ ok: true, value: { rating: 4, version: '1.0.0', reply: null } });
      expect(await t.catalog.review(buyer, runId, 5, 'Again')).toMatchObject({
        ok: false,
        error: { type: 'already_reviewed' },
      });
      if (!review.ok) return;
      expect(await t.catalog.reply(bob, review.value.id, 'Thanks?')).toMatchObject({
        ok: false,
        error: { type: 'forbidden' },
      });
      expect(await t.catalog.reply(alice, review.value.id, 'Thank you!')).toMatchObject({
        ok: true,
        value: { reply: { body: 'Thank you!' } },
      });
      expect(await t.catalog.reply(alice, review.value.id, 'Again')).toMatchObject({
        ok: false,
        error: { type: 'already_replied' },
      });
      const list = await t.catalog.reviews(buyer, s);
      expect(list.ok && list.value.map((x) => [x.rating, x.version, x.reply?.body])).toEqual([
        [4, '1.0.0', 'Thank you!'],
      ]);
      const page = await t.catalog.get(buyer, s);
      expect(page.ok && [page.value.agent.stats.ratingCount, page.value.rating]).toEqual([
        1,
        (5 * 3.5 + 4) / 6,
      ]);
    });
  });
});
