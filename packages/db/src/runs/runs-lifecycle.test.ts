import { sweepRuns } from '@jeton/core';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { testEngines } from '../testing/index.ts';
import { runSuite } from './runs-fixture.ts';
import { closeGate, eventually, gate, startHarness } from './runs-suite.ts';

/** Questions, concurrency limits, the sweep and the transition table, on both engines. */
describe.each(testEngines())('run engine on %s: waiting, limits and the sweep', (engine) => {
  const t = runSuite(engine);
  const { buyer, submit, ended, balance, allEvents } = t;

  it('asks the buyer, waits in awaiting_input, validates the answer and goes on', async () => {
    const b = await buyer(100);
    const run = await submit(b, 'ask');
    const waiting = await eventually(async () => {
      const r = await t.h.platform.store.get(run.id);
      return r?.status === 'awaiting_input' ? r : null;
    });
    expect(waiting.question).toMatchObject({ text: 'Which colour?' });
    const qid = waiting.question!.id;
    expect(await t.h.platform.engine.answer(b, run.id, qid, { colour: 'green' })).toMatchObject({
      ok: false,
      error: { type: 'answer_invalid', issues: [{ path: '$.colour' }] },
    });
    expect(await t.h.platform.engine.answer(b, run.id, 'q-other', { colour: 'red' })).toMatchObject({
      ok: false,
      error: { type: 'wrong_question' },
    });
    const stranger = await buyer(0);
    expect(await t.h.platform.engine.answer(stranger, run.id, qid, { colour: 'red' })).toMatchObject({
      ok: false,
      error: { type: 'run_not_found' },
    });
    expect(await t.h.platform.engine.answer(b, run.id, qid, { colour: 'blue' })).toMatchObject({
      ok: true,
      value: { status: 'running' },
    });
    const done = await ended(run.id);
    expect(done.status).toBe('succeeded');
    const [a] = await t.h.platform.store.artifacts(run.id);
    expect(await new Response(await t.h.platform.storage.get(a!.storageKey)).text()).toBe('blue');
    const types = (await allEvents(run.id)).map((e) => e.data.type);
    expect(types).toEqual(['status', 'status', 'question', 'answer', 'artifact', 'status']);
  });

  it('fails and refunds a run whose question is not answered in time', async () => {
    const b = await buyer(100);
    const run = await submit(b, 'ask');
    await eventually(async () => (await t.h.platform.store.get(run.id))?.status === 'awaiting_input' || null);
    // The question's deadline passes (moved, rather than waited for).
    await t.db.handle.db.execute(
      sql`update runs set question_deadline = now() - interval '1 second' where id = ${run.id}`,
    );
    const done = await ended(run.id);
    expect(done).toMatchObject({
      status: 'failed',
      charged: 0,
      refunded: 10,
      failure: { code: 'question_unanswered', fault: 'input' },
    });
    await eventually(async () => t.h.platform.worker!.active === 0 || null, 3000);
  });

  it('keeps a buyer within their concurrency limit: extra runs wait, none is refused', async () => {
    await t.h.close();
    t.h = await startHarness(t.db.handle, t.db.url, { limits: { perBuyer: 2, perAgent: 500 } });
    closeGate();
    const b = await buyer(100);
    const runs = await Promise.all(Array.from({ length: 5 }, () => submit(b, 'gate')));
    await eventually(async () => gate.running === 2 || null);
    await new Promise((r) => setTimeout(r, 300));
    expect(gate.running).toBe(2);
    const blocked = (await Promise.all(runs.map((r) => t.h.platform.store.get(r.id)))).filter(
      (r) => r?.blockedOn === 'buyer',
    );
    expect(blocked.length).toBe(3);
    gate.open();
    for (const r of runs) expect((await ended(r.id)).status).toBe('succeeded');
    expect(gate.peak).toBe(2);
  });

  it('keeps an agent within its concurrency limit across buyers, and the limit never refuses a run', async () => {
    await t.h.close();
    t.h = await startHarness(t.db.handle, t.db.url, { limits: { perBuyer: 50, perAgent: 1 } });
    closeGate();
    const buyers = await Promise.all([buyer(100), buyer(100), buyer(100)]);
    const runs = await Promise.all(buyers.map((b) => submit(b, 'gate')));
    await eventually(async () => gate.running === 1 || null);
    const blocked = await eventually(async () => {
      const all = await Promise.all(runs.map((r) => t.h.platform.store.get(r.id)));
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
    await t.h.close();
    const api = await startHarness(t.db.handle, t.db.url, { worker: false });
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
      t.h = await startHarness(t.db.handle, t.db.url);
      const again = await eventually(async () => {
        const r = await t.h.platform.store.get(safe.id);
        return r && r.attempt === 2 && r.status === 'running' ? r : null;
      });
      expect(again.attempt).toBe(2);
      await t.h.platform.engine.cancel(b, safe.id);
      expect(await balance(b)).toEqual({ available: 100n, held: 0n });
    } finally {
      await api.close();
    }
  });

  it('changes a run only by the transition table: a stale or repeated end changes nothing', async () => {
    const b = await buyer(100);
    const run = await ended((await submit(b, 'noop')).id);
    const again = await t.h.platform.engine.finish([
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
    expect(await t.h.platform.store.get(run.id)).toMatchObject({ status: 'succeeded', charged: 10 });
  });

  it('leaves the ledger consistent after all of the above', async () => {
    await eventually(async () => {
      const open = await t.db.handle.db.execute(
        sql`select count(*)::int as n from runs where ended_at is null`,
      );
      return Number((open as unknown as { rows: { n: number }[] }).rows[0]!.n) === 0 || null;
    });
    const report = await t.h.ledger.verify();
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    const mismatched = await t.db.handle.db.execute(
      sql`select r.id from runs r join ledger_holds h on h.id = r.hold_id
        where h.status = 'pending' or coalesce(h.captured_amount, 0) <> r.charged`,
    );
    expect((mismatched as unknown as { rows: unknown[] }).rows).toEqual([]);
  });
});
