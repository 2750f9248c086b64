import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../runs/runs-suite.ts';
import { testEngines } from '../testing/index.ts';
import type { AttemptOutcome, ClaimedDelivery } from './deliveries.ts';
import { WebhookDispatcher } from './dispatcher.ts';
import type { Webhooks } from './webhooks.ts';
import { answered, webhooksSuite } from './webhooks-fixture.ts';

/** Claims (SKIP LOCKED, lapsed claims, per-endpoint fairness) and dispatchers sharing the work. */
describe.each(testEngines())('webhook claims and dispatch on %s', (engine) => {
  const { t, webhooks, endpoint, endpointAt, deliveriesOf } = webhooksSuite(engine);
  let w: Webhooks;
  beforeAll(() => {
    w = webhooks();
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
});
