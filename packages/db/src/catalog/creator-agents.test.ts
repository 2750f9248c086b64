import type { RunOutcome } from '@jeton/core';
import { describe, expect, it } from 'vitest';
import { agentManifest, testEngines } from '../testing/index.ts';
import { alice, bob, buyer, catalogSuite, published, runOutcome } from './catalog-suite.ts';

/** The studio's list: a creator's own agents, drafts included, with versions, stats and revenue. */
describe.each(testEngines())('a creator’s agents on %s', (engine) => {
  const { t, slug } = catalogSuite(engine);

  const outcome = (agentId: string, versionId: string, runId: string, over: Partial<RunOutcome> = {}) =>
    runOutcome(agentId, versionId, runId, t.clock.now(), { creditsPaid: 7, ...over });

  it('lists drafts and published agents newest first, with the version in effect, the latest draft, stats and revenue', async () => {
    const listed = slug();
    await published(t.catalog, listed, { pricing: { model: 'per_run', credits: 7 } });
    // A newer draft, with an example to try it with (and an older draft below it).
    for (const version of ['1.0.5', '1.1.0']) {
      const d = await t.catalog.saveDraft(
        alice,
        agentManifest(listed, {
          version,
          pricing: { model: 'per_run', credits: 7 },
          examples: [{ title: 'Hello', input: { text: `try ${version}` } }],
        }),
      );
      expect(d.ok).toBe(true);
    }
    t.clock.advance(60_000);
    const draftOnly = slug();
    expect(
      (
        await t.catalog.saveDraft(
          alice,
          agentManifest(draftOnly, {
            input: {
              type: 'object',
              required: ['text', 'tone'],
              properties: {
                text: { type: 'string', title: 'Text', default: 'hello' },
                tone: { type: 'string', title: 'Tone', editor: 'select', enum: ['calm', 'bold'] },
                size: { type: 'number', title: 'Size' },
              },
            },
          }),
        )
      ).ok,
    ).toBe(true);
    const bobs = slug();
    const d = await t.catalog.saveDraft(bob, agentManifest(bobs));
    expect(d.ok).toBe(true);

    // Runs of the listed agent: two paid, one failed (refunded), one cancelled after charging for
    // what it delivered, and the creator's own run (a test: never recorded).
    const r = await t.catalog.resolve(buyer, listed);
    if (!r.ok) throw new Error('resolve');
    const { agentId, versionId } = r.value;
    await t.catalog.recordRunOutcomes([
      outcome(agentId, versionId, `run_${listed}_1`),
      outcome(agentId, versionId, `run_${listed}_2`),
      outcome(agentId, versionId, `run_${listed}_3`, { status: 'failed', creditsPaid: 0 }),
      outcome(agentId, versionId, `run_${listed}_4`, { status: 'cancelled', creditsPaid: 7 }),
      outcome(agentId, versionId, `run_${listed}_5`, { buyerId: alice.id }),
    ]);
    expect((await t.catalog.review(buyer, `run_${listed}_1`, 5, 'Great')).ok).toBe(true);

    const mine = await t.catalog.creatorAgents(alice, 2000);
    expect(mine.map((a) => a.agent.slug)).toEqual([draftOnly, listed]);
    const [draft, agent] = mine;
    expect(agent).toMatchObject({
      agent: { status: 'published', stats: { runs: 4, succeeded: 2, ratingCount: 1 } },
      current: { version: '1.0.0' },
      pending: null,
      latestDraft: { version: '1.1.0', tests: null, exampleInput: { text: 'try 1.1.0' } },
      successRate: 0.5,
      // 3 paid runs of 7 credits; 20% of 7 is 1.4, rounded down per run as the ledger does: the
      // creator gets 6 a run (18), not 80% of the sum (16.8 → 17).
      revenue: { paidRuns: 3, grossCredits: 21, creatorCredits: 18 },
    });
    expect(agent!.rating).toBeGreaterThan(0);
    expect(agent!.versions.map((v) => [v.version, v.status, v.tests])).toEqual([
      ['1.1.0', 'draft', null],
      ['1.0.5', 'draft', null],
      ['1.0.0', 'published', 'none'],
    ]);
    expect(draft).toMatchObject({
      agent: { status: 'draft', stats: { runs: 0 } },
      current: null,
      pending: null,
      // No example and no test: the defaults, and the first choice of a required select.
      latestDraft: { version: '1.0.0', exampleInput: { text: 'hello', tone: 'calm' } },
      successRate: null,
      revenue: { paidRuns: 0, grossCredits: 0, creatorCredits: 0 },
    });

    // Nobody else's agents, and none for a creator without any.
    expect((await t.catalog.creatorAgents(bob, 2000)).map((a) => a.agent.slug)).toEqual([bobs]);
    expect(await t.catalog.creatorAgents(buyer, 2000)).toEqual([]);
    // The rate is the caller's: with no commission the creator keeps it all.
    expect((await t.catalog.creatorAgents(alice, 0))[1]!.revenue.creatorCredits).toBe(21);
  });

  it('shows a published price rise as pending until its notice ends, and no draft once all are published', async () => {
    const s = slug();
    await published(t.catalog, s, { pricing: { model: 'per_run', credits: 5 } });
    await published(t.catalog, s, { version: '1.1.0', pricing: { model: 'per_run', credits: 9 } });
    const [agent] = (await t.catalog.creatorAgents(alice, 2000)).filter((a) => a.agent.slug === s);
    expect(agent).toMatchObject({
      current: { version: '1.0.0' },
      pending: { version: '1.1.0' },
      latestDraft: null,
    });
    expect(agent!.pending!.effectiveAt.getTime()).toBeGreaterThan(t.clock.now().getTime());
  });
});
