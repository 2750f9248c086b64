import { randomBytes } from 'node:crypto';
import { type Actor, type BlobStorage, type Run, type RunEvent, sweepRuns } from '@jeton/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testEngines } from '../testing/index.ts';
import {
  closeGate,
  creator,
  eventually,
  gate,
  type Harness,
  perEvent,
  publishAgent,
  startHarness,
} from './runs-suite.ts';

describe.each(testEngines())('run engine on %s', (engine) => {
  let db: TestDatabase;
  let h: Harness;

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    h = await startHarness(db.handle, db.url);
    for (const slug of ['echo', 'noop', 'boom', 'ask', 'gate']) await publishAgent(h.catalog, slug);
    await publishAgent(h.catalog, 'hang', { limits: { timeoutSeconds: 1 } as never });
    await publishAgent(h.catalog, 'deaf', { limits: { timeoutSeconds: 1 } as never });
    await publishAgent(h.catalog, 'events', perEvent);
    await publishAgent(h.catalog, 'flaky', { limits: { retrySafe: true } as never });
    await publishAgent(h.catalog, 'flaky-unsafe', {}, 'flaky');
    await publishAgent(
      h.catalog,
      'hang-long',
      { limits: { timeoutSeconds: 600, retrySafe: true } as never },
      'hang',
    );
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await db?.drop();
  });

  /** A new buyer with `credits` paid credits. */
  async function buyer(credits = 100): Promise<Actor> {
    const id = `usr_${randomBytes(6).toString('hex')}`;
    await h.ledger.openAccounts(id);
    if (credits > 0) await h.ledger.topUp({ id: `top_${id}`, userId: id, amount: BigInt(credits) });
    return { id, role: 'user' };
  }

  async function submit(
    who: Actor,
    agent: string,
    input: unknown = { text: 'hi' },
    extra = {},
  ): Promise<Run> {
    const r = await h.platform.engine.submit({ buyer: who, agent, input, ...extra });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.value.run;
  }

  const ended = (id: string) =>
    eventually(async () => {
      const r = await h.platform.store.get(id);
      return r?.endedAt ? r : null;
    });

  async function balance(who: Actor) {
    const b = await h.ledger.balance(who.id);
    return { available: b!.available, held: b!.held };
  }

  const allEvents = async (id: string): Promise<RunEvent[]> => h.platform.store.events(id, 0, 1000);

  it('runs an agent to success: charges the price once, keeps its artifact and logs every step', async () => {
    const b = await buyer(100);
    const run = await submit(b, 'echo', { text: 'hello world' });
    expect(run.status).toBe('queued');
    expect(run.maxCredits).toBe(10);
    expect(await balance(b)).toEqual({ available: 90n, held: 10n });

    const done = await ended(run.id);
    expect(done).toMatchObject({ status: 'succeeded', charged: 10, refunded: 0, failure: null, attempt: 1 });
    expect(await balance(b)).toEqual({ available: 90n, held: 0n });
    expect((await h.ledger.balance(creator.id))?.earnings.cash.posted).toBeGreaterThanOrEqual(8n);
    expect(await h.ledger.getHold(run.holdId)).toMatchObject({ status: 'captured', capturedAmount: 10n });

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

    const [artifact] = await h.platform.store.artifacts(run.id);
    expect(artifact).toMatchObject({ name: 'echo.txt', mediaType: 'text/plain', size: 11, ownerId: b.id });
    const stream = await h.platform.storage.get(artifact!.storageKey);
    expect(await new Response(stream).text()).toBe('hello world');
    const { createHash } = await import('node:crypto');
    expect(artifact!.sha256).toBe(createHash('sha256').update('hello world').digest('hex'));
  });

  it('refuses an input that does not match the schema, naming every problem, before any hold', async () => {
    const b = await buyer(100);
    const r = await h.platform.engine.submit({ buyer: b, agent: 'echo', input: { text: 5, extra: true } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.type).toBe('input_invalid');
    const paths = (r.error as { issues: { path: string }[] }).issues.map((i) => i.path).sort();
    expect(paths).toEqual(['$.extra', '$.text']);
    expect(await balance(b)).toEqual({ available: 100n, held: 0n });
    expect((await h.platform.store.list(b.id, { cursor: null, limit: 10 }))?.items).toEqual([]);
  });

  it('refuses a quote above the buyer’s cap or their credits, and holds nothing', async () => {
    const b = await buyer(30);
    const capped = await h.platform.engine.submit({
      buyer: b,
      agent: 'events',
      input: { text: '1' },
      maxCredits: 40,
    });
    expect(capped).toMatchObject({ ok: false, error: { type: 'quote_exceeds_cap', quote: 45, cap: 40 } });
    const poor = await h.platform.engine.submit({ buyer: b, agent: 'events', input: { text: '1' } });
    expect(poor).toMatchObject({
      ok: false,
      error: { type: 'insufficient_credits', quote: 45, available: 30n },
    });
    const nobody = await h.platform.engine.submit({
      buyer: { id: 'usr_nowallet', role: 'user' },
      agent: 'echo',
      input: { text: 'x' },
    });
    expect(nobody).toMatchObject({ ok: false, error: { type: 'wallet_not_found' } });
    const missing = await h.platform.engine.submit({ buyer: b, agent: 'no-such-agent', input: {} });
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
        h.platform.engine.submit({ buyer: b, agent: 'echo', input: { text: 'same' }, idempotencyKey: key }),
      ),
    );
    const ids = new Set(results.map((r) => (r.ok ? r.value.run.id : 'refused')));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.ok && !r.value.replayed)).toHaveLength(1);
    const later = await h.platform.engine.submit({
      buyer: b,
      agent: 'echo',
      input: { text: 'same' },
      idempotencyKey: key,
    });
    expect(later).toMatchObject({ ok: true, value: { replayed: true, run: { id: [...ids][0] } } });
    const other = await h.platform.engine.submit({
      buyer: b,
      agent: 'echo',
      input: { text: 'other' },
      idempotencyKey: key,
    });
    expect(other).toMatchObject({ ok: false, error: { type: 'idempotency_conflict', runId: [...ids][0] } });
    // Another buyer's key is another key.
    const c = await buyer(100);
    const theirs = await h.platform.engine.submit({
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
    expect(await h.ledger.getHold(run.holdId)).toMatchObject({ status: 'released' });
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
    await eventually(async () => (await h.platform.store.get(run.id))?.status === 'running');
    await eventually(async () => h.platform.worker!.active === 1 || null);
    const cancelled = await h.platform.engine.cancel(b, run.id);
    expect(cancelled).toMatchObject({
      ok: true,
      value: { alreadyEnded: false, run: { status: 'cancelled', charged: 0, refunded: 10 } },
    });
    // The worker hears it and lets go of the attempt.
    await eventually(async () => h.platform.worker!.active === 0 || null, 3000);
    expect(await h.platform.engine.cancel(b, run.id)).toMatchObject({
      ok: true,
      value: { alreadyEnded: true },
    });
    const stranger = await buyer(0);
    expect(await h.platform.engine.cancel(stranger, run.id)).toMatchObject({
      ok: false,
      error: { type: 'run_not_found' },
    });
    const final = await h.platform.store.get(run.id);
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
      async () => ((await h.platform.store.get(partial.id))?.usage.events.preview ?? 0) === 2 || null,
    );
    await h.platform.engine.cancel(b, partial.id);
    expect(await h.platform.store.get(partial.id)).toMatchObject({
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
    await publishAgent(h.catalog, 'events-flaky', {
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
    await publishAgent(h.catalog, 'odd');
    const b = await buyer(100);
    const run = await ended((await submit(b, 'odd')).id);
    expect(run.status).toBe('succeeded');
    const log = (await allEvents(run.id)).find((e) => e.data.type === 'log');
    expect(log?.data).toMatchObject({ message: 'nul \ufffd and \ufffd here' });
  });

  it('holds the platform, not the agent, at fault when the platform’s storage fails', async () => {
    await h.close();
    const failing: BlobStorage = {
      put: async () => {
        throw new Error('disk on fire');
      },
      get: async () => null,
      delete: async () => {},
    };
    h = await startHarness(db.handle, db.url, { storage: failing });
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
      await h.close();
      h = await startHarness(db.handle, db.url);
    }
  });

  it('asks the buyer, waits in awaiting_input, validates the answer and goes on', async () => {
    const b = await buyer(100);
    const run = await submit(b, 'ask');
    const waiting = await eventually(async () => {
      const r = await h.platform.store.get(run.id);
      return r?.status === 'awaiting_input' ? r : null;
    });
    expect(waiting.question).toMatchObject({ text: 'Which colour?' });
    const qid = waiting.question!.id;
    expect(await h.platform.engine.answer(b, run.id, qid, { colour: 'green' })).toMatchObject({
      ok: false,
      error: { type: 'answer_invalid', issues: [{ path: '$.colour' }] },
    });
    expect(await h.platform.engine.answer(b, run.id, 'q-other', { colour: 'red' })).toMatchObject({
      ok: false,
      error: { type: 'wrong_question' },
    });
    const stranger = await buyer(0);
    expect(await h.platform.engine.answer(stranger, run.id, qid, { colour: 'red' })).toMatchObject({
      ok: false,
      error: { type: 'run_not_found' },
    });
    expect(await h.platform.engine.answer(b, run.id, qid, { colour: 'blue' })).toMatchObject({
      ok: true,
      value: { status: 'running' },
    });
    const done = await ended(run.id);
    expect(done.status).toBe('succeeded');
    const [a] = await h.platform.store.artifacts(run.id);
    expect(await new Response(await h.platform.storage.get(a!.storageKey)).text()).toBe('blue');
    const types = (await allEvents(run.id)).map((e) => e.data.type);
    expect(types).toEqual(['status', 'status', 'question', 'answer', 'artifact', 'status']);
  });

  it('fails and refunds a run whose question is not answered in time', async () => {
    const b = await buyer(100);
    const run = await submit(b, 'ask');
    await eventually(async () => (await h.platform.store.get(run.id))?.status === 'awaiting_input' || null);
    // The question's deadline passes (moved, rather than waited for).
    await h.platform.store.sweepCandidates(new Date(), 1, 1); // warm
    await db.handle.db.execute(
      (await import('drizzle-orm'))
        .sql`update runs set question_deadline = now() - interval '1 second' where id = ${run.id}`,
    );
    const done = await ended(run.id);
    expect(done).toMatchObject({
      status: 'failed',
      charged: 0,
      refunded: 10,
      failure: { code: 'question_unanswered', fault: 'input' },
    });
    await eventually(async () => h.platform.worker!.active === 0 || null, 3000);
  });

  it('keeps a buyer within their concurrency limit: extra runs wait, none is refused', async () => {
    await h.close();
    h = await startHarness(db.handle, db.url, { limits: { perBuyer: 2, perAgent: 500 } });
    closeGate();
    const b = await buyer(100);
    const runs = await Promise.all(Array.from({ length: 5 }, () => submit(b, 'gate')));
    await eventually(async () => gate.running === 2 || null);
    await new Promise((r) => setTimeout(r, 300));
    expect(gate.running).toBe(2);
    const blocked = (await Promise.all(runs.map((r) => h.platform.store.get(r.id)))).filter(
      (r) => r?.blockedOn === 'buyer',
    );
    expect(blocked.length).toBe(3);
    gate.open();
    for (const r of runs) expect((await ended(r.id)).status).toBe('succeeded');
    expect(gate.peak).toBe(2);
  });

  it('keeps an agent within its concurrency limit across buyers, and the limit never refuses a run', async () => {
    await h.close();
    h = await startHarness(db.handle, db.url, { limits: { perBuyer: 50, perAgent: 1 } });
    closeGate();
    const buyers = await Promise.all([buyer(100), buyer(100), buyer(100)]);
    const runs = await Promise.all(buyers.map((b) => submit(b, 'gate')));
    await eventually(async () => gate.running === 1 || null);
    const blocked = await eventually(async () => {
      const all = await Promise.all(runs.map((r) => h.platform.store.get(r.id)));
      const waiting = all.filter((r) => r?.status === 'queued' && r.blockedOn === 'agent');
      return waiting.length === 2 ? waiting : null;
    });
    expect(blocked).toHaveLength(2);
    gate.open();
    for (const r of runs) expect((await ended(r.id)).status).toBe('succeeded');
    expect(gate.peak).toBe(1);
  });

  it('the sweep retries a lost attempt of a retry-safe agent and fails (refunding) any other', async () => {
    // Runs accepted by an API-only process and started by a worker that then vanished: nothing
    // heartbeats their attempts.
    await h.close();
    const api = await startHarness(db.handle, db.url, { worker: false });
    try {
      const b = await buyer(100);
      const safe = await submit(b, 'hang-long');
      const unsafe = await submit(b, 'boom');
      const started = await api.platform.store.start(
        [safe.id, unsafe.id].map((runId) => ({ runId, workerId: 'wrk_ghost' })),
        { perBuyer: 50, perAgent: 500 },
        new Date(),
      );
      expect(started.map((s) => s.type)).toEqual(['started', 'started']);
      const report = await sweepRuns(api.platform.store, null, api.platform.engine.ledgerContext(), {
        leaseMs: 0,
        limit: 100,
        limits: { perBuyer: 50, perAgent: 500 },
        retry: { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
      });
      expect(report.lost).toBe(2);
      expect(await api.platform.store.get(unsafe.id)).toMatchObject({
        status: 'failed',
        charged: 0,
        refunded: 10,
        failure: { code: 'worker_lost', fault: 'platform' },
      });
      expect(await api.platform.store.get(safe.id)).toMatchObject({
        status: 'queued',
        attempt: 1,
        endedAt: null,
      });
      // A worker comes back and takes the retry as attempt 2.
      h = await startHarness(db.handle, db.url);
      const again = await eventually(async () => {
        const r = await h.platform.store.get(safe.id);
        return r && r.attempt === 2 && r.status === 'running' ? r : null;
      });
      expect(again.attempt).toBe(2);
      await h.platform.engine.cancel(b, safe.id);
      expect(await balance(b)).toEqual({ available: 100n, held: 0n });
    } finally {
      await api.close();
    }
  });

  it('changes a run only by the transition table: a stale or repeated end changes nothing', async () => {
    const b = await buyer(100);
    const run = await ended((await submit(b, 'noop')).id);
    const again = await h.platform.engine.finish([
      {
        runId: run.id,
        attempt: run.attempt,
        decision: {
          type: 'end',
          status: 'failed',
          failure: { code: 'agent_error', fault: 'agent', message: 'late' },
        },
      },
      { runId: run.id, attempt: 7, decision: { type: 'succeeded' } },
    ]);
    expect(again.map((o) => o.type)).toEqual(['stale', 'stale']);
    expect(await h.platform.store.get(run.id)).toMatchObject({ status: 'succeeded', charged: 10 });
  });

  it('leaves the ledger consistent after all of the above', async () => {
    await eventually(async () => {
      const open = await db.handle.db.execute(
        (await import('drizzle-orm')).sql`select count(*)::int as n from runs where ended_at is null`,
      );
      return Number((open as unknown as { rows: { n: number }[] }).rows[0]!.n) === 0 || null;
    });
    const report = await h.ledger.verify();
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    const mismatched = await db.handle.db.execute(
      (await import('drizzle-orm')).sql`select r.id from runs r join ledger_holds h on h.id = r.hold_id
        where h.status = 'pending' or coalesce(h.captured_amount, 0) <> r.charged`,
    );
    expect((mismatched as unknown as { rows: unknown[] }).rows).toEqual([]);
  });
});
