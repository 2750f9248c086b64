import type { Transport } from '../transport.ts';
import { unwrap } from '../transport.ts';
import type { AgentPage, AgentSearchPage, AgentSearchQuery, ReviewsPage, ReviewsQuery } from '../types.ts';

/** The catalog: public, no API key needed. */
export class Agents {
  readonly #t: Transport;
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Typo-tolerant search, filtered by category, price, rating; one page (pass `nextCursor` back). */
  async search(query: AgentSearchQuery = {}): Promise<AgentSearchPage> {
    return unwrap(await this.#t.api.GET('/v1/agents', { params: { query } }));
  }

  /** An agent's page: its input schema, outputs, pricing, stats and versions. */
  async get(slug: string): Promise<AgentPage> {
    return unwrap(await this.#t.api.GET('/v1/agents/{slug}', { params: { path: { slug } } }));
  }

  async reviews(slug: string, query: ReviewsQuery = {}): Promise<ReviewsPage> {
    return unwrap(await this.#t.api.GET('/v1/agents/{slug}/reviews', { params: { path: { slug }, query } }));
  }
}
