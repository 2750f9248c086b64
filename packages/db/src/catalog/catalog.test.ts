import { type Actor, Catalog } from '@jeton/core';
import { describe, expect, it } from 'vitest';
import { agentManifest, testEngines } from '../testing/index.ts';
import {
  alice,
  bob,
  buyer,
  catalogSuite,
  DAY,
  echoRunner,
  platformCreators,
  published,
} from './catalog-suite.ts';
import { DrizzleCatalogStore } from './store.ts';

describe.each(testEngines())('catalog drafts, prices and publishing on %s', (engine) => {
  const { t, slug } = catalogSuite(engine);

  describe('drafts and versions', () => {
    it('refuses an invalid manifest with every issue and writes nothing', async () => {
      const s = slug();
      const r = await t.catalog.saveDraft(alice, {
        ...agentManifest(s),
        version: 'one',
        pricing: { model: 'free' },
      });
      expect(r).toMatchObject({ ok: false, error: { type: 'invalid_manifest' } });
      if (r.ok || r.error.type !== 'invalid_manifest') return;
      expect(r.error.issues.map((i) => i.path)).toEqual(['$.version', '$.pricing.model']);
      expect((await t.catalog.get(alice, s)).ok).toBe(false);
    });

    it('keeps a draft private: its creator can see and run it, nobody else can', async () => {
      const s = slug();
      expect((await t.catalog.saveDraft(alice, agentManifest(s))).ok).toBe(true);
      expect((await t.catalog.get(alice, s)).ok).toBe(true);
      expect(await t.catalog.resolve(alice, s)).toMatchObject({
        ok: true,
        value: { version: '1.0.0', maxCredits: 10 },
      });
      expect(await t.catalog.get(buyer, s)).toMatchObject({ ok: false, error: { type: 'agent_not_found' } });
      expect(await t.catalog.resolve(buyer, s)).toMatchObject({
        ok: false,
        error: { type: 'agent_not_found' },
      });
      expect((await t.catalog.search({ q: s })).ok && (await t.catalog.search({ q: s }))).toMatchObject({
        value: { items: [] },
      });
    });

    it("refuses another creator's slug and an unregistered creator", async () => {
      const s = slug();
      await t.catalog.saveDraft(alice, agentManifest(s));
      expect(await t.catalog.saveDraft(bob, agentManifest(s))).toMatchObject({
        ok: false,
        error: { type: 'slug_taken' },
      });
      expect(
        await t.catalog.saveDraft({ id: 'usr_nobody', role: 'user' }, agentManifest(slug())),
      ).toMatchObject({
        ok: false,
        error: { type: 'forbidden' },
      });
    });

    it('keeps the built-in runtime for the platform’s own agents', async () => {
      const mallory: Actor = { id: 'usr_mallory', role: 'user' };
      await t.catalog.registerCreator({ id: mallory.id, handle: 'mallory', displayName: 'Mallory' });
      const r = await t.catalog.saveDraft(
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
      await published(t.catalog, s);
      expect(await t.catalog.saveDraft(alice, agentManifest(s, { name: 'Renamed' }))).toMatchObject({
        ok: false,
        error: { type: 'version_immutable', version: '1.0.0' },
      });
      expect(await t.catalog.saveDraft(alice, agentManifest(s, { version: '0.9.0' }))).toMatchObject({
        ok: false,
        error: { type: 'version_not_newer', latest: '1.0.0' },
      });
      const v2 = await t.catalog.saveDraft(alice, agentManifest(s, { version: '1.1.0', name: 'Renamed' }));
      expect(v2.ok && v2.value.version.id).toMatch(/^ver_/);
      // The database refuses too: a published row cannot be rewritten, whatever the code asks.
      const store = new DrizzleCatalogStore(t.db.handle);
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
      await published(t.catalog, s);
      await published(t.catalog, s, { version: '1.1.0' });
      await t.catalog.saveDraft(alice, agentManifest(s, { version: '2.0.0' }));
      expect(await t.catalog.resolve(buyer, s)).toMatchObject({ ok: true, value: { version: '1.1.0' } });
      expect(await t.catalog.resolve(buyer, `${s}@1.0.0`)).toMatchObject({
        ok: true,
        value: { version: '1.0.0' },
      });
      expect(await t.catalog.resolve(buyer, `${s}@2.0.0`)).toMatchObject({
        ok: false,
        error: { type: 'version_not_found' },
      });
      expect(await t.catalog.resolve(alice, `${s}@2.0.0`)).toMatchObject({
        ok: true,
        value: { version: '2.0.0' },
      });
      const page = await t.catalog.get(buyer, s);
      expect(page.ok && page.value.versions.map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
    });
  });

  describe('price notice', () => {
    it('delays a rise by the notice period, shows it meanwhile, and applies a cut at once', async () => {
      const s = slug();
      await published(t.catalog, s, { pricing: { model: 'per_run', credits: 20 } });
      const rise = await published(t.catalog, s, {
        version: '1.1.0',
        pricing: { model: 'per_run', credits: 30 },
      });
      expect(rise.priceChange).toBe('rise');
      expect(rise.effectiveAt.getTime()).toBe(t.clock.now().getTime() + 14 * DAY);

      expect(await t.catalog.resolve(buyer, s)).toMatchObject({
        ok: true,
        value: { version: '1.0.0', maxCredits: 20 },
      });
      expect(await t.catalog.resolve(buyer, `${s}@1.1.0`)).toMatchObject({
        ok: false,
        error: { type: 'version_not_effective' },
      });
      const page = await t.catalog.get(buyer, s);
      expect(page.ok && page.value.pending).toEqual({
        version: '1.1.0',
        effectiveAt: rise.effectiveAt,
        pricing: { model: 'per_run', credits: 30 },
        maxCredits: 30,
      });
      expect(page.ok && page.value.agent.listing.maxCredits).toBe(20);

      t.clock.advance(14 * DAY - 1);
      expect(await t.catalog.resolve(buyer, s)).toMatchObject({ ok: true, value: { version: '1.0.0' } });
      t.clock.advance(1);
      expect(await t.catalog.resolve(buyer, s)).toMatchObject({
        ok: true,
        value: { version: '1.1.0', maxCredits: 30 },
      });
      expect((await t.catalog.sweep()).promoted).toBeGreaterThanOrEqual(1);
      const after = await t.catalog.get(buyer, s);
      expect(after.ok && [after.value.agent.listing.maxCredits, after.value.pending]).toEqual([30, null]);

      const cut = await published(t.catalog, s, {
        version: '1.2.0',
        pricing: { model: 'per_run', credits: 25 },
      });
      expect([cut.priceChange, cut.effectiveAt]).toEqual(['cut', t.clock.now()]);
      expect(await t.catalog.resolve(buyer, s)).toMatchObject({
        ok: true,
        value: { version: '1.2.0', maxCredits: 25 },
      });
    });

    it('takes the notice period from the configuration', async () => {
      const short = new Catalog(new DrizzleCatalogStore(t.db.handle), {
        clock: t.clock,
        tests: echoRunner,
        priceNoticeDays: 3,
        platformCreators,
      });
      const s = slug();
      await published(t.catalog, s);
      await short.saveDraft(
        alice,
        agentManifest(s, { version: '1.0.1', pricing: { model: 'per_run', credits: 11 } }),
      );
      const r = await short.publish(alice, s, '1.0.1');
      expect(r.ok && r.value.effectiveAt.getTime() - t.clock.now().getTime()).toBe(3 * DAY);
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
      await t.catalog.saveDraft(alice, agentManifest(s, { tests }));
      const r = await t.catalog.publish(alice, s, '1.0.0');
      expect(r.ok).toBe(false);
      if (r.ok || r.error.type !== 'tests_failed') throw new Error('expected tests_failed');
      expect(r.error.report.cases.map((c) => [c.name, c.passed, c.failures])).toEqual([
        ['echoes', true, []],
        ['fails', false, ['the run ended failed: asked to fail']],
        ['wrong text', false, ['"echo.txt" does not contain "bye"']],
      ]);
      const page = await t.catalog.get(alice, s);
      expect(
        page.ok && [page.value.agent.status, page.value.versions[0]?.status, page.value.versions[0]?.tests],
      ).toEqual(['draft', 'draft', 'failed']);
      await t.catalog.saveDraft(alice, agentManifest(s, { tests: tests.slice(0, 1) }));
      const fixed = await t.catalog.publish(alice, s, '1.0.0');
      expect(fixed.ok && fixed.value.tests.status).toBe('passed');
    });

    it('publishes with skipped tests, and says why, when the runtime cannot run them here', async () => {
      const s = slug();
      await t.catalog.saveDraft(
        alice,
        agentManifest(s, {
          runtime: { kind: 'prompt', model: 'default', system: 'Echo.', template: '{{text}}' },
          tests: [{ name: 't', input: { text: 'x' }, checks: [{ kind: 'succeeds' }] }],
        }),
      );
      const r = await t.catalog.publish(alice, s, '1.0.0');
      expect(r.ok && r.value.tests).toMatchObject({ status: 'skipped', reason: 'no prompt runtime here' });
    });

    it('refuses a clone of another creator’s published agent, whatever its name and price', async () => {
      const original = slug();
      await published(t.catalog, original, { runtime: { kind: 'builtin', entry: `shared-${original}` } });
      const copy = slug();
      await t.catalog.saveDraft(
        bob,
        agentManifest(copy, {
          name: 'Totally new',
          pricing: { model: 'per_run', credits: 1 },
          runtime: { kind: 'builtin', entry: `shared-${original}` },
        }),
      );
      expect(await t.catalog.publish(bob, copy, '1.0.0')).toMatchObject({
        ok: false,
        error: { type: 'clone_refused', original },
      });
      // The creator may reuse their own work.
      const mine = slug();
      await t.catalog.saveDraft(
        alice,
        agentManifest(mine, { runtime: { kind: 'builtin', entry: `shared-${original}` } }),
      );
      expect((await t.catalog.publish(alice, mine, '1.0.0')).ok).toBe(true);
    });

    it('lets one of two simultaneous identical publications through', async () => {
      const entry = `race-${slug()}`;
      const [a, b] = [slug(), slug()];
      await t.catalog.saveDraft(alice, agentManifest(a, { runtime: { kind: 'builtin', entry } }));
      await t.catalog.saveDraft(bob, agentManifest(b, { runtime: { kind: 'builtin', entry } }));
      const results = await Promise.all([
        t.catalog.publish(alice, a, '1.0.0'),
        t.catalog.publish(bob, b, '1.0.0'),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.error.type === 'clone_refused')).toHaveLength(1);
    });

    it('lets only the creator publish', async () => {
      const s = slug();
      await t.catalog.saveDraft(alice, agentManifest(s));
      expect(await t.catalog.publish(bob, s, '1.0.0')).toMatchObject({
        ok: false,
        error: { type: 'agent_not_found' },
      });
      expect(await t.catalog.publish(alice, s, '9.9.9')).toMatchObject({
        ok: false,
        error: { type: 'version_not_found' },
      });
    });
  });
});
