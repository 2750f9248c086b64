import { ConflictError, errorFromResponse, type Review } from '@jeton/sdk';
import { type FormEvent, useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNotice, Field } from '../../ui/components.tsx';

/** Rate this run (1 to 5 stars and a review), once: then the review, or "already reviewed". */
export function ReviewForm({ runId }: { runId: string }) {
  const [rating, setRating] = useState(0);
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [review, setReview] = useState<Review | null>(null);
  const [already, setAlready] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (rating < 1) {
      setError(new Error('Choose a rating from 1 to 5 stars.'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const {
        data,
        error: problem,
        response,
      } = await api.api.POST('/v1/runs/{id}/review', {
        params: { path: { id: runId } },
        body: { rating, body },
      });
      if (!response.ok) throw errorFromResponse(response, problem);
      setReview(data ?? null);
    } catch (err) {
      if (err instanceof ConflictError) setAlready(true);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (review) {
    return (
      <section className="card run-review" aria-labelledby="run-review-title">
        <h2 id="run-review-title">Your review</h2>
        <p className="stars" role="img" aria-label={`${review.rating} out of 5 stars`}>
          {'★'.repeat(review.rating)}
          <span className="stars-off">{'★'.repeat(5 - review.rating)}</span>
        </p>
        {review.body ? <blockquote className="run-review-body">{review.body}</blockquote> : null}
        <p className="muted" role="status">
          Thank you: your review is published on the agent's page.
        </p>
      </section>
    );
  }
  if (already) {
    return (
      <section className="card run-review" aria-labelledby="run-review-title">
        <h2 id="run-review-title">Your review</h2>
        <p role="status">You have already reviewed this run. Thank you.</p>
      </section>
    );
  }
  return (
    <section className="card run-review" aria-labelledby="run-review-title">
      <h2 id="run-review-title">Rate this run</h2>
      <form onSubmit={submit}>
        <fieldset className="star-rating">
          <legend>Your rating</legend>
          <div className="star-options">
            {[1, 2, 3, 4, 5].map((n) => (
              <span key={n} className="star-option">
                <input
                  type="radio"
                  id={`rating-${n}`}
                  name="rating"
                  value={n}
                  checked={rating === n}
                  onChange={() => setRating(n)}
                  disabled={busy}
                />
                <label htmlFor={`rating-${n}`} className={n <= rating ? 'star-on' : ''}>
                  <span aria-hidden="true">★</span>
                  <span className="sr-only">
                    {n} {n === 1 ? 'star' : 'stars'}
                  </span>
                </label>
              </span>
            ))}
          </div>
        </fieldset>
        <Field id="review-body" label="Your review (optional)">
          <textarea
            id="review-body"
            value={body}
            maxLength={5000}
            onChange={(e) => setBody(e.target.value)}
            disabled={busy}
          />
        </Field>
        <ErrorNotice error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Submit the review'}
        </button>
      </form>
    </section>
  );
}
