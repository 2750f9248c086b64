import { errorFromResponse } from '@jeton/sdk';
import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/components.tsx';
import { credits } from '../../ui/format.ts';

export type Quote = { slug: string; version: string; quote: number; pricing: Record<string, unknown> };

/** What a run of the agent would hold now (the quote), or why it could not be had. */
export function useQuote(slug: string) {
  const [quote, setQuote] = useState<Quote | null>(null);
  const [quoteError, setQuoteError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    api.api.GET('/v1/agents/{slug}/quote', { params: { path: { slug } } }).then(
      (r) => {
        if (!live) return;
        if (r.response.ok) setQuote(r.data as Quote);
        else setQuoteError(errorFromResponse(r.response, r.error));
      },
      (e) => {
        if (live) setQuoteError(e);
      },
    );
    return () => {
      live = false;
    };
  }, [slug]);
  return { quote, quoteError };
}

/** The quote, with what is held and charged when, announced as it comes. */
export function QuoteNotice({ quote, error }: { quote: Quote | null; error: unknown }) {
  return (
    <div className="quote" aria-live="polite">
      {quote ? (
        <p>
          <strong>Quote: {credits(quote.quote)}</strong>
          <br />
          <span className="muted">
            {quote.pricing.model === 'per_run'
              ? 'Held when the run starts, charged when it succeeds, refunded if it fails.'
              : 'The most this run can cost: held when it starts; you are charged for what it delivers.'}
          </span>
        </p>
      ) : error ? (
        <ErrorNotice error={error} />
      ) : (
        <p className="muted">Getting the quote…</p>
      )}
    </div>
  );
}
