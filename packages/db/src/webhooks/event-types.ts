/**
 * The event types an endpoint may subscribe to. Run events come from the run store's own events (the
 * `run_events_webhooks` trigger); the others from `Webhooks.emit`. A new type is one line here.
 */
export const WEBHOOK_EVENT_TYPES = [
  'run.succeeded',
  'run.failed',
  'run.cancelled',
  'run.timed_out',
  'run.awaiting_input',
  'top_up.credited',
  'payout.paid',
  'payout.failed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent by `POST /v1/webhook-endpoints/{id}/test` to that endpoint alone, whatever it subscribes to. */
export const TEST_EVENT = 'webhook.test';

/** Notified (on commit) whenever deliveries are written: the dispatchers wake at once. */
export const WEBHOOKS_CHANNEL = 'jeton_webhooks';

export const isWebhookEventType = (t: string): t is WebhookEventType =>
  (WEBHOOK_EVENT_TYPES as readonly string[]).includes(t);
