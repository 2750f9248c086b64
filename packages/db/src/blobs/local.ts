import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { BlobPut, BlobStorage } from '@jeton/core';
import { assertBlobKey } from './key.ts';

/**
 * Blobs as files under a directory (the data dir's `blobs/` by default). A write goes to a temporary
 * file that is renamed into place once complete, so a reader never sees half a file, and a write cut
 * short (too large, a crash) leaves nothing behind under the key.
 */
export class LocalBlobStorage implements BlobStorage {
  readonly #root: string;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  async put(
    key: string,
    bytes: Uint8Array | AsyncIterable<Uint8Array>,
    options: { maxBytes?: number } = {},
  ): Promise<BlobPut> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomBytes(6).toString('hex')}.part`;
    const hash = createHash('sha256');
    const max = options.maxBytes ?? Number.POSITIVE_INFINITY;
    let size = 0;
    const file = await open(temp, 'w');
    try {
      const chunks = bytes instanceof Uint8Array ? [bytes] : bytes;
      for await (const chunk of chunks) {
        size += chunk.byteLength;
        if (size > max) {
          await file.close();
          await rm(temp, { force: true });
          return { ok: false, reason: 'too_large', maxBytes: max };
        }
        hash.update(chunk);
        await file.write(chunk);
      }
      await file.sync();
      await file.close();
      await rename(temp, path);
    } catch (error) {
      await file.close().catch(() => {});
      await rm(temp, { force: true });
      throw error;
    }
    return { ok: true, size, sha256: hash.digest('hex') };
  }

  async get(key: string): Promise<ReadableStream<Uint8Array> | null> {
    const path = this.#path(key);
    const found = await stat(path).catch(() => null);
    if (!found?.isFile()) return null;
    return Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }

  #path(key: string): string {
    assertBlobKey(key);
    const path = join(this.#root, ...key.split('/'));
    if (!path.startsWith(this.#root + sep)) throw new TypeError(`not a blob key: ${JSON.stringify(key)}`);
    return path;
  }
}
