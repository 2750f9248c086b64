import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  InsufficientCreditsError,
  Jeton,
  NotFoundError,
  type RunEvent,
  ValidationError,
} from './index.ts';
import { fundedUser, type LocalServer, startLocalServer } from './testing.ts';

const BRAND_KIT = { agent: 'brand-kit', input: { company: 'Acme', mood: 'bold' } };

describe('the SDK against a real server', () => {
  let local: LocalServer;
  let jeton: Jeton;
  let key: string;

  beforeAll(async () => {
    local = await startLocalServer();
    key = (await fundedUser(local, 'sdkbuyer', 1000n)).key;
    jeton = new Jeton({ apiKey: key, baseUrl: local.url });
  });
  afterAll(() => local?.close());

  const collect = async (it: AsyncIterable<RunEvent>) => {
    const out: RunEvent[] = [];
    for await (const e of it) out.push(e);
    return out;
  };

  it('searches the catalog and shows an agent, without a key', async () => {
    const anonymous = new Jeton({ baseUrl: local.url });
    const page = await anonymous.agents.search({ q: 'character' });
    expect(page.data.map((a) => a.slug)).toContain('3d-character');
    const agent = await anonymous.agents.get('brand-kit');
    expect(agent.version?.input).toMatchObject({ required: ['company'] });
    await expect(anonymous.agents.get('no-such-agent')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('creates a run once per idempotency key, follows it to success, and its artifacts match their SHA-256', async () => {
    const run = await jeton.runs.create(BRAND_KIT, { idempotencyKey: 'sdk-order-1' });
    expect(run).toMatchObject({
      status: 'queued',
      agent: { slug: 'brand-kit' },
      idempotencyKey: 'sdk-order-1',
    });
    const again = await jeton.runs.create(BRAND_KIT, { idempotencyKey: 'sdk-order-1' });
    expect(again.id).toBe(run.id);
    await expect(
      jeton.runs.create({ ...BRAND_KIT, input: { company: 'Other' } }, { idempotencyKey: 'sdk-order-1' }),
    ).rejects.toBeInstanceOf(ConflictError);

    const events = await collect(jeton.runs.events(run.id));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.some((e) => e.type === 'progress')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'status', status: 'succeeded', charged: 20, refunded: 0 });

    const done = await jeton.runs.wait(run.id);
    expect(done).toMatchObject({ id: run.id, status: 'succeeded', charged: 20, refunded: 0 });

    // From a given point, exactly the rest.
    const rest = await collect(jeton.runs.events(run.id, { after: 3 }));
    expect(rest).toEqual(events.slice(3));
    // From past the end of a finished run: nothing, and the iterator ends.
    expect(await collect(jeton.runs.events(run.id, { after: events.length }))).toEqual([]);

    const artifacts = await jeton.runs.artifacts(run.id);
    expect(artifacts.map((a) => a.name).sort()).toEqual(['logo.svg', 'palette.json', 'palette.md']);
    for (const a of artifacts) {
      const res = await jeton.runs.downloadArtifact(run.id, a.id);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(a.sha256);
      expect(res.headers.get('content-type')).toBe(a.mediaType);
    }
    const wallet = await jeton.wallet.get();
    expect(wallet).toMatchObject({ object: 'wallet', available: 1000 - 20, held: 0 });
    const list = await jeton.runs.list();
    expect(list.data.filter((r) => r.id === run.id)).toHaveLength(1);
  });

  it('sends an idempotency key of its own when none is given', async () => {
    const run = await jeton.runs.create(BRAND_KIT);
    expect(run.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect((await jeton.runs.wait(run.id)).status).toBe('succeeded');
  });

  it('resumes a dropped event stream with Last-Event-ID: nothing missed, nothing twice', async () => {
    const run = await jeton.runs.create(BRAND_KIT);
    const all = await collect(jeton.runs.events(run.id));
    const asked: (string | null)[] = [];
    let cut = false;
    // A connection that breaks right after the second event, once.
    const breaking: typeof fetch = async (input, init) => {
      const req = new Request(input, init);
      const res = await fetch(req);
      if (!req.url.endsWith('/events')) return res;
      asked.push(req.headers.get('last-event-id'));
      if (cut) return res;
      cut = true;
      return new Response(cutAfterEvents(res.body!, 2), { status: res.status, headers: res.headers });
    };
    const flaky = new Jeton({ apiKey: key, baseUrl: local.url, fetch: breaking });
    const resumed = await collect(flaky.runs.events(run.id));
    expect(asked).toEqual(['0', '2']);
    expect(resumed).toEqual(all);
  });

  it('throws typed errors: validation with issue paths, authentication, not found, insufficient credits', async () => {
    const invalid = await jeton.runs
      .create({ agent: 'brand-kit', input: { company: '', mood: 'angry' } })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid).toMatchObject({ status: 422, type: '/problems/input-invalid' });
    expect((invalid as ValidationError).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['$.company', '$.mood']),
    );

    const noKey = await new Jeton({ baseUrl: local.url }).runs.list().catch((e: unknown) => e);
    expect(noKey).toBeInstanceOf(AuthenticationError);
    expect(noKey).toMatchObject({ status: 401 });
    const badKey = new Jeton({ apiKey: 'jtn_not-a-key', baseUrl: local.url });
    await expect(badKey.runs.list()).rejects.toBeInstanceOf(AuthenticationError);

    await expect(jeton.runs.get('run_nope')).rejects.toBeInstanceOf(NotFoundError);
    await expect(collect(jeton.runs.events('run_nope'))).rejects.toBeInstanceOf(NotFoundError);
    await expect(jeton.runs.wait('run_nope')).rejects.toBeInstanceOf(NotFoundError);

    const broke = new Jeton({ apiKey: (await fundedUser(local, 'broke', 0n)).key, baseUrl: local.url });
    await expect(broke.runs.create(BRAND_KIT)).rejects.toBeInstanceOf(InsufficientCreditsError);
  });

  it('uploads an input file for an agent’s file field', async () => {
    const csv = 'a,b\n1,2\n';
    const file = await jeton.files.upload(new Blob([csv], { type: 'text/csv' }), {
      name: 'data.csv',
      agent: 'data-cleaner',
      field: 'csv',
    });
    expect(file).toMatchObject({ object: 'file', name: 'data.csv', mediaType: 'text/csv', size: csv.length });
    expect(file.sha256).toBe(createHash('sha256').update(csv).digest('hex'));
    const wrongField = jeton.files.upload(csv, { name: 'x.csv', agent: 'data-cleaner', field: 'delimiter' });
    await expect(wrongField).rejects.toBeInstanceOf(ValidationError);
  });
});

/** The stream's bytes up to the end of its `n`th SSE event, then a broken connection. */
function cutAfterEvents(body: ReadableStream<Uint8Array>, n: number): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let seen = 0;
  let previous = 0;
  return new ReadableStream({
    async pull(controller) {
      const { value, done } = await reader.read();
      if (done) return controller.close();
      for (let i = 0; i < value.length; i++) {
        // An event ends with a blank line: two newlines in a row (possibly across chunks).
        if (value[i] === 10 && previous === 10 && ++seen === n) {
          controller.enqueue(value.subarray(0, i + 1));
          await reader.cancel();
          return controller.error(new TypeError('terminated'));
        }
        previous = value[i]!;
      }
      controller.enqueue(value);
    },
  });
}
