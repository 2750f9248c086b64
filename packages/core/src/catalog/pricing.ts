import { z } from 'zod';

/**
 * How an agent charges. Every model carries a maximum per run, which is what a run holds before it
 * starts and the most it can ever cost: per run it is the price itself.
 */
const credits = z.int().min(1).max(1_000_000);
const eventName = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, { message: 'event names are a-z, 0-9 and _' });

export const pricingSchema = z.discriminatedUnion('model', [
  z.strictObject({ model: z.literal('per_run'), credits }).describe('A fixed price per successful run.'),
  z
    .strictObject({
      model: z.literal('per_event'),
      events: z
        .array(z.strictObject({ name: eventName, credits, description: z.string().max(200).optional() }))
        .min(1)
        .max(20),
      maxCreditsPerRun: credits,
    })
    .describe('Named events, each with a price, charged by the agent as it delivers (e.g. per image).'),
  z
    .strictObject({
      model: z.literal('per_token'),
      /** Added to the model's cost, in basis points: 2,000 is +20%. */
      markupBps: z.int().min(0).max(100_000),
      maxCreditsPerRun: credits,
    })
    .describe('The metered model cost plus a markup, in basis points.'),
]);
export type Pricing = z.output<typeof pricingSchema>;

/** What a run of this pricing holds: the most it can cost. */
export function maxCreditsPerRun(pricing: Pricing): number {
  return pricing.model === 'per_run' ? pricing.credits : pricing.maxCreditsPerRun;
}

/** The price of one event, or undefined when the pricing has no such event. */
export function eventPrice(pricing: Pricing, event: string): number | undefined {
  if (pricing.model !== 'per_event') return undefined;
  return pricing.events.find((e) => e.name === event)?.credits;
}

export type PriceChange = 'rise' | 'cut' | 'same';

/**
 * Whether `next` costs a buyer more than `previous` could. Anything that can make some run dearer is a
 * rise, even when other parts got cheaper: a new model, a higher maximum, a dearer or new event, a
 * higher markup. A rise on a published agent waits out the notice period; a cut applies at once.
 */
export function comparePricing(previous: Pricing, next: Pricing): PriceChange {
  const max = Math.sign(maxCreditsPerRun(next) - maxCreditsPerRun(previous));
  if (previous.model !== next.model) return 'rise';
  let rose = max > 0;
  let fell = max < 0;
  if (previous.model === 'per_event' && next.model === 'per_event') {
    const before = new Map(previous.events.map((e) => [e.name, e.credits]));
    for (const e of next.events) {
      const old = before.get(e.name);
      if (old === undefined || e.credits > old) rose = true;
      else if (e.credits < old) fell = true;
      before.delete(e.name);
    }
    if (before.size > 0) fell = true;
  }
  if (previous.model === 'per_token' && next.model === 'per_token') {
    if (next.markupBps > previous.markupBps) rose = true;
    if (next.markupBps < previous.markupBps) fell = true;
  }
  return rose ? 'rise' : fell ? 'cut' : 'same';
}
