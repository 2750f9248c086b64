import { type AgentCard, type AgentSearchQuery, errorFromResponse } from '@jeton/sdk';
import { useEffect, useId, useRef, useState } from 'react';
import { Link, useSearchParams } from 'wouter';
import { api } from '../api.ts';
import { ErrorNotice } from '../ui/components.tsx';
import { credits, percent } from '../ui/format.ts';
import { StatItem } from '../ui/stat-item.tsx';

/**
 * The storefront: typo-tolerant search with results while typing, categories, filters and sort, all
 * kept in the URL (`/?q=charcter&category=3d&maxPrice=50`), so that a result list can be linked to.
 * It ships in the main bundle: it imports nothing beyond what the app shell already loads.
 */

const SORTS = [
  ['relevance', 'Best match'],
  ['popular', 'Most runs'],
  ['rating', 'Best rated'],
  ['newest', 'Newest'],
  ['price', 'Cheapest'],
] as const;
type Sort = (typeof SORTS)[number][0];

const CATEGORY_TITLES: Record<string, string> = { '3d': '3D' };
export const categoryTitle = (c: string) => CATEGORY_TITLES[c] ?? c.charAt(0).toUpperCase() + c.slice(1);

/** The manifest's category list, fetched once per page load (the catalog's own source of truth). */
let categoriesPromise: Promise<string[]> | undefined;
function loadCategories(): Promise<string[]> {
  categoriesPromise ??= fetch('/schemas/agent-manifest.json')
    .then((r) => (r.ok ? r.json() : null))
    .then((m: { properties?: { category?: { enum?: unknown } } } | null) => {
      const list = m?.properties?.category?.enum;
      return Array.isArray(list) ? list.filter((c): c is string => typeof c === 'string') : [];
    })
    .catch(() => {
      categoriesPromise = undefined;
      return [];
    });
  return categoriesPromise;
}

const DEBOUNCE_MS = 150;
const PAGE_SIZE = 20;

/** The search query from the URL's parameters; values the API would refuse are left out. */
function queryOf(params: URLSearchParams): AgentSearchQuery {
  const query: AgentSearchQuery = { limit: PAGE_SIZE };
  const q = params.get('q')?.trim();
  if (q) query.q = q.slice(0, 200);
  const category = params.get('category');
  if (category) query.category = category as NonNullable<AgentSearchQuery['category']>;
  const maxPrice = params.get('maxPrice');
  if (maxPrice && /^\d{1,7}$/.test(maxPrice)) query.maxPrice = Math.min(Number(maxPrice), 1_000_000);
  const minRating = Number(params.get('minRating'));
  if (minRating >= 1 && minRating <= 5) query.minRating = minRating;
  const needsModel = params.get('needsModel');
  if (needsModel === 'true' || needsModel === 'false') query.needsModel = needsModel;
  const sort = params.get('sort');
  if (SORTS.some(([s]) => s === sort)) query.sort = sort as Sort;
  return query;
}

interface Results {
  /** The query these results answer (as a key), so a stale page is never appended to fresh results. */
  key: string;
  agents: AgentCard[];
  nextCursor: string | null;
}

