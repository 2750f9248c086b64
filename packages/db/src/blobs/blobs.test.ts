import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlobStorage } from '@jeton/core';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBlobStorage } from './local.ts';
import { S3BlobStorage } from './s3.ts';

/** s3rver: a local server that speaks S3's wire protocol and checks Signature V4 with these credentials. */
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let s3: { close(): Promise<void> } | null = null;
let endpoint = '';

beforeAll(async () => {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: mkdtempSync(join(tmpdir(), 'jeton-s3rver-')),
    configureBuckets: [{ name: 'jeton-test', configs: [] }],
  });
  const { address, port } = (await server.run()) as unknown as { address: string; port: number };
  endpoint = `http://${address}:${port}`;
  s3 = { close: () => server.close() as unknown as Promise<void> };
});
afterAll(async () => {
  await s3?.close();
});

const stores: [string, () => BlobStorage][] = [
  ['local files', () => new LocalBlobStorage(mkdtempSync(join(tmpdir(), 'jeton-blobs-')))],
  [
    'S3 (s3rver on loopback)',
    () =>
      new S3BlobStorage({
        endpoint,
        bucket: 'jeton-test',
        region: 'us-east-1',
        pathStyle: true,
        ...CREDENTIALS,
      }),
  ],
];

async function* chunks(...parts: string[]) {
  for (const p of parts) yield new TextEncoder().encode(p);
}

describe.each(stores)('blob storage: %s', (_, make) => {
  it('keeps bytes whole with their size and SHA-256, reads them back, deletes them', async () => {
    const store = make();
    const put = await store.put('artifacts/run_1/art_1', chunks('hello ', 'world'));
    expect(put).toEqual({
      ok: true,
      size: 11,
      sha256: createHash('sha256').update('hello world').digest('hex'),
    });
    expect(await new Response(await store.get('artifacts/run_1/art_1')).text()).toBe('hello world');
    await store.put('artifacts/run_1/art_1', new TextEncoder().encode('replaced'));
    expect(await new Response(await store.get('artifacts/run_1/art_1')).text()).toBe('replaced');
    await store.delete('artifacts/run_1/art_1');
    expect(await store.get('artifacts/run_1/art_1')).toBeNull();
    await store.delete('artifacts/run_1/art_1'); // deleting twice is fine
  });

  it('refuses more than the limit and keeps nothing of it', async () => {
    const store = make();
    expect(await store.put('files/usr_1/fil_1', chunks('1234', '5678', '9'), { maxBytes: 8 })).toEqual({
      ok: false,
      reason: 'too_large',
      maxBytes: 8,
    });
    expect(await store.get('files/usr_1/fil_1')).toBeNull();
    expect(await store.put('files/usr_1/fil_2', chunks('12345678'), { maxBytes: 8 })).toMatchObject({
      ok: true,
      size: 8,
    });
  });

  it('never lets a key out of its root', async () => {
    const store = make();
    for (const key of ['../etc/passwd', 'a/../../b', '/abs', 'a/./b', '']) {
      await expect(store.put(key, chunks('x'))).rejects.toThrow(/not a blob key/);
    }
    expect(await store.get('never/written')).toBeNull();
  });
});

// s3rver parses Signature V4 headers and checks the access key, but does not recompute V4 signatures:
// the signing itself is aws4fetch's, tested by its authors against AWS's own test suite.
it('S3: every request carries a V4 signature, and an unknown access key is refused by the store', async () => {
  const unknown = new S3BlobStorage({
    endpoint,
    bucket: 'jeton-test',
    region: 'us-east-1',
    pathStyle: true,
    accessKeyId: 'NOT-A-KEY',
    secretAccessKey: 'S3RVER',
  });
  await expect(unknown.put('x/y', chunks('z'))).rejects.toThrow(/S3 PUT x\/y: 403 .*InvalidAccessKeyId/s);
});
