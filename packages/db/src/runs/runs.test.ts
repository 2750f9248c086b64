import { createHash, randomBytes } from 'node:crypto';
import type { BlobStorage } from '@jeton/core';
import { describe, expect, it } from 'vitest';
import { testEngines } from '../testing/index.ts';
import { runSuite } from './runs-fixture.ts';
import { creator, eventually, perEvent, publishAgent, startHarness } from './runs-suite.ts';

/** Submitting, settling and ending runs: every money rule, on both engines. */
describe.each(testEngines())('run engine on %s: runs and their money', (engine) => {
  const t = runSuite(engine);
  const { buyer, submit, ended, balance, allEvents } = t;

  it('runs an agent to success: charges the price once, keeps its artifact and logs every step', async () => {
    const b = await buyer(100);
    const run = await submit(b, 'echo', { text: 'hello world' });
    expect(run.status).toBe('queued');
    expect(run.maxCredits).toBe(10);
    expect(await balance(b)).toEqual({ available: 90n, held: 10n });

    const done = await ended(run.id);
    expect(done).toMatchObject({ status: 'succeeded', charged: 10, refunded: 0, failure: null, attempt: 1 });
    expect(await balance(b)).toEqual({ available: 90n, held: 0n });
    expect((await t.h.ledger.balance(creator.id))?.earnings.cash.posted).toBeGreaterThanOrEqual(8n);
    expect(await t.h.ledger.getHold(run.holdId)).toMatchObject({ status: 'captured', capturedAmount: 10n });

    const events = await allEvents(run.id);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.data.type)).toEqual([
      'status',
      'status',
      'progress',
      'log',
      'artifact',
      'progress',
      'status',
    ]);
    expect(
      events.filter((e) => e.data.type === 'status').map((e) => (e.data as { status: string }).status),
    ).toEqual(['queued', 'running', 'succeeded']);

    const [artifact] = await t.h.platform.store.artifacts(run.id);
    expect(artifact).toMatchObject({ name: 'echo.txt', mediaType: 'text/plain', size: 11, ownerId: b.id });
    const stream = await t.h.platform.storage.get(artifact!.storageKey);
    expect(await new Response(stream).text()).toBe('hello world');
    expect(artifact!.sha256).toBe(createHash('sha256').update('hello world').digest('hex'));
  });

  it('gives the agent its uploaded files by field, in the input’s order, readable as streams', async () => {
    const b = await buyer(100);
    const upload = async (name: string, text: string) => {
      const f = await t.h.platform.engine.upload(b, {
        name,
        mediaType: 'text/plain',
        body: (async function* () {
          yield new TextEncoder().encode(text);
        })(),
      });
      if (!f.ok) throw new Error(JSON.stringify(f.error));
      return f.value.id;
    };
    const first = await upload('b.txt', 'second file');
    const second = await upload('a.txt', 'first file');
    const run = await ended((await submit(b, 'files', { docs: [second, first] })).id);
    expect(run).toMatchObject({ status: 'succeeded', charged: 10 });
    const [artifact] = await t.h.platform.store.artifacts(run.id);
    const stored = await t.h.platform.storage.get(artifact!.storageKey);
    expect(await new Response(stored).text()).toBe(
      'a.txt text/plain 10: first file\nb.txt text/plain 11: second file\n',
    );
  });

  it('gives an agent the values of the secrets it declares, and none to an agent that declares none', async () => {
    const b = await buyer(100);
    const read = async (agent: string) => {
      const run = await ended((await submit(b, agent)).id);
      const [artifact] = await t.h.platform.store.artifacts(run.id);
      return JSON.parse(await new Response(await t.h.platform.storage.get(artifact!.storageKey)).text());
    };
    expect(await read('secretive')).toEqual({ API_TOKEN: 'secretive:API_TOKEN' });
    expect(await read('no-secrets')).toEqual({});
  });

  it('meters model calls on the run and charges per token: cost plus markup, rounded up, within the maximum', async () => {
    const b = await buyer(100);
    // 1.5 credits of model cost; +20% = 1.8, rounded up to 2.
    const small = await ended((await submit(b, 'metered', { text: '300000' })).id);
    expect(small).toMatchObject({ status: 'succeeded', charged: 2, refunded: 4 });
    expect(small.usage.modelCostMicroCredits).toBe('1500000');
    const models = (await allEvents(small.id)).filter((e) => e.data.type === 'model');
    expect(models.map((e) => e.data)).toEqual(
      Array.from({ length: 5 }, () => ({
        type: 'model',
        model: 'test/model',
        inputTokens: 100,
        outputTokens: 50,
        costMicroCredits: '300000',
      })),
    );
    // The maximum of 6 credits leaves 5 credits for cost at +20%: the agent is told when it is spent.
    const big = await ended((await submit(b, 'metered', { text: '2000000' })).id);
    expect(big).toMatchObject({ status: 'succeeded', charged: 6, refunded: 0 });
    expect((await allEvents(big.id)).filter((e) => e.data.type === 'model')).toHaveLength(3);
    expect(await balance(b)).toEqual({ available: 92n, held: 0n });
    // A call that ends after its attempt did is not added to the ended run.
    const late = { model: 'test/model', inputTokens: 1, outputTokens: 1, costMicroCredits: 5_000_000n };
    expect(await t.h.platform.store.meter(big.id, big.attempt, late, new Date())).toEqual({ type: 'stale' });
    expect((await t.h.platform.store.get(big.id))?.usage).toEqual(big.usage);
  });

  it('refuses an input that does not match the schema, naming every problem, before any hold', async () => {
    const b = await buyer(100);
    const r = await t.h.platform.engine.submit({ buyer: b, agent: 'echo', input: { text: 5, extra: true } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.type).toBe('input_invalid');
    const paths = (r.error as { issues: { path: string }[] }).issues.map((i) => i.path).sort();
    expect(paths).toEqual(['$.extra', '$.text']);
    expect(await balance(b)).toEqual({ available: 100n, held: 0n });
    expect((await t.h.platform.store.list(b.id, { cursor: null, limit: 10 }))?.items).toEqual([]);
  });

  it('refuses a quote above the buyer’s cap or their credits, and holds nothing', async () => {
    const b = await buyer(30);
    const capped = await t.h.platform.engine.submit({
      buyer: b,
      agent: 'events',
      input: { text: '1' },
      maxCredits: 40,
    });
    expect(capped).toMatchObject({ ok: false, error: { type: 'quote_exceeds_cap', quote: 45, cap: 40 } });
    const poor = await t.h.platform.engine.submit({ buyer: b, agent: 'events', input: { text: '1' } });
    expect(poor).toMatchObject({
      ok: false,
      error: { type: 'insufficient_credits', quote: 45, available: 30n },
    });
    const nobody = await t.h.platform.engine.submit({
      buyer: { id: 'usr_nowallet', role: 'user' },
      agent: 'echo',
      input: { text: 'x' },
    });
    expect(nobody).toMatchObject({ ok: false, error: { type: 'wallet_not_found' } });
    const missing = await t.h.platform.engine.submit({ buyer: b, agent: 'no-such-agent', input: {} });
    expect(missing).toMatchObject({
      ok: false,
      error: { type: 'catalog', error: { type: 'agent_not_found' } },
    });
    expect(await balance(b)).toEqual({ available: 30n, held: 0n });
  });

  it('returns the same run for the same Idempotency-Key, even when submitted at once, and refuses another body', async () => {
    const b = await buyer(100);
    const key = `k-${randomBytes(4).toString('hex')}`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.h.platform.engine.submit({ buyer: b, agent: 'echo', input: { text: 'same' }, idempotencyKey: key }),
      ),
    );
    const ids = new Set(results.map((r) => (r.ok ? r.value.run.id : 'refused')));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.ok && !r.value.replayed)).toHaveLength(1);
    const later = await t.h.platform.engine.submit({
      buyer: b,
      agent: 'echo',
      input: { text: 'same' },
      idempotencyKey: key,
    });
    expect(later).toMatchObject({ ok: true, value: { replayed: true, run: { id: [...ids][0] } } });
    const other = await t.h.platform.engine.submit({
      buyer: b,
      agent: 'echo',
      input: { text: 'other' },
      idempotencyKey: key,
    });
    expect(other).toMatchObject({ ok: false, error: { type: 'idempotency_conflict', runId: [...ids][0] } });
    // Another buyer's key is another key.
    const c = await buyer(100);
    const theirs = await t.h.platform.engine.submit({
      buyer: c,
      agent: 'echo',
      input: { text: 'same' },
      idempotencyKey: key,
    });
    expect(theirs.ok && theirs.value.run.id).not.toBe([...ids][0]);
    await ended([...ids][0]!);
    expect(await balance(b)).toEqual({ available: 90n, held: 0n });
  });

  it('fails and refunds everything when the agent throws, with the agent at fault', async () => {
    const b = await buyer(100);
    const run = await submit(b, 'boom');
    const done = await ended(run.id);
    expect(done).toMatchObject({
      status: 'failed',
      charged: 0,
      refunded: 10,
      failure: { code: 'agent_error', fault: 'agent', message: 'boom' },
    });
    expect(await balance(b)).toEqual({ available: 100n, held: 0n });
    expect(await t.h.ledger.getHold(run.holdId)).toMatchObject({ status: 'released' });
    await publishAgent(t.h.catalog, 'boom-nul');
    const odd = await ended((await submit(b, 'boom-nul')).id);
    expect(odd).toMatchObject({
      status: 'failed',
      failure: { code: 'agent_error', message: 'bad \ufffd byte' },
    });
  });

  it('times out an agent past its manifest’s timeout, through its AbortSignal or without it', async () => {
    const b = await buyer(100);
    const [polite, deaf] = await Promise.all([submit(b, 'hang'), submit(b, 'deaf')]);
    for (const run of [polite, deaf]) {
      const done = await ended(run.id);
      expect(done).toMatchObject({
        status: 'timed_out',
        charged: 0,
        refunded: 10,
        failure: { code: 'agent_timeout', fault: 'agent' },
      });
      expect(done.endedAt!.getTime() - done.startedAt!.getTime()).toBeGreaterThanOrEqual(1000);
    }
    expect(await balance(b)).toEqual({ available: 100n, held: 0n });
  });

  it('cancels a running run: the agent is aborted, the buyer refunded, and the cancel is final', async () => {
    const b = await buyer(100);
    const run = await submit(b, 'hang-long');
    await eventually(async () => (await t.h.platform.store.get(run.id))?.status === 'running');
    await eventually(async () => t.h.platform.worker!.active === 1 || null);
    const cancelled = await t.h.platform.engine.cancel(b, run.id);
    expect(cancelled).toMatchObject({
      ok: true,
      value: { alreadyEnded: false, run: { status: 'cancelled', charged: 0, refunded: 10 } },
    });
    // The worker hears it and lets go of the attempt.
    await eventually(async () => t.h.platform.worker!.active === 0 || null, 3000);
    expect(await t.h.platform.engine.cancel(b, run.id)).toMatchObject({
      ok: true,
      value: { alreadyEnded: true },
    });
    const stranger = await buyer(0);
    expect(await t.h.platform.engine.cancel(stranger, run.id)).toMatchObject({
      ok: false,
      error: { type: 'run_not_found' },
    });
    const final = await t.h.platform.store.get(run.id);
    expect(final).toMatchObject({ status: 'cancelled', failure: { fault: 'user_cancel' } });
    expect(await balance(b)).toEqual({ available: 100n, held: 0n });
  });

  it('per event: captures the events delivered; a cancellation pays only what was delivered', async () => {
    const b = await buyer(200);
    const full = await ended((await submit(b, 'events', { text: '1' })).id);
    expect(full).toMatchObject({
      status: 'succeeded',
      charged: 35,
      refunded: 10,
      usage: { events: { preview: 1, model: 1 } },
    });

    const partial = await submit(b, 'events', { text: '2' });
    await eventually(
      async () => ((await t.h.platform.store.get(partial.id))?.usage.events.preview ?? 0) === 2 || null,
    );
    await t.h.platform.engine.cancel(b, partial.id);
    expect(await t.h.platform.store.get(partial.id)).toMatchObject({
      status: 'cancelled',
      charged: 10,
      refunded: 35,
    });

    // Beyond the maximum: 9 previews would be 45 before the model; the charge that crosses it is refused.
    const greedy = await ended((await submit(b, 'events', { text: '9' })).id);
    expect(greedy).toMatchObject({ status: 'failed', charged: 0, refunded: 45, failure: { fault: 'agent' } });
    expect(greedy.failure!.message).toMatch(/above its maximum of 45/);
    expect(await balance(b)).toEqual({ available: 200n - 35n - 10n, held: 0n });
  });

  it('retries a platform failure only for retry-safe agents, and then succeeds on a new attempt', async () => {
    const b = await buyer(100);
    const safe = await ended((await submit(b, 'flaky')).id);
    expect(safe).toMatchObject({ status: 'succeeded', attempt: 2, charged: 10 });
    const statuses = (await allEvents(safe.id))
      .filter((e) => e.data.type === 'status')
      .map((e) => (e.data as { status: string }).status);
    expect(statuses).toEqual(['queued', 'running', 'queued', 'running', 'succeeded']);

    const unsafe = await ended((await submit(b, 'flaky-unsafe')).id);
    expect(unsafe).toMatchObject({
      status: 'failed',
      attempt: 1,
      charged: 0,
      refunded: 10,
      failure: { code: 'platform_transient', fault: 'platform' },
    });
    expect(await balance(b)).toEqual({ available: 90n, held: 0n });
  });

  it('starts a retried attempt from nothing: what a lost attempt charged is not charged again', async () => {
    await publishAgent(t.h.catalog, 'events-flaky', {
      ...perEvent,
      limits: { retrySafe: true } as never,
    });
    const b = await buyer(100);
    const run = await ended((await submit(b, 'events-flaky')).id);
    expect(run).toMatchObject({ status: 'succeeded', attempt: 2, charged: 35, refunded: 10 });
    expect(run.usage.events).toEqual({ preview: 1, model: 1 });
    expect(await balance(b)).toEqual({ available: 65n, held: 0n });
  });

  it('keeps what an agent writes even when Postgres could not store it as is (NUL, lone surrogates)', async () => {
    await publishAgent(t.h.catalog, 'odd');
    const b = await buyer(100);
    const run = await ended((await submit(b, 'odd')).id);
    expect(run.status).toBe('succeeded');
    const log = (await allEvents(run.id)).find((e) => e.data.type === 'log');
    expect(log?.data).toMatchObject({ message: 'nul \ufffd and \ufffd here' });
  });

  it('holds the agent at fault for data the database cannot take, never the platform (no retry, a refund)', async () => {
    await publishAgent(t.h.catalog, 'odd-question', { limits: { retrySafe: true } as never });
    const b = await buyer(100);
    const run = await ended((await submit(b, 'odd-question')).id);
    expect(run).toMatchObject({
      status: 'failed',
      attempt: 1,
      charged: 0,
      failure: { code: 'agent_error', fault: 'agent', message: 'The question’s answer schema is not valid.' },
    });
  });

  it('holds the platform, not the agent, at fault when the platform’s storage fails', async () => {
    await t.h.close();
    const failing: BlobStorage = {
      put: async () => {
        throw new Error('disk on fire');
      },
      get: async () => null,
      delete: async () => {},
    };
    t.h = await startHarness(t.db.handle, t.db.url, { storage: failing });
    try {
      const b = await buyer(100);
      const run = await ended((await submit(b, 'echo')).id);
      expect(run).toMatchObject({
        status: 'failed',
        charged: 0,
        refunded: 10,
        failure: {
          code: 'platform_transient',
          fault: 'platform',
          message: 'The platform failed while storing an artifact.',
        },
      });
    } finally {
      await t.h.close();
      t.h = await startHarness(t.db.handle, t.db.url);
    }
  });
});