export function Storefront() {
  const [params, setParams] = useSearchParams();
  const query = queryOf(params);
  const key = JSON.stringify(query);
  const urlQ = params.get('q') ?? '';

  // The search box is edited locally and written to the URL as it changes; a URL changed from
  // elsewhere (back, a link) is copied into the box.
  const [text, setText] = useState(urlQ);
  const written = useRef(urlQ);
  useEffect(() => {
    if (urlQ !== written.current) {
      written.current = urlQ;
      setText(urlQ);
    }
  }, [urlQ]);

  const [results, setResults] = useState<Results | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [categories, setCategories] = useState<string[]>([]);

  useEffect(() => {
    let live = true;
    void loadCategories().then((list) => {
      if (live) setCategories(list);
    });
    return () => {
      live = false;
    };
  }, []);

  // Results while typing: each change waits DEBOUNCE_MS (the first search does not), and a newer one
  // aborts the request before it.
  const searched = useRef(false);
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    const delay = searched.current ? DEBOUNCE_MS : 0;
    searched.current = true;
    const timer = setTimeout(async () => {
      try {
        const page = await search(JSON.parse(key) as AgentSearchQuery, controller.signal);
        setResults({ key, agents: page.data, nextCursor: page.nextCursor });
        setError(null);
      } catch (e) {
        if (!controller.signal.aborted) setError(e);
      } finally {
        if (!controller.signal.aborted) setLoading(false);
      }
    }, delay);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);

  const loadMore = async () => {
    if (!results?.nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await search({ ...query, cursor: results.nextCursor });
      setResults((r) =>
        r && r.key === key ? { key, agents: [...r.agents, ...page.data], nextCursor: page.nextCursor } : r,
      );
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
  };

  const setParam = (name: string, value: string | null) => {
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (value === null || value === '') next.delete(name);
        else next.set(name, value);
        return next;
      },
      { replace: name === 'q' },
    );
  };

  const onText = (value: string) => {
    setText(value);
    written.current = value;
    setParam('q', value);
  };

  const clearAll = () => {
    written.current = '';
    setText('');
    setParams(new URLSearchParams());
  };

  const category = query.category ?? '';
  // The last results stay up while newer ones load: no flicker while typing.
  const shown = results;
  const agents = shown?.agents ?? [];
  const filtered = Boolean(
    query.q || query.category || query.maxPrice !== undefined || query.minRating || query.needsModel,
  );
  const ids = useId();
  const allCategories = [...new Set([...categories, ...agents.map((a) => a.category)])];

  return (
    <section className="page storefront" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Agents</h1>
        <p className="muted storefront-tagline">Rent an agent for one task; pay per result, in credits.</p>
      </header>

      <search className="storefront-search" aria-label="Agents">
        <form
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          <label htmlFor="agent-search" className="sr-only">
            Search agents
          </label>
          <input
            id="agent-search"
            type="search"
            name="q"
            placeholder="Search agents: logo, CSV, 3D character…"
            autoComplete="off"
            spellCheck={false}
            maxLength={200}
            value={text}
            onChange={(e) => onText(e.target.value)}
          />
        </form>

        <fieldset className="chips">
          <legend className="sr-only">Category</legend>
          <button
            type="button"
            className="chip"
            aria-pressed={category === ''}
            onClick={() => setParam('category', null)}
          >
            All
          </button>
          {allCategories.map((c) => (
            <button
              key={c}
              type="button"
              className="chip"
              aria-pressed={category === c}
              onClick={() => setParam('category', category === c ? null : c)}
            >
              {categoryTitle(c)}
            </button>
          ))}
        </fieldset>

        <fieldset className="filters">
          <legend className="sr-only">Filters</legend>
          <div className="field">
            <label htmlFor={`${ids}-max-price`}>Max price (credits)</label>
            <input
              id={`${ids}-max-price`}
              type="number"
              inputMode="numeric"
              min={0}
              step={1}
              placeholder="Any"
              value={params.get('maxPrice') ?? ''}
              onChange={(e) => setParam('maxPrice', e.target.value.replace(/\D/g, ''))}
            />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-min-rating`}>Rating</label>
            <select
              id={`${ids}-min-rating`}
              value={query.minRating ? String(query.minRating) : ''}
              onChange={(e) => setParam('minRating', e.target.value)}
            >
              <option value="">Any</option>
              <option value="4.5">4.5 and up</option>
              <option value="4">4 and up</option>
              <option value="3">3 and up</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${ids}-needs-model`}>Needs a model</label>
            <select
              id={`${ids}-needs-model`}
              value={query.needsModel === undefined ? '' : String(query.needsModel)}
              onChange={(e) => setParam('needsModel', e.target.value)}
            >
              <option value="">Any</option>
              <option value="false">No</option>
              <option value="true">Yes</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${ids}-sort`}>Sort by</label>
            <select
              id={`${ids}-sort`}
              value={query.sort ?? 'relevance'}
              onChange={(e) => setParam('sort', e.target.value === 'relevance' ? null : e.target.value)}
            >
              {SORTS.map(([value, title]) => (
                <option key={value} value={value}>
                  {title}
                </option>
              ))}
            </select>
          </div>
        </fieldset>
      </search>

      <p className="muted result-count" role="status">
        {loading && !shown
          ? 'Searching…'
          : `${agents.length}${shown?.nextCursor ? '+' : ''} ${agents.length === 1 ? 'agent' : 'agents'}${query.q ? ` for “${query.q}”` : ''}`}
      </p>
      <ErrorNotice error={error} />

      {shown && agents.length === 0 && !loading ? (
        <div className="empty card">
          <h2>No agent matches</h2>
          <p className="muted">Try other words, or fewer filters.</p>
          {filtered ? (
            <button type="button" className="secondary" onClick={clearAll}>
              Clear search and filters
            </button>
          ) : null}
        </div>
      ) : (
        <ul className="agent-grid" aria-busy={loading} aria-label="Agents found">
          {agents.map((a) => (
            <li key={a.id}>
              <AgentCardView agent={a} />
            </li>
          ))}
        </ul>
      )}

      {shown?.nextCursor ? (
        <p className="load-more">
          <button type="button" className="secondary" onClick={loadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </p>
      ) : null}
    </section>
  );
}

async function search(query: AgentSearchQuery, signal?: AbortSignal) {
  const result = await api.api.GET('/v1/agents', { params: { query }, ...(signal ? { signal } : {}) });
  if (!result.response.ok) throw errorFromResponse(result.response, result.error);
  return result.data!;
}

/** "20 credits ($0.20) per run", or "up to 35 credits ($0.35) per run" when it is metered. */
export function priceText(price: AgentCard['price']): string {
  if (price.model === 'per_run') return `${credits(price.maxCredits)} per run`;
  const how = price.model === 'per_event' ? 'charged per result' : 'charged by model use';
  return `Up to ${credits(price.maxCredits)} per run, ${how}`;
}

export function TestBadge({ lastTest }: { lastTest: AgentCard['stats']['lastTest'] }) {
  const status = lastTest?.status ?? 'none';
  const [cls, text] =
    status === 'passed'
      ? ['badge badge-ok', 'Tests passed']
      : status === 'failed'
        ? ['badge badge-bad', 'Tests failed']
        : ['badge', 'Not tested'];
  return (
    <span
      className={cls}
      title={lastTest?.at ? `Last test: ${new Date(lastTest.at).toLocaleString()}` : undefined}
    >
      {text}
    </span>
  );
}

export function Rating({ rating, reviews }: { rating: number; reviews: number }) {
  // With no review, the score is only the catalog's prior: showing it as a rating would be a made-up
  // quality signal.
  if (reviews === 0) return <span className="rating muted">No reviews yet</span>;
  return (
    <span className="rating">
      <span aria-hidden="true" className="stars">
        ★
      </span>{' '}
      <span className="sr-only">Rated </span>
      {rating.toFixed(1)}
      <span className="sr-only"> out of 5</span>{' '}
      <span className="muted">
        ({reviews} {reviews === 1 ? 'review' : 'reviews'})
      </span>
    </span>
  );
}

function AgentCardView({ agent }: { agent: AgentCard }) {
  const s = agent.stats;
  return (
    <article className="card agent-card" data-slug={agent.slug}>
      <div className="agent-card-top">
        <span className="badge">{categoryTitle(agent.category)}</span>
        <TestBadge lastTest={s.lastTest} />
      </div>
      <h2 className="agent-card-name">
        <Link href={`/agents/${agent.slug}`} className="agent-card-link">
          {agent.name}
        </Link>
      </h2>
      <p className="agent-card-summary">{agent.summary}</p>
      {agent.creator ? <p className="muted agent-card-creator">by {agent.creator.name}</p> : null}
      <p className="agent-card-price">{priceText(agent.price)}</p>
      <dl className="agent-card-stats">
        <StatItem term="Rating">
          <Rating rating={s.rating} reviews={s.reviews} />
        </StatItem>
        <StatItem term="Runs">{s.runs.toLocaleString('en-US')}</StatItem>
        <StatItem term="Success">{percent(s.successRate)}</StatItem>
        {agent.needsModel ? <StatItem term="Model">Needs one</StatItem> : null}
      </dl>
    </article>
  );
}
