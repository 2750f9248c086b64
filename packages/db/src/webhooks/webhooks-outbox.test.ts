import { beforeAll, describe, expect, it } from 'vitest';
import { runTransaction } from '../ledger/sql-runner.ts';
import { eventually } from '../runs/runs-suite.ts';
import { testEngines } from '../testing/index.ts';
import { emitStatement, type Webhooks } from './webhooks.ts';
import { webhooksSuite } from './webhooks-fixture.ts';

/** The outbox: the trigger that writes run events' deliveries, and `emit` for the other events. */
describe.each(testEngines())('the webhook outbox on %s', (engine) => {
  const { t, webhooks, endpoint, deliveriesOf } = webhooksSuite(engine);
  let w: Webhooks;
  beforeAll(() => {
    w = webhooks();
  });

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
});
