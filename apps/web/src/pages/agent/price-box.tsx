import type { AgentPage as Agent } from '@jeton/sdk';
import { credits, when } from '../../ui/format.ts';

type Pricing = Record<string, unknown>;

/** What a run costs, in words, from a version's pricing. */
function pricingText(pricing: Pricing | undefined, maxCredits: number): string {
  if (!pricing) return credits(maxCredits);
  if (pricing.model === 'per_run' && typeof pricing.credits === 'number')
    return `${credits(pricing.credits)} per run`;
  if (pricing.model === 'per_token' && typeof pricing.markupBps === 'number')
    return `Model cost + ${pricing.markupBps / 100}%, up to ${credits(maxCredits)} per run`;
  return `Up to ${credits(maxCredits)} per run`;
}

/** A per-event price's events, each with its price. */
function PricingDetail({ pricing }: { pricing: Pricing | undefined }) {
  const events = Array.isArray(pricing?.events) ? (pricing.events as Record<string, unknown>[]) : [];
  if (pricing?.model !== 'per_event' || events.length === 0) return null;
  return (
    <ul className="price-events">
      {events.map((e) => (
        <li key={String(e.name)}>
          <span>{typeof e.description === 'string' ? e.description : String(e.name)}</span>{' '}
          <strong>{credits(Number(e.credits))}</strong>
        </li>
      ))}
    </ul>
  );
}

/** "Price": the current price, and a pending change with its date. */
export function PriceBox({ agent }: { agent: Agent }) {
  const pricing = agent.version?.pricing;
  const pending = agent.pendingPriceChange;
  return (
    <section className="card price-box" aria-labelledby="price-title">
      <h2 id="price-title">Price</h2>
      <p className="price-main">{pricingText(pricing, agent.price.maxCredits)}</p>
      <PricingDetail pricing={pricing} />
      {pricing?.model === 'per_event' ? (
        <p className="muted">You pay for the results delivered; what is not used is released.</p>
      ) : null}
      {pending ? (
        <div className="notice pending-price">
          <strong>Price change on {when(pending.effectiveAt)}</strong> (version {pending.version}):{' '}
          {pricingText(pending.pricing, pending.maxCredits)}.
          <PricingDetail pricing={pending.pricing} />
        </div>
      ) : null}
    </section>
  );
}
