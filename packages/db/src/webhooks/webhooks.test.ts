import type { Actor } from '@jeton/core';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runTransaction } from '../ledger/sql-runner.ts';
import { runSuite } from '../runs/runs-fixture.ts';
import { eventually } from '../runs/runs-suite.ts';
import { testEngines } from '../testing/index.ts';
import type { AttemptOutcome, ClaimedDelivery } from './deliveries.ts';
import { nextStep, WebhookDispatcher } from './dispatcher.ts';
import { MAX_ENDPOINTS_PER_USER } from './endpoints.ts';
import { type DroppedDelivery, emitStatement, Webhooks } from './webhooks.ts';

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
  /** An endpoint that its URL tells apart (a dispatcher's `send` sees the URL). */
  const endpointAt = async (who: Actor, url: string) => {
    const r = await w.endpoints.create(who.id, { url, eventTypes: ['payout.paid'] });
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
      () => new WebhookDispatcher({ handle: t.db.handle, send, concurrency: 3, pollMs: 50 }),
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

  it('keeps delivering to other endpoints while one never answers (a pool, a few slots per endpoint)', async () => {
    const a = await t.buyer(0);
    const b = await t.buyer(0);
    const hanging = await endpointAt(a, 'https://hangs.example.com/hook');
    const healthy = await endpointAt(b, 'https://answers.example.com/hook');
    // A's backlog is older than B's delivery: a claim by age alone would take A's first.
    for (let i = 0; i < 40; i++) await w.emit(a.id, 'payout.paid', { n: i });
    let release = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    let hangingNow = 0;
    let peak = 0;
    const order: string[] = [];
    const send = async (d: ClaimedDelivery): Promise<AttemptOutcome> => {
      order.push(d.url === hanging.url ? 'A' : 'B');
      if (d.url !== hanging.url) return answered(204);
      hangingNow++;
      peak = Math.max(peak, hangingNow);
      await released;
      hangingNow--;
      return { statusCode: null, response: null, error: 'timed out', durationMs: 10_000 };
    };
    const dispatcher = new WebhookDispatcher({
      handle: t.db.handle,
      send,
      concurrency: 8,
      perEndpoint: 2,
      pollMs: 50,
    });
    await dispatcher.start();
    try {
      await eventually(async () => hangingNow > 0);
      await w.emit(b.id, 'payout.paid', { n: 'b' });
      const [delivered] = await eventually(async () => {
        const list = await deliveriesOf(b, healthy.id);
        return list[0]?.status === 'succeeded' ? list : null;
      });
      expect(delivered).toMatchObject({ status: 'succeeded', attempts: 1 });
      // B went out while A's attempts were all still hanging, and A never held more than its slots.
      expect(hangingNow).toBe(2);
      expect(peak).toBe(2);
      expect(order.filter((x) => x === 'A')).toHaveLength(2);
      expect(order).toContain('B');
    } finally {
      release();
      await dispatcher.close();
    }
    expect(dispatcher.inFlight).toBe(0);
  });

  it('records an attempt that never settles as timed out, and frees its slot for the next delivery', async () => {
    const a = await t.buyer(0);
    const b = await t.buyer(0);
    const hanging = await endpointAt(a, 'https://hangs.example.com/hook');
    const healthy = await endpointAt(b, 'https://answers.example.com/hook');
    await w.emit(a.id, 'payout.paid', {});
    await w.emit(b.id, 'payout.paid', {});
    // A's is due first, so that it takes the one slot.
    await t.db.handle.db.execute(
      sql`update webhook_deliveries set next_attempt_at = now() - interval '1 minute' where endpoint_id = ${hanging.id}`,
    );
    const order: string[] = [];
    const dispatcher = new WebhookDispatcher({
      handle: t.db.handle,
      // A's receiver never answers and the sender never gives up: only the dispatcher's timeout ends it.
      send: (d) => {
        order.push(d.url === hanging.url ? 'A' : 'B');
        return d.url === hanging.url ? new Promise(() => {}) : Promise.resolve(answered(200));
      },
      concurrency: 1,
      attemptTimeoutMs: 50,
      retryDelaysMs: [3600_000],
      pollMs: 20,
    });
    await dispatcher.start();
    try {
      await eventually(async () => (await deliveriesOf(b, healthy.id))[0]?.status === 'succeeded');
    } finally {
      await dispatcher.close();
    }
    expect(order).toEqual(['A', 'B']);
    expect((await deliveriesOf(a, hanging.id))[0]).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'timed out',
    });
  });

  it('claims every endpoint’s oldest due delivery first, at most perEndpoint each, and never a disabled endpoint’s', async () => {
    const a = await t.buyer(0);
    const b = await t.buyer(0);
    const backlog = await endpoint(a, ['payout.paid']);
    const other = await endpoint(b, ['payout.paid']);
    for (let i = 0; i < 10; i++) await w.emit(a.id, 'payout.paid', { n: i });
    await w.emit(b.id, 'payout.paid', {});
    const now = new Date(Date.now() + 1000);
    const first = await w.deliveries.claim(2, 60_000, now);
    expect(first.map((c) => c.endpointId).sort()).toEqual([backlog.id, other.id].sort());
    const oldest = (await deliveriesOf(a, backlog.id)).at(-1)!;
    expect(first.find((c) => c.endpointId === backlog.id)!.id).toBe(oldest.id);
    // Three of A's attempts in flight already: with four per endpoint, one more.
    const busy = new Map([[backlog.id, 3]]);
    expect(await w.deliveries.claim(10, 60_000, now, { perEndpoint: 4, busy })).toHaveLength(1);

    // A pending delivery of a disabled endpoint (disabled behind the API's back) is never claimed.
    await t.db.handle.db.execute(
      sql`update webhook_endpoints set enabled = false, disabled_at = now() where id = ${backlog.id}`,
    );
    expect(await w.deliveries.claim(100, 60_000, now)).toEqual([]);
  });

  it('refuses to resend a delivery of a disabled endpoint until it is enabled again', async () => {
    const b = await t.buyer(0);
    const e = await endpoint(b, ['payout.paid']);
    await w.emit(b.id, 'payout.paid', {});
    const [d] = await deliveriesOf(b, e.id);
    const now = new Date(Date.now() + 1000);
    const [c] = await w.deliveries.claim(1, 60_000, now);
    await w.deliveries.record(c!, answered(500), { status: 'failed', nextAttemptAt: null }, now);
    await w.endpoints.update(b.id, e.id, { enabled: false });
    expect(await w.deliveries.resend(b.id, e.id, d!.id, now)).toEqual({
      ok: false,
      error: { type: 'endpoint_disabled' },
    });
    expect((await deliveriesOf(b, e.id))[0]).toMatchObject({ status: 'failed', nextAttemptAt: null });
    expect(await w.deliveries.claim(10, 60_000, now)).toEqual([]);
    expect(await w.sendTest(b.id, e.id)).toEqual({ ok: false, error: { type: 'endpoint_disabled' } });
    await w.endpoints.update(b.id, e.id, { enabled: true });
    expect(await w.deliveries.resend(b.id, e.id, d!.id, now)).toMatchObject({ ok: true });
  });

  it('caps the deliveries pending per endpoint: test sends are refused, events dropped, warned and counted', async () => {
    const dropped: DroppedDelivery[] = [];
    const capped = new Webhooks(t.db.handle.db, {
      maxPendingPerEndpoint: 3,
      onDropped: (d) => dropped.push(d),
    });
    const b = await t.buyer(0);
    const full = await endpoint(b, ['payout.paid']);
    for (let i = 0; i < 3; i++) expect(await capped.sendTest(b.id, full.id)).toMatchObject({ ok: true });
    expect(await capped.sendTest(b.id, full.id)).toEqual({
      ok: false,
      error: { type: 'backlog_full', maxPending: 3 },
    });
    expect(await capped.sendTest(b.id, 'whe_00000000000000000000000000')).toEqual({
      ok: false,
      error: { type: 'not_found' },
    });
    const roomy = await endpoint(b, ['payout.paid']);
    await capped.emit(b.id, 'payout.paid', { n: 1 });
    expect(await deliveriesOf(b, full.id)).toHaveLength(3);
    expect(await deliveriesOf(b, roomy.id)).toHaveLength(1);
    expect(dropped).toEqual([{ userId: b.id, endpointId: full.id, type: 'payout.paid', maxPending: 3 }]);
    expect(capped.dropped).toBe(1);
    // Inside a flow's transaction the cap holds too (silently).
    await runTransaction(t.db.handle, (run) =>
      run([emitStatement(b.id, 'payout.paid', { n: 2 }, new Date(), 3)], { last: true }),
    );
    expect(await deliveriesOf(b, full.id)).toHaveLength(3);
    expect(await deliveriesOf(b, roomy.id)).toHaveLength(2);

    // Once one ends, there is room again.
    const now = new Date(Date.now() + 1000);
    const claimed = (await w.deliveries.claim(10, 60_000, now)).find((c) => c.endpointId === full.id)!;
    await w.deliveries.record(claimed, answered(200), { status: 'succeeded', nextAttemptAt: null }, now);
    expect(await capped.sendTest(b.id, full.id)).toMatchObject({ ok: true });
  });

  it('prunes ended deliveries past retention with their attempts, and attempts beyond the last 20', async () => {
    const b = await t.buyer(0);
    const e = await endpoint(b, ['payout.paid']);
    for (let i = 0; i < 4; i++) await w.emit(b.id, 'payout.paid', { n: i });
    const [busy, recent, oldPending, old] = (await deliveriesOf(b, e.id)).map((d) => d.id) as [
      string,
      string,
      string,
      string,
    ];
    const db = t.db.handle.db;
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    await db.execute(sql`
      insert into webhook_attempts (delivery_id, number, at, status_code, duration_ms)
      select d.id, n, ${longAgo}, 500, 1 from webhook_deliveries d, generate_series(1, 25) n
       where d.id in (${busy}, ${old})`);
    await db.execute(sql`
      update webhook_deliveries set status = 'failed', next_attempt_at = null, attempts = 25,
             last_attempt_at = ${longAgo}, created_at = ${longAgo}
       where id = ${old}`);
    await db.execute(sql`
      update webhook_deliveries set status = 'failed', next_attempt_at = null, attempts = 25,
             last_attempt_at = now() where id = ${busy}`);
    await db.execute(sql`
      update webhook_deliveries set status = 'succeeded', next_attempt_at = null, created_at = ${longAgo},
             last_attempt_at = now() - interval '1 day' where id = ${recent}`);
    await db.execute(sql`update webhook_deliveries set created_at = ${longAgo} where id = ${oldPending}`);

    const swept = await w.deleteOlderThan(new Date(Date.now() - 30 * 86_400_000));
    expect(swept).toEqual({ deliveries: 1, attempts: 5 });
    const left = await deliveriesOf(b, e.id);
    expect(left.map((d) => d.id).sort()).toEqual([busy, recent, oldPending].sort());
    const kept = left.find((d) => d.id === busy)!.log.map((a) => a.number);
    expect(kept).toEqual(Array.from({ length: 20 }, (_, i) => i + 6));
    const [{ n }] = (
      (await db.execute(
        sql`select count(*)::int as n from webhook_attempts where delivery_id = ${old}`,
      )) as unknown as { rows: { n: number }[] }
    ).rows as [{ n: number }];
    expect(n).toBe(0);
    expect(await w.deleteOlderThan(new Date(Date.now() - 30 * 86_400_000))).toEqual({
      deliveries: 0,
      attempts: 0,
    });
  });

  it('holds the 20-endpoint cap when endpoints are created at once', async () => {
    const b = await t.buyer(0);
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        w.endpoints.create(b.id, { url: 'https://example.com/hook', eventTypes: ['payout.paid'] }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(MAX_ENDPOINTS_PER_USER);
    expect(results.filter((r) => !r.ok)).toHaveLength(30 - MAX_ENDPOINTS_PER_USER);
    expect((await w.endpoints.list(b.id, { cursor: null, limit: 100 }))!.items).toHaveLength(
      MAX_ENDPOINTS_PER_USER,
    );
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
