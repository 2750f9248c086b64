import type { operations } from '../schema.d.ts';
import type { Transport } from '../transport.ts';
import { unwrap } from '../transport.ts';
import type { ApiKey, NewApiKey } from '../types.ts';

export type ApiKeyCreate = operations['apiKeys.create']['requestBody']['content']['application/json'];

/** Your API keys. A key is shown once, when it is created; afterwards only its prefix. */
export class ApiKeys {
  readonly #t: Transport;
  constructor(transport: Transport) {
    this.#t = transport;
  }

  async list(): Promise<ApiKey[]> {
    return unwrap(await this.#t.api.GET('/v1/api-keys')).data;
  }

  async create(body: ApiKeyCreate): Promise<NewApiKey> {
    return unwrap(await this.#t.api.POST('/v1/api-keys', { body }));
  }

  async revoke(id: string): Promise<void> {
    unwrap(await this.#t.api.DELETE('/v1/api-keys/{id}', { params: { path: { id } } }));
  }
}
