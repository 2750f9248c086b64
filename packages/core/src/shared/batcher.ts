interface Waiting<I, R> {
  item: I;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export interface BatcherOptions {
  /** The most items one batch takes (default 128). */
  maxBatch?: number;
  /** Batches in flight at once (default 2). */
  maxInFlight?: number;
  /**
   * How long a batch waits for company before it starts (default 0: the same tick only). On an
   * engine that blocks the event loop while it works (PGlite runs in-process), nothing arrives while
   * a batch is in flight, so batches only grow if they wait a moment for requests already on the wire.
   */
  lingerMs?: number;
}

/**
 * Group commit for any store operation: callers submit one item each; while a batch is in flight new
 * items queue, and the next batch takes everything queued (up to `maxBatch`). Each caller gets its own
 * result. Used where one transaction per item would spend its time on round trips (run submissions,
 * starts and finishes, as the ledger does for its commands).
 *
 * `process` must return one result per item, in order. If it throws, every item of that batch is
 * retried alone, so that one bad item cannot fail its neighbours; the culprit's caller gets the error.
 */
export class Batcher<I, R> {
  readonly #process: (items: I[]) => Promise<R[]>;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #lingerMs: number;
  readonly #queue: Waiting<I, R>[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(process: (items: I[]) => Promise<R[]>, options: BatcherOptions = {}) {
    this.#process = process;
    this.#maxBatch = options.maxBatch ?? 128;
    this.#maxInFlight = options.maxInFlight ?? 2;
    this.#lingerMs = options.lingerMs ?? 0;
  }

  submit(item: I): Promise<R> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight || this.#queue.length === 0) return;
    this.#scheduled = true;
    const go = () => {
      this.#scheduled = false;
      this.#pump();
    };
    // A microtask lets items submitted in the same tick share the first batch; a linger, those on their way.
    if (this.#lingerMs > 0) setTimeout(go, this.#lingerMs);
    else queueMicrotask(go);
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
      const share = Math.ceil(this.#queue.length / (this.#maxInFlight - this.#inFlight));
      const batch = this.#queue.splice(0, Math.min(share, this.#maxBatch));
      this.#inFlight++;
      void this.#run(batch).finally(() => {
        this.#inFlight--;
        this.#schedule();
      });
    }
  }

  async #run(batch: Waiting<I, R>[]): Promise<void> {
    try {
      const results = await this.#process(batch.map((b) => b.item));
      if (results.length !== batch.length) {
        throw new Error(`batch returned ${results.length} results for ${batch.length} items`);
      }
      batch.forEach((b, i) => {
        b.resolve(results[i]!);
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      for (const b of batch) {
        await this.#process([b.item]).then(
          (r) => b.resolve(r[0]!),
          (e: unknown) => b.reject(e),
        );
      }
    }
  }
}
