/**
 * A stream of byte chunks pushed by one side and pulled by the other, one at a time: `push` resolves
 * when the consumer has taken the chunk, so a fast producer in another thread never piles up more than
 * one chunk here. `fail` makes the consumer throw; `end` finishes it.
 */
export class ByteChannel {
  #chunk: { bytes: Uint8Array; taken: () => void } | null = null;
  #wake: (() => void) | null = null;
  #ended = false;
  #error: unknown = null;
  #closed: unknown = null;

  push(bytes: Uint8Array): Promise<void> {
    if (this.#closed !== null) return Promise.reject(this.#closed);
    // One chunk at a time: the producer waits for each push before the next.
    if (this.#chunk !== null) throw new Error('ByteChannel: a chunk is already waiting');
    return new Promise<void>((taken) => {
      this.#chunk = { bytes, taken };
      this.#wake?.();
    });
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  fail(error: unknown): void {
    this.#error = error;
    this.#wake?.();
  }

  /** The consumer stopped (it failed or finished early): later pushes are refused with `reason`. */
  close(reason: unknown): void {
    this.#closed = reason;
    const c = this.#chunk;
    this.#chunk = null;
    c?.taken();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      if (this.#error !== null) throw this.#error;
      const c = this.#chunk;
      if (c) {
        this.#chunk = null;
        c.taken();
        yield c.bytes;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
  }
}
