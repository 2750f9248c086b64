import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Actor, type Config, loadConfig, RegistryExecutor } from '@jeton/core';
import { agentManifest } from '@jeton/db/testing';
import { pino } from 'pino';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../server.ts';

const labs: Actor = { id: 'jeton-labs', role: 'user' };

/** An agent taking one CSV of at most 64 bytes; it writes the file's size and first line back. */
const csvAgent = agentManifest('csv-head', {
  input: {
    type: 'object',
    required: ['table'],
    properties: {
      table: {
        type: 'array',
        title: 'Table',
        editor: 'file',
        items: { type: 'string' },
        accept: ['text/csv', '.csv'],
        maxBytes: 64,
        maxCount: 1,
      },
    },
  },
});

/**
 * Input files over HTTP, on a server whose blobs live in an S3-compatible store (s3rver on loopback):
 * the upload, its limits, the submission's checks, and an artifact written to and read from S3.
 */
describe('input files and S3 storage over HTTP', () => {
  let s3: { close(): Promise<unknown> };
  let server: RunningServer;
  let key: string;
  let otherKey: string;

  const upload = (name: string, body: string, type: string, query = '', k = key) =>
    fetch(`${server.url}/v1/files?name=${encodeURIComponent(name)}${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${k}`, 'content-type': type },
      body,
    });
  const submit = (input: unknown) =>
    fetch(`${server.url}/v1/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agent: 'csv-head', input }),
    });

  beforeAll(async () => {
    const s3rver = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: mkdtempSync(join(tmpdir(), 'jeton-s3rver-')),
      configureBuckets: [{ name: 'jeton-files', configs: [] }],
    });
    const { port } = (await s3rver.run()) as { port: number };
    s3 = { close: () => s3rver.close() };
    const loaded = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      JETON_DATA_DIR: 'memory',
      JETON_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      JETON_S3_BUCKET: 'jeton-files',
      JETON_S3_ACCESS_KEY_ID: 'S3RVER',
      JETON_S3_SECRET_ACCESS_KEY: 'S3RVER',
      JETON_HEARTBEAT_MS: '200',
    });
    if (!loaded.ok) throw new Error(loaded.errors.join());
    server = await startServer(loaded.config as Config, pino({ level: 'silent' }), {
      executor: new RegistryExecutor({
        'csv-head': async (ctx) => {
          const [id] = ctx.input.table as string[];
          const [file] = await server.runs.store.filesOf(buyer, [id!]);
          const text = await new Response(await server.runs.storage.get(file!.storageKey)).text();
          await ctx.artifact(
            'head.txt',
            new TextEncoder().encode(`${file!.size}:${text.split('\n')[0]}`),
            'text/plain',
          );
        },
      }),
    });
    const d = await server.catalog.saveDraft(labs, csvAgent);
    if (!d.ok) throw new Error(JSON.stringify(d.error));
    const p = await server.catalog.publish(labs, 'csv-head', '1.0.0');
    if (!p.ok) throw new Error(JSON.stringify(p.error));
    await server.ledger.openAccounts(buyer);
    await server.ledger.topUp({ id: 'files-top', userId: buyer, amount: 100n });
    key = (await server.keys.create(buyer, 'files')).key;
    otherKey = (await server.keys.create('usr_filestranger', 'other')).key;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await s3?.close();
  });

  const buyer = 'usr_filebuyer';

  it('uploads a file within its field’s limits and runs the agent on it; the artifact lives in S3', async () => {
    const res = await upload('people.csv', 'name,age\nada,36\n', 'text/csv', '&agent=csv-head&field=table');
    expect(res.status).toBe(201);
    const file = (await res.json()) as { id: string; size: number; sha256: string };
    expect(file).toMatchObject({ size: 16, object: 'file', name: 'people.csv', mediaType: 'text/csv' });
    const { createHash } = await import('node:crypto');
    expect(file.sha256).toBe(createHash('sha256').update('name,age\nada,36\n').digest('hex'));

    const run = (await (await submit({ table: [file.id] })).json()) as { id: string };
    let done: { status: string } = { status: 'queued' };
    for (let i = 0; i < 200 && !['succeeded', 'failed'].includes(done.status); i++) {
      await new Promise((r) => setTimeout(r, 25));
      done = (await (
        await fetch(`${server.url}/v1/runs/${run.id}`, { headers: { authorization: `Bearer ${key}` } })
      ).json()) as {
        status: string;
      };
    }
    expect(done).toMatchObject({ status: 'succeeded' });
    const { data } = (await (
      await fetch(`${server.url}/v1/runs/${run.id}/artifacts`, {
        headers: { authorization: `Bearer ${key}` },
      })
    ).json()) as { data: { url: string }[] };
    const artifact = await fetch(`${server.url}${data[0]!.url}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(await artifact.text()).toBe('16:name,age');
  });

  it('applies the field’s limits while uploading: size, type, and whether it takes files at all', async () => {
    const big = await upload('big.csv', 'x'.repeat(65), 'text/csv', '&agent=csv-head&field=table');
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ type: '/problems/file-too-large', maxBytes: 64 });
    const png = await upload('cat.png', 'PNG', 'image/png', '&agent=csv-head&field=table');
    expect(png.status).toBe(415);
    expect(await png.json()).toMatchObject({
      type: '/problems/file-type-refused',
      accept: ['text/csv', '.csv'],
    });
    const field = await upload('a.csv', 'a', 'text/csv', '&agent=csv-head&field=nope');
    expect(field.status).toBe(422);
    expect((await upload('../evil', 'a', 'text/csv')).status).toBe(400);
    expect((await upload('a.csv', 'a', 'text/csv', '', 'jtn_nope')).status).toBe(401);
  });

  it('checks the files a submission names: unknown, someone else’s, too large or of the wrong type', async () => {
    const theirs = (await (await upload('t.csv', 'a,b', 'text/csv', '', otherKey)).json()) as { id: string };
    const large = (await (await upload('l.csv', 'x'.repeat(100), 'text/csv')).json()) as { id: string };
    const wrong = (await (await upload('w.txt', 'hello', 'text/plain')).json()) as { id: string };
    for (const [id, message] of [
      ['fil_00000000000000000000000000', /no such uploaded file/],
      [theirs.id, /no such uploaded file/],
      [large.id, /at most 64/],
      [wrong.id, /not one of text\/csv, \.csv/],
    ] as const) {
      const res = await submit({ table: [id] });
      expect(res.status).toBe(422);
      const body = (await res.json()) as { type: string; issues: { path: string; message: string }[] };
      expect(body.type).toBe('/problems/input-invalid');
      expect(body.issues).toEqual([{ path: '$.table[0]', message: expect.stringMatching(message) }]);
    }
    expect((await server.ledger.balance(buyer))?.held).toBe(0n);
  });
});
