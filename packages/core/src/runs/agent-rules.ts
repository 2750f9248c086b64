import { artifactName } from '../catalog/manifest-schema.ts';
import { eventPrice, maxCreditsPerRun, type Pricing } from '../catalog/pricing.ts';
import type { ChargeOutcome } from './port.ts';

/**
 * What an agent may give the platform, checked the same way in a paid run and in a local one (tests,
 * `jeton agent test`, publish checks): each function returns the refusal the agent gets, or null.
 */

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}(;[ -~]{0,200})?$/i;

export function artifactRefusal(name: unknown, mediaType: unknown): string | null {
  if (!artifactName.safeParse(name).success) {
    return `"${String(name)}" is not a valid artifact name (letters, digits, ".", "_", "-").`;
  }
  if (typeof mediaType !== 'string' || !MEDIA_TYPE.test(mediaType)) {
    return `"${String(mediaType)}" is not a media type such as text/plain.`;
  }
  return null;
}

export const artifactTooLarge = (name: string, maxBytes: number) =>
  `Artifact "${name}" is larger than ${maxBytes} bytes.`;

export function chargeRefusal(quantity: unknown): string | null {
  return Number.isInteger(quantity) && (quantity as number) >= 1 && (quantity as number) <= 1_000_000
    ? null
    : `Charge quantities are whole numbers from 1 (got ${String(quantity)}).`;
}

const UNSTORABLE = /\0|\p{Cs}/u;

/**
 * Whether a value holds text Postgres cannot store (NUL, a lone surrogate) anywhere in it. What an
 * agent gives as data is refused for it, so that a database error it provoked is never taken for the
 * platform's own trouble.
 */
export function holdsUnstorableText(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return UNSTORABLE.test(value);
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  for (const [k, v] of Object.entries(value)) {
    if (UNSTORABLE.test(k) || holdsUnstorableText(v, depth + 1)) return true;
  }
  return false;
}

/**
 * Whether `quantity` more of `event` may be charged to a run that has charged `events` so far (event
 * name → quantity): the one rule the run store and local runs both apply.
 */
export function decideCharge(
  pricing: Pricing,
  events: Readonly<Record<string, number>>,
  event: string,
  quantity: number,
): Exclude<ChargeOutcome, { type: 'stale' }> {
  const price = eventPrice(pricing, event);
  if (price === undefined) return { type: 'unknown_event' };
  const charged = Object.entries(events).reduce(
    (sum, [name, q]) => sum + (eventPrice(pricing, name) ?? 0) * q,
    0,
  );
  const total = charged + price * quantity;
  const max = maxCreditsPerRun(pricing);
  if (total > max) return { type: 'over_maximum', total, max };
  return { type: 'charged', credits: price * quantity, total };
}

/** What the agent is told when a charge is refused, or null when it was made. */
export function chargeRefused(event: string, outcome: ChargeOutcome): string | null {
  switch (outcome.type) {
    case 'charged':
      return null;
    case 'over_maximum':
      return `Charging "${event}" would bring the run to ${outcome.total} credits, above its maximum of ${outcome.max}.`;
    case 'unknown_event':
      return `The price has no event "${event}".`;
    case 'stale':
      return 'The run has stopped.';
  }
}
