import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTransaction } from '../ledger/sql-runner.ts';
import { testEngines } from '../testing/index.ts';
import { MAX_ENDPOINTS_PER_USER } from './endpoints.ts';
import { type DroppedDelivery, emitStatement, Webhooks } from './webhooks.ts';
import { answered, webhooksSuite } from './webhooks-fixture.ts';

/** What keeps the outbox bounded: the pending cap, retention, and the cap on endpoints. */
describe.each(testEngines())('webhook retention and caps on %s', (engine) => {
  const { t, webhooks, endpoint, deliveriesOf } = webhooksSuite(engine);
  let w: Webhooks;
  beforeAll(() => {
    w = webhooks();
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
