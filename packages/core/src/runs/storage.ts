/** Where artifacts and uploaded files live: local files by default, an S3-compatible store by configuration. */
export interface BlobStorage {
  /** Stores the bytes under `key` (replacing what was there) and reports their size and SHA-256 (hex). */
  put(
    key: string,
    bytes: Uint8Array | AsyncIterable<Uint8Array>,
    options?: { maxBytes?: number },
  ): Promise<BlobPut>;
  /** The bytes under `key`, or null when there are none. */
  get(key: string): Promise<ReadableStream<Uint8Array> | null>;
  delete(key: string): Promise<void>;
}

export type BlobPut =
  | { ok: true; size: number; sha256: string }
  | { ok: false; reason: 'too_large'; maxBytes: number };
