import type { DatabaseHandle } from '../connect.ts';
import {
  type AttemptOutcome,
  type ClaimedDelivery,
  type DeliveryStatus,
  WebhookDeliveries,
} from './deliveries.ts';
import { listenForDeliveries } from './wake.ts';

/** One HTTP attempt (signing, the request, its timeout): the server's, or a test's. */
export type SendAttempt = (delivery: ClaimedDelivery) => Promise<AttemptOutcome>;

/** The pause before each retry: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h; then the delivery fails (7 attempts). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3600_000,
  5 * 3600_000,
  10 * 3600_000,
];

export interface DispatcherOptions {
  handle: DatabaseHandle;
  send: SendAttempt;
  /** The pauses before the 2nd, 3rd, ... attempt; after the last one, a failing delivery fails. */
  retryDelaysMs?: readonly number[];
  /** Each pause is drawn within ± this fraction of its value, so that retries after an outage spread out. */
  jitter?: number;
  /** Deliveries claimed (and sent concurrently) at once. */
  batchSize?: number;
  /** How long a claim holds: longer than an attempt's timeout, or a slow attempt could be sent twice. */
  leaseMs?: number;
  /** The longest wait without a notification (retries come due without one). */
  pollMs?: number;
  onError?: (error: unknown) => void;
  now?: () => Date;
  random?: () => number;
}

/** What follows an attempt: success on a 2xx, another attempt while the schedule lasts, else failure. */
export function nextStep(
  claim: Pick<ClaimedDelivery, 'attempt' | 'maxAttempts'>,
  outcome: AttemptOutcome,
  now: Date,
  delays: readonly number[],
  jitter: number,
  random: () => number,
): { status: DeliveryStatus; nextAttemptAt: Date | null } {
  const code = outcome.statusCode;
  if (code !== null && code >= 200 && code < 300) return { status: 'succeeded', nextAttemptAt: null };
  const max = claim.maxAttempts ?? delays.length + 1;
  if (claim.attempt >= max) return { status: 'failed', nextAttemptAt: null };
  const base = delays[Math.min(claim.attempt - 1, delays.length - 1)] ?? 0;
  const pause = Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
  return { status: 'pending', nextAttemptAt: new Date(now.getTime() + pause) };
}

/**
 * Drains the outbox: claims due deliveries (`FOR UPDATE SKIP LOCKED`, so any number of processes can
 * run one), sends each once, and records the answer and what comes next. Woken by `pg_notify` when
 * deliveries are written, and every `pollMs` for retries that come due.
 */
export class WebhookDispatcher {
  readonly #deliveries: WebhookDeliveries;
  readonly #o: Required<Omit<DispatcherOptions, 'onError'>> & Pick<DispatcherOptions, 'onError'>;
  #wake: (() => void) | null = null;
  #woken = false;
  #loop: Promise<void> | null = null;
  #unlisten: (() => Promise<void>) | null = null;
  #closed = false;

  constructor(options: DispatcherOptions) {
    this.#deliveries = new WebhookDeliveries(options.handle.db);
    this.#o = {
      retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
      jitter: 0.1,
      batchSize: 16,
      leaseMs: 60_000,
      pollMs: 1000,
      now: () => new Date(),
      random: Math.random,
      ...options,
    };
  }

  /** Listens for new deliveries and starts the loop. */
  async start(): Promise<void> {
    this.#unlisten = await listenForDeliveries(this.#o.handle, () => this.#poke());
    this.#loop = this.#run();
  }

  /** Claims one batch and delivers it; how many were claimed. */
  async runOnce(): Promise<number> {
    const claimed = await this.#deliveries.claim(this.#o.batchSize, this.#o.leaseMs, this.#o.now());
    await Promise.all(claimed.map((d) => this.#deliver(d)));
    return claimed.length;
  }

  /** Stops claiming, lets the attempts in flight finish and be recorded, stops listening. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#poke();
    await this.#loop;
    await this.#unlisten?.();
  }

  async #deliver(d: ClaimedDelivery): Promise<void> {
    let outcome: AttemptOutcome;
    try {
      outcome = await this.#o.send(d);
    } catch (error) {
      outcome = { statusCode: null, response: null, error: String(error), durationMs: 0 };
    }
    const now = this.#o.now();
    const next = nextStep(d, outcome, now, this.#o.retryDelaysMs, this.#o.jitter, this.#o.random);
    await this.#deliveries.record(d, outcome, next, now);
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      let n = 0;
      try {
        n = await this.runOnce();
      } catch (error) {
        this.#o.onError?.(error);
      }
      // A full batch: there may be more due at once. Otherwise wait for news or the next poll.
      if (n < this.#o.batchSize && !this.#closed) await this.#sleep();
    }
  }

  #poke(): void {
    this.#woken = true;
    this.#wake?.();
  }

  #sleep(): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#wake = null;
        this.#woken = false;
        resolve();
      };
      const timer = setTimeout(finish, this.#o.pollMs);
      this.#wake = finish;
    });
  }
}
