import { credits } from '../../ui/format.ts';
import type { Charge } from './live-events.ts';

/** The charges as the agent delivers, with the total so far against the quote. */
export function Charges({
  charges,
  quote,
  charged,
  final,
}: {
  charges: Charge[];
  quote: number;
  charged: number | null;
  final: boolean;
}) {
  const total = charges.at(-1)?.total ?? 0;
  return (
    <section aria-labelledby="run-charges-title">
      <h2 id="run-charges-title">Charges</h2>
      {charges.length === 0 ? (
        <p className="muted">
          {final
            ? charged
              ? `${credits(charged)} for the run.`
              : 'Nothing was charged.'
            : 'Nothing charged yet: credits are held and charged as the agent delivers.'}
        </p>
      ) : (
        <>
          <ol className="run-charges" aria-live="polite">
            {charges.map((c) => (
              <li key={c.seq}>
                <span>
                  <code>{c.event}</code>
                  {c.quantity !== 1 ? ` × ${c.quantity}` : ''}
                </span>
                <span>{credits(c.credits)}</span>
              </li>
            ))}
          </ol>
          <p className="run-charges-total">
            Total so far: <strong>{credits(total)}</strong> of the {credits(quote)} quoted.
          </p>
        </>
      )}
    </section>
  );
}
