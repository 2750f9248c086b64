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
  /**
   * Attempts in flight at once, at most (the pool). A slot is refilled as soon as its attempt is
   * recorded: nothing waits for the slowest attempt of a claim.
   */
  concurrency?: number;
  /**
   * Attempts in flight to one endpoint at once, at most (in this dispatcher): an endpoint that never
   * answers holds this many slots, never the pool.
   */
  perEndpoint?: number;
  /** How long a claim holds: longer than an attempt's timeout, or a slow attempt could be sent twice. */
  leaseMs?: number;
  /**
   * An attempt that has not settled by then is recorded as timed out and frees its slot (the sender
   * has its own, shorter, timeout; this one guards against a sender that never settles). Under `leaseMs`.
   */
  attemptTimeoutMs?: number;
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
 * run one), sends each once, and records the answer and what comes next. A pool: up to `concurrency`
 * attempts in flight, at most `perEndpoint` of them to one endpoint, and a slot that frees is claimed
 * for again at once; claims take every endpoint's oldest due delivery first. Woken by `pg_notify` when
 * deliveries are written, by an attempt that ends, and every `pollMs` for retries that come due.
 */
export class WebhookDispatcher {
  readonly #deliveries: WebhookDeliveries;
  readonly #o: Required<Omit<DispatcherOptions, 'onError'>> & Pick<DispatcherOptions, 'onError'>;
  /** Attempts in flight, and how many per endpoint. */
  readonly #attempts = new Set<Promise<void>>();
  readonly #busy = new Map<string, number>();
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
      concurrency: 16,
      perEndpoint: 4,
      leaseMs: 60_000,
      attemptTimeoutMs: 30_000,
      pollMs: 1000,
      now: () => new Date(),
      random: Math.random,
      ...options,
    };
  }

  /** Attempts in flight now. */
  get inFlight(): number {
    return this.#attempts.size;
  }

  /** Listens for new deliveries and starts the loop. */
  async start(): Promise<void> {
    this.#unlisten = await listenForDeliveries(this.#o.handle, () => this.#poke());
    this.#loop = this.#run();
  }

  /** Claims for the free slots and waits for those attempts to be recorded; how many were claimed. */
  async runOnce(): Promise<number> {
    const started = await this.#fill();
    await Promise.all(started);
    return started.length;
  }

  /** Stops claiming, lets the attempts in flight finish and be recorded, stops listening. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#poke();
    await this.#loop;
    await Promise.allSettled([...this.#attempts]);
    await this.#unlisten?.();
  }

  /** Claims as many deliveries as there are free slots and starts their attempts (not awaited). */
  async #fill(): Promise<Promise<void>[]> {
    const free = this.#o.concurrency - this.#attempts.size;
    if (free <= 0) return [];
    const claimed = await this.#deliveries.claim(free, this.#o.leaseMs, this.#o.now(), {
      perEndpoint: this.#o.perEndpoint,
      busy: this.#busy,
    });
    return claimed.map((d) => this.#start(d));
  }

  #start(d: ClaimedDelivery): Promise<void> {
    this.#busy.set(d.endpointId, (this.#busy.get(d.endpointId) ?? 0) + 1);
    const attempt: Promise<void> = this.#deliver(d)
      .catch((error: unknown) => this.#o.onError?.(error))
      .finally(() => {
        this.#attempts.delete(attempt);
        const left = (this.#busy.get(d.endpointId) ?? 1) - 1;
        if (left > 0) this.#busy.set(d.endpointId, left);
        else this.#busy.delete(d.endpointId);
        // A slot is free: claim again now rather than at the next poll.
        this.#poke();
      });
    this.#attempts.add(attempt);
    return attempt;
  }

  async #deliver(d: ClaimedDelivery): Promise<void> {
    let outcome: AttemptOutcome;
    try {
      outcome = await this.#withTimeout(this.#o.send(d));
    } catch (error) {
      outcome = { statusCode: null, response: null, error: String(error), durationMs: 0 };
    }
    const now = this.#o.now();
    const next = nextStep(d, outcome, now, this.#o.retryDelaysMs, this.#o.jitter, this.#o.random);
    await this.#deliveries.record(d, outcome, next, now);
  }

  #withTimeout(sending: Promise<AttemptOutcome>): Promise<AttemptOutcome> {
    const ms = this.#o.attemptTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<AttemptOutcome>((resolve) => {
      timer = setTimeout(
        () => resolve({ statusCode: null, response: null, error: 'timed out', durationMs: ms }),
        ms,
      );
    });
    return Promise.race([sending, timedOut]).finally(() => clearTimeout(timer));
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      try {
        await this.#fill();
      } catch (error) {
        this.#o.onError?.(error);
      }
      // Every free slot is taken, or nothing more is due: wait for a slot to free, a notification,
      // or the next poll (retries come due without a notification).
      if (!this.#closed) await this.#sleep();
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
