import type { Actor } from '@jeton/core';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runTransaction } from '../ledger/sql-runner.ts';
import { runSuite } from '../runs/runs-fixture.ts';
import { eventually } from '../runs/runs-suite.ts';
import { testEngines } from '../testing/index.ts';
import type { AttemptOutcome, ClaimedDelivery } from './deliveries.ts';
import { nextStep, WebhookDispatcher } from './dispatcher.ts';
import { emitStatement, Webhooks } from './webhooks.ts';

const answered = (statusCode: number, response = ''): AttemptOutcome => ({
  statusCode,
  response,
  error: null,
  durationMs: 1,
});

/** The outbox (trigger and emit), claims, the retry schedule and the attempt log, on both engines. */
describe.each(testEngines())('webhooks on %s', (engine) => {
  const t = runSuite(engine);
  let w: Webhooks;

  beforeAll(() => {
    w = new Webhooks(t.db.handle.db);
  });
  // Every test starts with an empty outbox: a dispatcher claims whatever is due, anyone's.
  afterEach(async () => {
    await t.db.handle.db.execute(sql`delete from webhook_endpoints`);
  });

  const endpoint = async (who: Actor, eventTypes: string[]) => {
    const r = await w.endpoints.create(who.id, { url: 'https://example.com/hook', eventTypes });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.value;
  };
  const deliveriesOf = async (who: Actor, endpointId: string) =>
    (await w.deliveries.list(who.id, endpointId, { cursor: null, limit: 100 }))!.items;

  it('writes a run event’s deliveries only for the buyer’s enabled endpoints subscribed to it', async () => {
    const b = await t.buyer(100);
    const other = await t.buyer(100);
    const subscribed = await endpoint(b, ['run.succeeded', 'run.failed']);
    const elsewhere = await endpoint(b, ['run.failed']);
    const disabled = await endpoint(b, ['run.succeeded']);
    await w.endpoints.update(b.id, disabled.id, { enabled: false });
    const stranger = await endpoint(other, ['run.succeeded']);

    const run = await t.ended((await t.submit(b, 'echo', { text: 'hello' })).id);
    const [d, ...more] = await deliveriesOf(b, subscribed.id);
    expect(more).toEqual([]);
    expect(d).toMatchObject({ eventType: 'run.succeeded', status: 'pending', attempts: 0 });
    expect(d!.id).toMatch(/^msg_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(d!.payload).toEqual({
      type: 'run.succeeded',
      timestamp: run.endedAt!.toISOString(),
      data: {
        run: {
          id: run.id,
          object: 'run',
          agent: { id: run.agentId, slug: 'echo', version: run.version },
          status: 'succeeded',
          quote: 10,
          charged: 10,
          refunded: 0,
          failure: null,
          question: null,
          createdAt: run.createdAt.toISOString(),
          endedAt: run.endedAt!.toISOString(),
        },
      },
    });
    expect(await deliveriesOf(b, elsewhere.id)).toEqual([]);
    expect(await deliveriesOf(b, disabled.id)).toEqual([]);
    expect(await deliveriesOf(other, stranger.id)).toEqual([]);

    const failed = await t.ended((await t.submit(b, 'boom')).id);
    const [f] = await deliveriesOf(b, elsewhere.id);
    expect(f!.payload).toMatchObject({
      type: 'run.failed',
      data: {
        run: { id: failed.id, status: 'failed', charged: 0, refunded: 10, failure: { fault: 'agent' } },
      },
    });
    expect(await deliveriesOf(b, subscribed.id)).toHaveLength(2);
  });

  it('reports a question as run.awaiting_input and a cancellation as run.cancelled', async () => {
    const b = await t.buyer(100);
    const e = await endpoint(b, ['run.awaiting_input', 'run.cancelled']);
    const run = await t.submit(b, 'ask');
    const [asked] = await eventually(async () => {
      const list = await deliveriesOf(b, e.id);
      return list.length > 0 ? list : null;
    });
    const waiting = await t.h.platform.store.get(run.id);
    expect(asked!.payload).toMatchObject({
      type: 'run.awaiting_input',
      data: {
        run: {
          id: run.id,
          status: 'awaiting_input',
          charged: null,
          question: { id: waiting!.question!.id, text: 'Which colour?' },
        },
      },
    });
    await t.h.platform.engine.cancel(b, run.id);
    const [cancelled] = await eventually(async () => {
      const list = await deliveriesOf(b, e.id);
      return list.length === 2 ? list : null;
    });
    expect(cancelled!.payload).toMatchObject({
      type: 'run.cancelled',
      data: { run: { status: 'cancelled', failure: { code: 'cancelled_by_buyer' } } },
    });
  });

  it('emits other events to subscribed endpoints, and inside a flow’s transaction or not at all', async () => {
    const b = await t.buyer(0);
    const payouts = await endpoint(b, ['payout.paid']);
    const runs = await endpoint(b, ['run.succeeded']);
    await w.emit(b.id, 'payout.paid', { payout: { id: 'pay_1', credits: 1500 } });
    const [d] = await deliveriesOf(b, payouts.id);
    expect(d!.payload).toMatchObject({
      type: 'payout.paid',
      data: { payout: { id: 'pay_1', credits: 1500 } },
    });
    expect(await deliveriesOf(b, runs.id)).toEqual([]);
    await expect(w.emit(b.id, 'payout.made-up', {})).rejects.toThrow(/not a webhook event type/);

    await expect(
      runTransaction(t.db.handle, async (run) => {
        await run([emitStatement(b.id, 'payout.paid', { payout: { id: 'pay_2' } })]);
        throw new Error('the flow rolls back');
      }),
    ).rejects.toThrow('the flow rolls back');
    await runTransaction(t.db.handle, (run) =>
      run([emitStatement(b.id, 'payout.paid', { payout: { id: 'pay_3' } })], { last: true }),
    );
    const ids = (await deliveriesOf(b, payouts.id)).map(
      (x) => (x.payload.data as { payout: { id: string } }).payout.id,
    );
    expect(ids).toEqual(['pay_3', 'pay_1']);
  });

  it('gives each due delivery to one claim only (SKIP LOCKED), and again once the claim lapses', async () => {
    const b = await t.buyer(0);
    await endpoint(b, ['payout.paid']);
    for (let i = 0; i < 40; i++) await w.emit(b.id, 'payout.paid', { n: i });
    const now = new Date(Date.now() + 1000);
    const claims = await Promise.all(Array.from({ length: 4 }, () => w.deliveries.claim(15, 60_000, now)));
    const ids = claims.flat().map((c) => c.id);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    expect(await w.deliveries.claim(100, 60_000, now)).toEqual([]);

    // A claim that lapses (its dispatcher died) is claimed again, as the next attempt; the late
    // answer of the first one is logged but moves nothing.
    const later = new Date(now.getTime() + 60_000);
    const again = await w.deliveries.claim(100, 60_000, later);
    expect(again).toHaveLength(40);
    expect(again.every((c) => c.attempt === 2)).toBe(true);
    const first = claims.flat()[0]!;
    expect(
      await w.deliveries.record(first, answered(200), { status: 'succeeded', nextAttemptAt: null }, later),
    ).toBe(false);
    const second = again.find((c) => c.id === first.id)!;
    expect(
      await w.deliveries.record(second, answered(200), { status: 'succeeded', nextAttemptAt: null }, later),
    ).toBe(true);
  });

  it('delivers each delivery once with two dispatchers running at once', async () => {
    const b = await t.buyer(0);
    const e = await endpoint(b, ['payout.paid']);
    const sent = new Map<string, number>();
    const send = async (d: ClaimedDelivery) => {
      sent.set(d.id, (sent.get(d.id) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 2));
      return answered(204);
    };
    const dispatchers = [1, 2].map(
      () => new WebhookDispatcher({ handle: t.db.handle, send, batchSize: 3, pollMs: 50 }),
    );
    await Promise.all(dispatchers.map((d) => d.start()));
    try {
      for (let i = 0; i < 30; i++) await w.emit(b.id, 'payout.paid', { n: i });
      const done = await eventually(async () => {
        const list = await deliveriesOf(b, e.id);
        return list.length === 30 && list.every((d) => d.status === 'succeeded') ? list : null;
      });
      expect(sent.size).toBe(30);
      expect([...sent.values()].every((n) => n === 1)).toBe(true);
      expect(done.every((d) => d.attempts === 1 && d.log.length === 1 && d.deliveredAt !== null)).toBe(true);
    } finally {
      await Promise.all(dispatchers.map((d) => d.close()));
    }
  });

  it('retries on the schedule, fails after the last attempt, logs every answer, and resends once', async () => {
    const b = await t.buyer(0);
    const e = await endpoint(b, ['payout.paid']);
    await w.emit(b.id, 'payout.paid', {});
    let clock = new Date(Date.now() + 1000);
    let answer = answered(500, 'down for maintenance');
    const dispatcher = new WebhookDispatcher({
      handle: t.db.handle,
      send: async () => answer,
      retryDelaysMs: [5_000, 60_000],
      jitter: 0,
      now: () => clock,
    });
    const at = (ms: number) => new Date(clock.getTime() + ms);
    const current = async () => (await deliveriesOf(b, e.id))[0]!;

    expect(await dispatcher.runOnce()).toBe(1);
    expect(await current()).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: at(5_000) });
    expect(await dispatcher.runOnce()).toBe(0);
    clock = at(5_000);
    expect(await dispatcher.runOnce()).toBe(1);
    expect(await current()).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: at(60_000) });
    clock = at(60_000);
    answer = { statusCode: null, response: null, error: 'connection refused', durationMs: 3 };
    expect(await dispatcher.runOnce()).toBe(1);
    const failed = await current();
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 3,
      nextAttemptAt: null,
      lastStatusCode: null,
      lastError: 'connection refused',
      deliveredAt: null,
    });
    expect(failed.log.map((a) => [a.number, a.statusCode, a.response, a.error])).toEqual([
      [1, 500, 'down for maintenance', null],
      [2, 500, 'down for maintenance', null],
      [3, null, null, 'connection refused'],
    ]);
    clock = at(3600_000);
    expect(await dispatcher.runOnce()).toBe(0);

    // A resend is one more attempt, now; a failing one ends the delivery again rather than retrying.
    expect(await w.deliveries.resend(b.id, e.id, failed.id, clock)).toMatchObject({
      ok: true,
      value: { status: 'pending' },
    });
    expect(await dispatcher.runOnce()).toBe(1);
    expect(await current()).toMatchObject({ status: 'failed', attempts: 4 });
    await w.deliveries.resend(b.id, e.id, failed.id, clock);
    answer = answered(200, 'ok');
    expect(await dispatcher.runOnce()).toBe(1);
    expect(await current()).toMatchObject({ status: 'succeeded', attempts: 5, lastStatusCode: 200 });
    expect(await w.deliveries.resend('usr_nobody', e.id, failed.id, clock)).toEqual({
      ok: false,
      error: { type: 'not_found' },
    });
  });

  it('refuses to resend a delivery that is still pending, and fails pending ones when the endpoint is disabled', async () => {
    const b = await t.buyer(0);
    const e = await endpoint(b, ['payout.paid']);
    await w.emit(b.id, 'payout.paid', {});
    const [d] = await deliveriesOf(b, e.id);
    const r = await w.deliveries.resend(b.id, e.id, d!.id);
    expect(r).toMatchObject({ ok: false, error: { type: 'pending' } });
    await w.endpoints.update(b.id, e.id, { enabled: false });
    expect((await deliveriesOf(b, e.id))[0]).toMatchObject({
      status: 'failed',
      lastError: 'endpoint disabled',
    });
    expect(await w.deliveries.claim(10, 60_000, new Date(Date.now() + 1000))).toEqual([]);
    expect(await w.endpoints.remove(b.id, e.id)).toBe(true);
    const [{ n }] = (
      (await t.db.handle.db.execute(sql`select count(*)::int as n from webhook_deliveries`)) as unknown as {
        rows: { n: number }[];
      }
    ).rows as [{ n: number }];
    expect(n).toBe(0);
  });
});

