import type { Review } from '@jeton/sdk';
import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice } from '../../ui/components.tsx';
import { when } from '../../ui/format.ts';

/** "Reviews": the buyers' reviews and the creator's replies, ten at a time. */
export function Reviews({ slug, count }: { slug: string; count: number }) {
  const [reviews, setReviews] = useState<Review[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);

  const load = async (after: string | null) => {
    setLoading(true);
    try {
      const page = await api.agents.reviews(slug, after ? { cursor: after, limit: 10 } : { limit: 10 });
      setReviews((r) => (after ? [...r, ...page.data] : page.data));
      setCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: loads the first page once per agent
  useEffect(() => {
    void load(null);
  }, [slug]);

  return (
    <section aria-labelledby="reviews-title">
      <h2 id="reviews-title">Reviews ({count})</h2>
      <ErrorNotice error={error} />
      {!loading && reviews.length === 0 ? <p className="muted">No reviews yet.</p> : null}
      <ul className="reviews">
        {reviews.map((r) => (
          <li key={r.id} className="review">
            <p className="review-meta">
              <span className="stars" role="img" aria-label={`${r.rating} out of 5`}>
                {'★'.repeat(r.rating)}
                <span className="stars-off">{'★'.repeat(5 - r.rating)}</span>
              </span>{' '}
              <span className="muted">
                {when(r.createdAt)} · version {r.version}
              </span>
            </p>
            <p className="review-body">{r.body}</p>
            {r.reply ? (
              <blockquote className="review-reply">
                <p className="muted">Reply from the creator, {when(r.reply.at)}</p>
                <p>{r.reply.body}</p>
              </blockquote>
            ) : null}
          </li>
        ))}
      </ul>
      {cursor ? (
        <button type="button" className="secondary" disabled={loading} onClick={() => void load(cursor)}>
          {loading ? 'Loading…' : 'More reviews'}
        </button>
      ) : null}
    </section>
  );
}
