export { Jeton } from './client.ts';
export {
  AuthenticationError,
  ConflictError,
  ConnectionError,
  errorFromResponse,
  InsufficientCreditsError,
  type Issue,
  JetonError,
  NotFoundError,
  PermissionError,
  type Problem,
  RateLimitError,
  ServerError,
  ValidationError,
} from './errors.ts';
export type { ApiKeyCreate } from './resources/api-keys.ts';
export type { UploadBody, UploadOptions } from './resources/files.ts';
export type { EventsOptions } from './resources/run-events.ts';
export type { CreateOptions, WaitOptions } from './resources/runs.ts';
export type {
  CreatedTopUp,
  PageQuery,
  TopUpCreate,
  TopUpPage,
  TransactionPage,
  Wallet,
} from './resources/wallet.ts';
export type {
  NewWebhookEndpoint,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointCreate,
  WebhookEndpointPage,
  WebhookEndpointUpdate,
} from './resources/webhook-endpoints.ts';
export type { components, operations, paths } from './schema.d.ts';
export { DEFAULT_BASE_URL, type JetonOptions } from './transport.ts';
export * from './types.ts';
