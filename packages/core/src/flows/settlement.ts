import { eventPrice, maxCreditsPerRun, type Pricing } from '../catalog/pricing.ts';
import type { FinalStatus } from '../runs/statuses.ts';

/** What a run used, as the runtime metered it. */
export interface Usage {
  /** Events the agent charged (`ctx.charge`), per-event pricing only. */
  events: { name: string; quantity: number }[];
  /** Model cost in millionths of a credit, exact, per-token pricing only. */
  modelCostMicroCredits: bigint;
}

export interface Settlement {
  /** Captured from the hold: paid to the creator and the platform. */
  capture: number;
  /** Released to the buyer. */
  release: number;
}

const MICRO = 1_000_000n;

/**
 * What a run may still spend on models, in millionths of a credit, once `spent` is spent: under
 * per-token pricing, the part of the maximum that the markup leaves for cost (so the buyer's charge
 * never needs to exceed the hold); under per-run and per-event pricing, the run's price, which the
 * model calls made for it may not exceed.
 */
export function modelBudgetLeft(pricing: Pricing, spent: bigint): bigint {
  const max = BigInt(maxCreditsPerRun(pricing)) * MICRO;
  if (pricing.model !== 'per_token') return max - spent;
  return (max * 10_000n) / BigInt(10_000 + pricing.markupBps) - spent;
}

/**
 * How a run's hold is resolved when the run ends (crosses the catalog's pricing and the run's status,
 * hence a flow). The buyer pays only for a result: a failure or a timeout, whoever's fault, releases
 * everything. A success pays its price: per run, the price; per event, the events delivered; per token,
 * the metered cost plus the markup, rounded up to a whole credit. A cancellation by the buyer pays what
 * was already delivered (events, or model tokens spent at the buyer's request), so that cancelling at
 * the last moment is not a way to get work for free. Nothing ever exceeds the hold.
 */
export function settle(pricing: Pricing, status: FinalStatus, usage: Usage): Settlement {
  const max = maxCreditsPerRun(pricing);
  let charge = 0;
  if (status === 'succeeded' || status === 'cancelled') {
    switch (pricing.model) {
      case 'per_run':
        charge = status === 'succeeded' ? pricing.credits : 0;
        break;
      case 'per_event':
        charge = usage.events.reduce((sum, e) => sum + (eventPrice(pricing, e.name) ?? 0) * e.quantity, 0);
        break;
      case 'per_token': {
        const priced = usage.modelCostMicroCredits * BigInt(10_000 + pricing.markupBps);
        const whole = (priced + 10_000n * MICRO - 1n) / (10_000n * MICRO);
        charge = Number(whole > BigInt(max) ? BigInt(max) : whole);
        break;
      }
    }
  }
  const capture = Math.min(Math.max(charge, 0), max);
  return { capture, release: max - capture };
}
