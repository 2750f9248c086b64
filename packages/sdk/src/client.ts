import { Agents } from './resources/agents.ts';
import { ApiKeys } from './resources/api-keys.ts';
import { Files } from './resources/files.ts';
import { Runs } from './resources/runs.ts';
import { WalletResource } from './resources/wallet.ts';
import { WebhookEndpoints } from './resources/webhook-endpoints.ts';
import { createTransport, type JetonOptions, type Transport, unwrap } from './transport.ts';
import type { User } from './types.ts';

/**
 * The Jeton API, typed from its OpenAPI document:
 *
 * ```ts
 * const jeton = new Jeton({ apiKey: process.env.JETON_API_KEY, baseUrl: 'http://127.0.0.1:3000' });
 * const run = await jeton.runs.create({ agent: 'brand-kit', input: { company: 'Acme' } });
 * const done = await jeton.runs.wait(run.id);
 * ```
 */
export class Jeton {
  readonly agents: Agents;
  readonly runs: Runs;
  readonly files: Files;
  readonly apiKeys: ApiKeys;
  readonly wallet: WalletResource;
  readonly webhookEndpoints: WebhookEndpoints;
  /** The typed openapi-fetch client underneath, for an endpoint the SDK does not wrap yet. */
  readonly api: Transport['api'];
  readonly baseUrl: string;

  constructor(options: JetonOptions = {}) {
    const transport = createTransport(options);
    this.api = transport.api;
    this.baseUrl = transport.baseUrl;
    this.agents = new Agents(transport);
    this.runs = new Runs(transport);
    this.files = new Files(transport);
    this.apiKeys = new ApiKeys(transport);
    this.wallet = new WalletResource(transport);
    this.webhookEndpoints = new WebhookEndpoints(transport);
  }

  /** Who the key (or session) acts for: a cheap way to check a key. */
  async me(): Promise<User> {
    return unwrap(await this.api.GET('/v1/me'));
  }
}
