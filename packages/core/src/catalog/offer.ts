import { needsModel } from './manifest.ts';
import type { Manifest } from './manifest-schema.ts';
import { comparePricing, maxCreditsPerRun, type PriceChange } from './pricing.ts';
import type { ListingFields } from './types.ts';

/**
 * Whether the new version can cost a buyer more: its pricing (`comparePricing`), or, for per-token
 * pricing, another model, whose tokens may cost more with the same markup.
 */
export function compareOffer(previous: Manifest, next: Manifest): PriceChange {
  const change = comparePricing(previous.pricing, next.pricing);
  const model = (m: Manifest) => (m.runtime.kind === 'prompt' ? m.runtime.model : null);
  if (change !== 'rise' && next.pricing.model === 'per_token' && model(previous) !== model(next))
    return 'rise';
  return change;
}

export function listingOf(manifest: Manifest): ListingFields {
  return {
    name: manifest.name,
    summary: manifest.summary,
    description: manifest.description,
    category: manifest.category,
    tags: manifest.tags,
    needsModel: needsModel(manifest),
    pricingModel: manifest.pricing.model,
    maxCredits: maxCreditsPerRun(manifest.pricing),
  };
}
