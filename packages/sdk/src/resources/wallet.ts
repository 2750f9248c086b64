import type { operations } from '../schema.d.ts';
import type { Transport } from '../transport.ts';
import { unwrap } from '../transport.ts';

type Json<Op, S extends number> = Op extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;
type Query<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Wallet = Json<operations['wallet.get'], 200>;
export type TransactionPage = Json<operations['wallet.transactions'], 200>;
export type TopUpPage = Json<operations['wallet.listTopUps'], 200>;
export type CreatedTopUp = Json<operations['wallet.createTopUp'], 201>;
export type TopUpCreate = operations['wallet.createTopUp']['requestBody']['content']['application/json'];
export type PageQuery = Query<operations['wallet.transactions']>;

/** Your credits (1 credit = US$0.01): balances, the ledger's entries, buying more. */
export class WalletResource {
  readonly #t: Transport;
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Spendable (paid and promotional), held by runs in progress, and creator earnings. */
  async get(): Promise<Wallet> {
    return unwrap(await this.#t.api.GET('/v1/wallet'));
  }

  async transactions(query: PageQuery = {}): Promise<TransactionPage> {
    return unwrap(await this.#t.api.GET('/v1/wallet/transactions', { params: { query } }));
  }

  async topUps(query: PageQuery = {}): Promise<TopUpPage> {
    return unwrap(await this.#t.api.GET('/v1/wallet/top-ups', { params: { query } }));
  }

  /** Starts buying credits (the payment provider's checkout); idempotent like `runs.create`. */
  async createTopUp(body: TopUpCreate, options: { idempotencyKey?: string } = {}): Promise<CreatedTopUp> {
    return unwrap(
      await this.#t.api.POST('/v1/wallet/top-ups', {
        body,
        params: { header: { 'idempotency-key': options.idempotencyKey ?? crypto.randomUUID() } },
      }),
    );
  }
}
