import { createHash } from 'node:crypto';
import type { BlobPut, BlobStorage, Config } from '@jeton/core';
import { AwsClient } from 'aws4fetch';
import { assertBlobKey } from './key.ts';

/** Endpoint, bucket, region, keys and addressing style, as `JETON_S3_*` configure them. */
export type S3Options = NonNullable<Config['s3']>;

/**
 * Blobs in any S3-compatible store (AWS S3, MinIO, Cloudflare R2, ...), signed with AWS Signature V4.
 * A blob is sent whole once its size is known to be within the limit, so a refused one is never
 * stored, and what is stored carries its SHA-256 (the store checks it against `x-amz-content-sha256`).
 */
export class S3BlobStorage implements BlobStorage {
  readonly #client: AwsClient;
  readonly #o: S3Options;

  constructor(options: S3Options) {
    this.#o = options;
    this.#client = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      region: options.region,
      service: 's3',
    });
  }

  async put(
    key: string,
    bytes: Uint8Array | AsyncIterable<Uint8Array>,
    options: { maxBytes?: number } = {},
  ): Promise<BlobPut> {
    const max = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of bytes instanceof Uint8Array ? [bytes] : bytes) {
      size += chunk.byteLength;
      if (size > max) return { ok: false, reason: 'too_large', maxBytes: max };
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const res = await this.#client.fetch(this.#url(key), {
      method: 'PUT',
      body,
      headers: { 'content-length': String(size), 'x-amz-content-sha256': sha256 },
    });
    if (!res.ok) throw new Error(`S3 PUT ${key}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    await res.arrayBuffer();
    return { ok: true, size, sha256 };
  }

  async get(key: string): Promise<ReadableStream<Uint8Array> | null> {
    const res = await this.#client.fetch(this.#url(key), { method: 'GET' });
    if (res.status === 404) {
      await res.arrayBuffer();
      return null;
    }
    if (!res.ok || !res.body) throw new Error(`S3 GET ${key}: ${res.status}`);
    return res.body;
  }

  async delete(key: string): Promise<void> {
    const res = await this.#client.fetch(this.#url(key), { method: 'DELETE' });
    await res.arrayBuffer();
    if (!res.ok && res.status !== 404) throw new Error(`S3 DELETE ${key}: ${res.status}`);
  }

  #url(key: string): string {
    assertBlobKey(key);
    const base = new URL(this.#o.endpoint);
    const path = key.split('/').map(encodeURIComponent).join('/');
    if (this.#o.pathStyle) return `${base.origin}/${this.#o.bucket}/${path}`;
    return `${base.protocol}//${this.#o.bucket}.${base.host}/${path}`;
  }
}
