import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../testing/index.ts';
import { nextStep, WebhookDispatcher } from './dispatcher.ts';
import type { Webhooks } from './webhooks.ts';
import { answered, webhooksSuite } from './webhooks-fixture.ts';

/** The retry schedule applied by a dispatcher, the attempt log, and resending by hand. */
describe.each(testEngines())('webhook retries and resends on %s', (engine) => {
  const { t, webhooks, endpoint, deliveriesOf } = webhooksSuite(engine);
  let w: Webhooks;
  beforeAll(() => {
    w = webhooks();
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
