import type { Actor } from '@jeton/core';
import { sql } from 'drizzle-orm';
import { afterEach, beforeAll } from 'vitest';
import type { Engine } from '../connect.ts';
import { runSuite } from '../runs/runs-fixture.ts';
import type { AttemptOutcome } from './deliveries.ts';
import { Webhooks } from './webhooks.ts';

/** A receiver's answer to one attempt, as a dispatcher's `send` reports it. */
export const answered = (statusCode: number, response = ''): AttemptOutcome => ({
  statusCode,
  response,
  error: null,
  durationMs: 1,
});

/**
 * The setup the webhook suites share: a run platform on `engine` (so run events reach the outbox),
 * `Webhooks` on its database, and helpers to make endpoints and read their deliveries.
 */
export function webhooksSuite(engine: Engine) {
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

  /** The suite's `Webhooks`, once its database is up (from a `beforeAll` or a test). */
  const webhooks = () => w;
  return { t, webhooks, endpoint, endpointAt, deliveriesOf };
}
