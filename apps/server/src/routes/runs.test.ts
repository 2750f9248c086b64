import type { Actor } from '@jeton/core';
import { type TestDatabase, testEngines } from '@jeton/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { publishFixtureAgent, startServerOn } from '../testing/engine-server.ts';

const labs: Actor = { id: 'jeton-labs', role: 'user' };

/** Reads an SSE response until it ends (or `max` events), as [{ id, event, data }]. */
async function readSse(res: Response, max = 1000) {
  const out: { id: string; event: string; data: Record<string, unknown> }[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  while (out.length < max) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let cut = buffer.indexOf('\n\n');
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const field = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim();
      if (field('data'))
        out.push({ id: field('id')!, event: field('event')!, data: JSON.parse(field('data')!) });
      cut = buffer.indexOf('\n\n');
    }
  }
  await reader.cancel().catch(() => {});
  return out;
}

describe.each(testEngines())('runs API on %s', (engine) => {
  let db: TestDatabase;
  let server: RunningServer;
  let key: string;
  let otherKey: string;
  let readOnlyKey: string;
  const buyerId = 'usr_apibuyer';

  const api = (path: string, init: RequestInit & { key?: string } = {}) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${init.key ?? key}`,
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  const submit = (body: unknown, headers: Record<string, string> = {}) =>
    api('/v1/runs', { method: 'POST', body: JSON.stringify(body), headers });
  const waitEnded = async (id: string) => {
    for (let i = 0; i < 400; i++) {
      const r = (await (await api(`/v1/runs/${id}`)).json()) as { endedAt: string | null };
      if (r.endedAt) return r as Record<string, unknown>;
      await new Promise((res) => setTimeout(res, 25));
    }
    throw new Error('run did not end');
  };

  beforeAll(async () => {
    ({ server, db } = await startServerOn(engine, { JETON_HEARTBEAT_MS: '200' }));
    for (const slug of ['echo', 'ask', 'hang']) await publishFixtureAgent(server, labs, slug);
    await server.ledger.openAccounts(buyerId);
    await server.ledger.topUp({ id: 'api-top', userId: buyerId, amount: 1000n });
    key = (await server.keys.create(buyerId, 'tests')).key;
    otherKey = (await server.keys.create('usr_someoneelse', 'other')).key;
    readOnlyKey = (await server.keys.create(buyerId, 'read only', ['runs:read'])).key;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (engine === 'postgres') await db?.drop();
  });

  it('asks for a live API key, and checks its scopes', async () => {
    const none = await fetch(`${server.url}/v1/runs`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await api('/v1/runs', { key: 'jtn_not-a-real-key' })).status).toBe(401);
    const scoped = await submit(
      { agent: 'echo', input: { text: 'x' } },
      { authorization: `Bearer ${readOnlyKey}` },
    );
    expect(scoped.status).toBe(403);
    expect(await scoped.json()).toMatchObject({ type: '/problems/insufficient-scope' });
  });

  it('answers bad requests with problem+json and changes nothing', async () => {
    const malformed = await api('/v1/runs', { method: 'POST', body: '{"agent": "echo",' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ type: '/problems/malformed-json' });

    const wrongTypes = await submit({ agent: 5, input: [], extra: 1 });
    expect(wrongTypes.status).toBe(422);
    const issues = ((await wrongTypes.json()) as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['$.agent', '$.input', '$']));

    const badInput = await submit({ agent: 'echo', input: { text: 'x'.repeat(1001) } });
    expect(badInput.status).toBe(422);
    expect(await badInput.json()).toMatchObject({
      type: '/problems/input-invalid',
      issues: [{ path: '$.text' }],
    });

    expect((await submit({ agent: 'nope', input: {} })).status).toBe(404);
    const capped = await submit({ agent: 'echo', input: { text: 'x' }, maxCredits: 5 });
    expect(capped.status).toBe(422);
    expect(await capped.json()).toMatchObject({
      type: '/problems/quote-exceeds-cap',
      quote: 10,
      maxCredits: 5,
    });

    const huge = await api('/v1/runs', {
      method: 'POST',
      body: JSON.stringify({ agent: 'echo', input: { text: 'x'.repeat(2_000_000) } }),
    });
    expect(huge.status).toBe(413);
    expect(
      (await api('/v1/runs', { method: 'POST', body: '{}', headers: { 'idempotency-key': 'has space' } }))
        .status,
    ).toBe(400);

    // Valid JSON that no database can store (NUL, a lone surrogate): refused with its path, not a 500.
    const nul = await api('/v1/runs', {
      method: 'POST',
      body: '{"agent":"echo","input":{"text":"a\\u0000b"}}',
    });
    expect(nul.status).toBe(422);
    expect(await nul.json()).toMatchObject({ issues: [{ path: '$.input.text' }] });
    const surrogate = await api('/v1/runs', {
      method: 'POST',
      body: '{"agent":"echo","input":{"\\ud800":"x"}}',
    });
    expect(surrogate.status).toBe(422);
    for (const path of ['/v1/runs/%00', '/v1/runs/run_%00/events', '/v1/runs/x/artifacts/%00']) {
      expect((await api(path)).status).toBe(404);
    }
    expect((await api('/v1/runs/%00/cancel', { method: 'POST' })).status).toBe(404);

    const list = (await (await api('/v1/runs')).json()) as { data: unknown[] };
    expect(list.data).toEqual([]);
    expect((await server.ledger.balance(buyerId))?.available).toBe(1000n);
  });

  it('runs an agent: 201 with Location, events over SSE to the final status, the artifact downloadable', async () => {
    const res = await submit({ agent: 'echo', input: { text: 'over http' } });
    expect(res.status).toBe(201);
    const run = (await res.json()) as { id: string; status: string; quote: number };
    expect(res.headers.get('location')).toBe(`/v1/runs/${run.id}`);
    expect(run).toMatchObject({ status: 'queued', quote: 10 });

    const stream = await api(`/v1/runs/${run.id}/events`, { headers: { accept: 'text/event-stream' } });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readSse(stream);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({
      event: 'status',
      data: { status: 'succeeded', charged: 10, refunded: 0 },
    });

    // Resuming after event 3 gives exactly the rest.
    const resumed = await readSse(
      await api(`/v1/runs/${run.id}/events`, { headers: { 'last-event-id': '3' } }),
    );
    expect(resumed.map((e) => e.id)).toEqual(events.slice(3).map((e) => e.id));

    const done = await waitEnded(run.id);
    expect(done).toMatchObject({ status: 'succeeded', charged: 10, failure: null });
    const { data } = (await (await api(`/v1/runs/${run.id}/artifacts`)).json()) as {
      data: { id: string; url: string; sha256: string }[];
    };
    expect(data).toHaveLength(1);
    const file = await api(data[0]!.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('text/plain');
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="echo.txt"');
    expect(await file.text()).toBe('over http');
    expect((await api(data[0]!.url, { headers: { 'if-none-match': `"${data[0]!.sha256}"` } })).status).toBe(
      304,
    );

    // Nobody else sees the run, its events or its artifacts: the same 404 as a run that does not exist.
    for (const path of [
      `/v1/runs/${run.id}`,
      `/v1/runs/${run.id}/events`,
      `/v1/runs/${run.id}/artifacts`,
      data[0]!.url,
    ]) {
      const r = await api(path, { key: otherKey });
      expect(r.status).toBe(404);
    }
    expect((await api('/v1/runs/run_00000000000000000000000000')).status).toBe(404);

    expect((await api(data[0]!.url, { method: 'DELETE' })).status).toBe(204);
    expect((await api(data[0]!.url)).status).toBe(404);
  });

  it('streams live: a client watching before the agent ends sees each event as it happens', async () => {
    const run = (await (await submit({ agent: 'ask', input: { text: 'x' } })).json()) as { id: string };
    const stream = api(`/v1/runs/${run.id}/events`).then((r) => readSse(r));
    type Waiting = { question: { id: string } | null; status: string };
    let waiting = (await (await api(`/v1/runs/${run.id}`)).json()) as Waiting;
    for (let i = 0; i < 400 && waiting.status !== 'awaiting_input'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      waiting = (await (await api(`/v1/runs/${run.id}`)).json()) as Waiting;
    }
    const bad = await api(`/v1/runs/${run.id}/answer`, {
      method: 'POST',
      body: JSON.stringify({ questionId: waiting.question!.id, answer: { colour: 'green' } }),
    });
    expect(bad.status).toBe(422);
    const good = await api(`/v1/runs/${run.id}/answer`, {
      method: 'POST',
      body: JSON.stringify({ questionId: waiting.question!.id, answer: { colour: 'red' } }),
    });
    expect(good.status).toBe(200);
    const events = await stream;
    expect(events.map((e) => e.event)).toEqual([
      'status',
      'status',
      'question',
      'answer',
      'artifact',
      'status',
    ]);
    expect(events[2]!.data).toMatchObject({ type: 'question', question: { text: 'Which colour?' } });
  });

  it('replays a submission with the same Idempotency-Key and refuses another body under it', async () => {
    const first = await submit({ agent: 'echo', input: { text: 'once' } }, { 'idempotency-key': 'order-42' });
    expect(first.status).toBe(201);
    const again = await submit({ agent: 'echo', input: { text: 'once' } }, { 'idempotency-key': 'order-42' });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const [a, b] = (await Promise.all([first.json(), again.json()])) as { id: string }[];
    expect(b!.id).toBe(a!.id);
    const conflict = await submit(
      { agent: 'echo', input: { text: 'twice' } },
      { 'idempotency-key': 'order-42' },
    );
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ type: '/problems/idempotency-conflict', runId: a!.id });
  });

  it('cancels a run, lists runs newest first with a cursor, and filters by status', async () => {
    const run = (await (await submit({ agent: 'hang', input: { text: 'x' } })).json()) as { id: string };
    const cancel = await api(`/v1/runs/${run.id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(200);
    expect(await cancel.json()).toMatchObject({
      status: 'cancelled',
      charged: 0,
      refunded: 10,
      failure: { fault: 'user_cancel' },
    });
    expect((await api(`/v1/runs/${run.id}/cancel`, { method: 'POST', key: otherKey })).status).toBe(404);

    const page1 = (await (await api('/v1/runs?limit=2')).json()) as {
      data: { id: string }[];
      nextCursor: string;
    };
    expect(page1.data).toHaveLength(2);
    expect(page1.data[0]!.id).toBe(run.id);
    const page2 = (await (await api(`/v1/runs?limit=2&cursor=${page1.nextCursor}`)).json()) as {
      data: { id: string }[];
    };
    expect(page2.data.map((r) => r.id)).not.toContain(page1.data[0]!.id);
    const cancelled = (await (await api('/v1/runs?status=cancelled')).json()) as { data: { id: string }[] };
    expect(cancelled.data.map((r) => r.id)).toEqual([run.id]);
    expect((await api('/v1/runs?cursor=garbage')).status).toBe(400);
    expect((await api('/v1/runs?limit=0')).status).toBe(400);
  });
});
