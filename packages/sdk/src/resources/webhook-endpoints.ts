import type { components, operations } from '../schema.d.ts';
import type { Transport } from '../transport.ts';
import { unwrap } from '../transport.ts';

type Schemas = components['schemas'];
export type WebhookEndpointCreate = Schemas['WebhookEndpointCreate'];
export type WebhookEndpointUpdate = Schemas['WebhookEndpointUpdate'];
type Json<Op, S extends number> = Op extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;
export type NewWebhookEndpoint = Json<operations['webhooks.create'], 201>;
export type WebhookEndpoint = Json<operations['webhooks.get'], 200>;
export type WebhookEndpointPage = Json<operations['webhooks.list'], 200>;
export type WebhookDeliveryPage = Json<operations['webhooks.deliveries'], 200>;
type PageQuery = { cursor?: string; limit?: number };

/**
 * Your webhook endpoints and their deliveries. The signing secret is shown when an endpoint is created
 * and when it is rotated; verify deliveries with any Standard Webhooks library.
 */
export class WebhookEndpoints {
  readonly #t: Transport;
  constructor(transport: Transport) {
    this.#t = transport;
  }

  async create(body: WebhookEndpointCreate): Promise<NewWebhookEndpoint> {
    return unwrap(await this.#t.api.POST('/v1/webhook-endpoints', { body }));
  }

  async list(query: PageQuery = {}): Promise<WebhookEndpointPage> {
    return unwrap(await this.#t.api.GET('/v1/webhook-endpoints', { params: { query } }));
  }

  async get(id: string): Promise<WebhookEndpoint> {
    return unwrap(await this.#t.api.GET('/v1/webhook-endpoints/{id}', { params: { path: { id } } }));
  }

  async update(id: string, body: WebhookEndpointUpdate): Promise<WebhookEndpoint> {
    return unwrap(await this.#t.api.PATCH('/v1/webhook-endpoints/{id}', { params: { path: { id } }, body }));
  }

  async delete(id: string): Promise<void> {
    unwrap(await this.#t.api.DELETE('/v1/webhook-endpoints/{id}', { params: { path: { id } } }));
  }

  async rotateSecret(id: string) {
    return unwrap(
      await this.#t.api.POST('/v1/webhook-endpoints/{id}/rotate-secret', { params: { path: { id } } }),
    );
  }

  async deliveries(id: string, query: PageQuery = {}): Promise<WebhookDeliveryPage> {
    return unwrap(
      await this.#t.api.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id }, query } }),
    );
  }

  async resend(id: string, deliveryId: string) {
    return unwrap(
      await this.#t.api.POST('/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/resend', {
        params: { path: { id, deliveryId } },
      }),
    );
  }

  /** Sends a `webhook.test` event to the endpoint now. */
  async test(id: string) {
    return unwrap(await this.#t.api.POST('/v1/webhook-endpoints/{id}/test', { params: { path: { id } } }));
  }
}