describe('the retry schedule', () => {
  const claim = { attempt: 1, maxAttempts: null };
  const delays = [1000, 60_000];
  const now = new Date(0);

  it('succeeds on any 2xx, and on nothing else', () => {
    for (const code of [200, 201, 204, 299]) {
      expect(nextStep(claim, answered(code), now, delays, 0, Math.random).status).toBe('succeeded');
    }
    for (const code of [199, 301, 400, 410, 500]) {
      expect(nextStep(claim, answered(code), now, delays, 0, Math.random).status).toBe('pending');
    }
  });

  it('spreads each pause within its jitter, and fails after the last one', () => {
    const at = (attempt: number, r: number) =>
      nextStep(
        { attempt, maxAttempts: null },
        answered(500),
        now,
        delays,
        0.1,
        () => r,
      ).nextAttemptAt?.getTime();
    expect([at(1, 0), at(1, 0.5), at(1, 1)]).toEqual([900, 1000, 1100]);
    expect(at(2, 0.5)).toBe(60_000);
    expect(nextStep({ attempt: 3, maxAttempts: null }, answered(500), now, delays, 0.1, Math.random)).toEqual(
      {
        status: 'failed',
        nextAttemptAt: null,
      },
    );
    expect(nextStep({ attempt: 5, maxAttempts: 5 }, answered(500), now, delays, 0, Math.random).status).toBe(
      'failed',
    );
  });
});
