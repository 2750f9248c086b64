export {
  type AttemptOutcome,
  type ClaimedDelivery,
  type ClaimFairness,
  type DeliveryAttempt,
  type DeliveryStatus,
  WebhookDeliveries,
  type WebhookDelivery,
} from './deliveries.ts';
export {
  DEFAULT_RETRY_DELAYS_MS,
  type DispatcherOptions,
  nextStep,
  type SendAttempt,
  WebhookDispatcher,
} from './dispatcher.ts';
export {
  type EndpointChanges,
  type EndpointWithSecret,
  MAX_ENDPOINTS_PER_USER,
  type WebhookEndpoint,
  WebhookEndpoints,
} from './endpoints.ts';
export {
  isWebhookEventType,
  TEST_EVENT,
  WEBHOOK_EVENT_TYPES,
  WEBHOOKS_CHANNEL,
  type WebhookEventType,
} from './event-types.ts';
export {
  type DroppedDelivery,
  emitStatement,
  eventPayload,
  MAX_PENDING_PER_ENDPOINT,
  RETENTION_DAYS,
  type RetentionSweep,
  Webhooks,
  type WebhooksOptions,
} from './webhooks.ts';
