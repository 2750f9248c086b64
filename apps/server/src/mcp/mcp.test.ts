import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Actor, loadConfig, type Run } from '@jeton/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../server.ts';
import { MAX_MCP_BODY_BYTES } from './mcp-routes.ts';

const creator: Actor = { id: 'usr_mcpcreator', role: 'user' };
const buyer: Actor = { id: 'usr_mcpbuyer', role: 'user' };
const poor: Actor = { id: 'usr_mcppoor', role: 'user' };

type Structured = {
  status: string;
  runId: string;
  charged: number | null;
  refunded: number | null;
  failure: { code: string; fault: string; message: string } | null;
  question?: { text: string };
  artifacts: { id: string; name: string; mediaType: string; size: number; url: string }[];
  problem?: { type: string; issues?: { path: string; message: string }[] };
};
const text = (r: CallToolResult) =>
  r.content
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');
const structured = (r: CallToolResult) => r.structuredContent as Structured;

/**
 * The MCP server as an MCP client meets it: the official SDK's client over Streamable HTTP, against
 * a real server on the embedded database with the built-in agents seeded, paying from a real wallet.
 */
describe('MCP over Streamable HTTP at /mcp', () => {
  let server: RunningServer;
  let key: string;
  let poorKey: string;
  const clients: Client[] = [];

  const connect = async (apiKey: string | null) => {
    const client = new Client({ name: 'jeton-mcp-test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(
      new URL(`${server.url}/mcp`),
      apiKey === null ? {} : { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } },
    );
    await client.connect(transport);
    clients.push(client);
    return client;
  };
  const balance = async (a: Actor) => {
    const b = await server.ledger.balance(a.id);
    return { available: b?.available, held: b?.held };
  };
  const runsOf = async (a: Actor, status?: Run['status']) =>
    (await server.runs.engine.list(a, { cursor: null, limit: 100, ...(status ? { status } : {}) }))?.items ??
    [];
  /**
   * Calls `mcp-spins` (an agent that runs until stopped) and returns once it is running, with the
   * call still pending: in an object, since returning the promise itself would wait for it.
   */
  const spinning = async (client: Client, signal?: AbortSignal) => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const call = client.callTool({ name: 'mcp-spins', arguments: {} }, undefined, {
      ...(signal ? { signal } : {}),
      onprogress: (p) => {
        if (p.message === 'spinning') started();
      },
    });
    call.catch(() => {});
    await running;
    return { call };
  };
  /** The run once it has ended (a cancellation is handled after the call has already failed). */
  const endedRun = async (id: string) => {
    let ended = await server.runs.store.get(id);
    while (ended && !ended.endedAt) {
      await new Promise((r) => setTimeout(r, 50));
      ended = await server.runs.store.get(id);
    }
    return ended;
  };
  const publishCode = async (slug: string, code: string) => {
    const d = await server.catalog.saveDraft(
      creator,
      {
        manifestVersion: 1,
        slug,
        name: `Test agent ${slug}`,
        summary: 'An agent published by the MCP tests.',
        category: 'writing',
        version: '1.0.0',
        input: { type: 'object', properties: { text: { type: 'string', title: 'Text' } } },
        pricing: { model: 'per_run', credits: 4 },
        limits: { timeoutSeconds: 30 },
        runtime: { kind: 'code', entry: 'agent.js' },
      },
      { bundle: code },
    );
    if (!d.ok) throw new Error(JSON.stringify(d.error));
    const p = await server.catalog.publish(creator, slug, '1.0.0');
    if (!p.ok) throw new Error(JSON.stringify(p.error));
  };

  beforeAll(async () => {
    const loaded = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      JETON_DATA_DIR: 'memory',
      JETON_BLOB_DIR: mkdtempSync(join(tmpdir(), 'jeton-mcp-blobs-')),
    });
    if (!loaded.ok) throw new Error(loaded.errors.join());
    server = await startServer(loaded.config, pino({ level: 'silent' }));
    await server.catalog.registerCreator({ id: creator.id, handle: 'mcp-creator', displayName: 'Creator' });
    await publishCode('mcp-fails', 'export default async function run() { throw new Error("out of ink"); }');
    await publishCode(
      'mcp-asks',
      'export default async function run(ctx) { await ctx.ask("Which colour?", { type: "object", properties: { colour: { type: "string", title: "Colour" } } }); }',
    );
    await publishCode(
      'mcp-spins',
      'export default async function run(ctx) { ctx.progress(5, "spinning"); for (;;) { if (ctx.signal.aborted) return; } }',
    );
    for (const a of [buyer, poor]) await server.ledger.openAccounts(a.id);
    await server.ledger.topUp({ id: 'mcp-top', userId: buyer.id, amount: 1000n });
    key = (await server.keys.create(buyer.id, 'mcp tests')).key;
    poorKey = (await server.keys.create(poor.id, 'mcp tests')).key;
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await server?.close();
  });

  it('lists each built-in agent as a tool, its input schema as the tool’s, its price in the description', async () => {
    const client = await connect(key);
    expect(client.getServerVersion()?.name).toBe('jeton');
    const { tools } = await client.listTools();
    for (const slug of ['3d-character', 'brand-kit', 'code-audit', 'data-cleaner']) {
      const tool = tools.find((t) => t.name === slug);
      expect(tool, slug).toBeDefined();
      const page = await server.catalog.get(null, slug);
      if (!page.ok || !page.value.current) throw new Error(`${slug} is not published`);
      const input = page.value.current.manifest.input;
      expect(tool!.inputSchema.type).toBe('object');
      expect(Object.keys(tool!.inputSchema.properties ?? {}).sort()).toEqual(
        Object.keys(input.properties).sort(),
      );
      expect(tool!.inputSchema.required ?? []).toEqual(input.required);
      expect(tool!.inputSchema.additionalProperties).toBe(false);
      // Plain JSON Schema: the web form's hints are not keywords of the tool's schema.
      expect(JSON.stringify(tool!.inputSchema)).not.toMatch(/"(editor|enumTitles|accept|maxBytes|maxCount)"/);
    }
    const brand = tools.find((t) => t.name === 'brand-kit')!;
    expect(brand.description).toContain('20 credits per successful run');
    expect(brand.inputSchema.properties?.company).toMatchObject({
      type: 'string',
      minLength: 1,
      maxLength: 60,
    });
    expect(brand.inputSchema.properties?.mood).toMatchObject({
      enum: ['calm', 'bold', 'playful', 'serious', 'elegant'],
    });
    // A file field is what the platform takes, uploaded file ids, and says where to upload them.
    const archive = tools.find((t) => t.name === 'code-audit')!.inputSchema.properties?.archive as {
      type: string;
      items: unknown;
      maxItems: number;
      description: string;
    };
    expect(archive).toMatchObject({ type: 'array', items: { type: 'string' }, maxItems: 1 });
    expect(archive.description).toContain(`${server.url}/v1/files?agent=code-audit&field=archive`);
  });

  it('runs brand-kit: progress as it goes, the result with artifact links that download, the wallet charged the price', async () => {
    const client = await connect(key);
    const before = await balance(buyer);
    const progress: Progress[] = [];
    const result = (await client.callTool(
      { name: 'brand-kit', arguments: { company: 'Acme & Sons', mood: 'bold' } },
      undefined,
      { onprogress: (p) => progress.push(p) },
    )) as CallToolResult;

    expect(result.isError).toBeFalsy();
    const out = structured(result);
    expect(out).toMatchObject({ status: 'succeeded', charged: 20, refunded: 0, failure: null });
    expect(text(result)).toContain('succeeded');
    expect(text(result)).toContain('Charged 20 credits');
    expect(await balance(buyer)).toEqual({ available: before.available! - 20n, held: before.held });

    const links = result.content.filter((c) => c.type === 'resource_link');
    expect(links.map((l) => l.name).sort()).toEqual(['logo.svg', 'palette.json', 'palette.md']);
    for (const link of links) {
      expect(link.uri).toMatch(new RegExp(`^${server.url}/v1/runs/${out.runId}/artifacts/art_`));
      const res = await fetch(link.uri, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(link.mimeType);
      expect((await res.arrayBuffer()).byteLength).toBe(link.size);
      expect((await fetch(link.uri)).status).toBe(401);
    }
    expect(out.artifacts.map((a) => a.url).sort()).toEqual(links.map((l) => l.uri).sort());
    expect(
      new TextDecoder().decode(
        await (
          await fetch(links.find((l) => l.name === 'logo.svg')!.uri, {
            headers: { authorization: `Bearer ${key}` },
          })
        ).arrayBuffer(),
      ),
    ).toContain('Acme &amp; Sons');

    // Progress arrived as the run went, each notification above the last, ending at 100%.
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress[0]!.message).toContain(out.runId);
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
    expect(progress.map((p) => p.message)).toEqual(expect.arrayContaining(['Running']));
    expect(progress.at(-1)).toMatchObject({
      progress: 100,
      total: 100,
      message: 'Succeeded: charged 20 credits',
    });
  });

  it('refuses arguments that do not match the input schema, naming each by its JSON path, charging nothing', async () => {
    const client = await connect(key);
    const before = await balance(buyer);
    const runs = (await runsOf(buyer)).length;
    const result = (await client.callTool({
      name: 'brand-kit',
      arguments: { company: '', mood: 'grumpy' },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toContain('$.company');
    expect(text(result)).toContain('$.mood');
    expect(text(result)).toContain('Nothing was charged');
    expect(structured(result)).toMatchObject({
      status: 'refused',
      problem: {
        type: '/problems/input-invalid',
        issues: expect.arrayContaining([expect.objectContaining({ path: '$.company' })]),
      },
    });
    expect(await balance(buyer)).toEqual(before);
    expect(await runsOf(buyer)).toHaveLength(runs);
  });

  it('answers an unknown tool and a bad control with isError, not a protocol error', async () => {
    const client = await connect(key);
    const unknown = (await client.callTool({ name: 'no-such-agent', arguments: {} })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    expect(text(unknown)).toContain('No agent "no-such-agent"');

    const capped = (await client.callTool({
      name: 'brand-kit',
      arguments: { company: 'Acme' },
      _meta: { 'jeton/maxCredits': 5 },
    })) as CallToolResult;
    expect(capped.isError).toBe(true);
    expect(structured(capped).problem?.type).toBe('/problems/quote-exceeds-cap');
    expect(text(capped)).toContain('your cap is 5');
  });

  it('refuses a buyer without the credits, saying so, with nothing charged and no run', async () => {
    const client = await connect(poorKey);
    const result = (await client.callTool({
      name: 'brand-kit',
      arguments: { company: 'Acme' },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/Not enough credits.*20 credits/s);
    expect(structured(result).problem?.type).toBe('/problems/insufficient-credits');
    expect(await balance(poor)).toEqual({ available: 0n, held: 0n });
    expect(await runsOf(poor)).toEqual([]);
  });

  it('turns away a client without a key, or with a bad one, with a 401', async () => {
    await expect(connect(null)).rejects.toMatchObject({ code: 401 });
    await expect(connect('jtn_not_a_real_key')).rejects.toMatchObject({ code: 401 });
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ type: '/problems/unauthenticated' });
  });

  it('caps the size of a message', async () => {
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'brand-kit', arguments: { company: 'x'.repeat(MAX_MCP_BODY_BYTES) } },
      }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ type: '/problems/body-too-large' });
  });

  it('reports a failed run as an error with its fault, the hold refunded', async () => {
    const client = await connect(key);
    const before = await balance(buyer);
    const result = (await client.callTool({ name: 'mcp-fails', arguments: { text: 'x' } })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(structured(result)).toMatchObject({
      status: 'failed',
      charged: 0,
      refunded: 4,
      failure: { fault: 'agent', message: expect.stringContaining('out of ink') },
    });
    expect(text(result)).toContain('out of ink');
    expect(text(result)).toContain('fault: agent');
    expect(text(result)).toContain('4 of the 4 credits held went back to your wallet');
    expect(await balance(buyer)).toEqual(before);
  });

  it('cancels a run whose agent asks a question, which MCP cannot answer, and says so', async () => {
    const client = await connect(key);
    const before = await balance(buyer);
    const result = (await client.callTool({ name: 'mcp-asks', arguments: {} })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(structured(result)).toMatchObject({
      status: 'cancelled',
      charged: 0,
      question: { text: 'Which colour?' },
    });
    expect(text(result)).toContain('cannot be answered over MCP');
    expect((await server.runs.store.get(structured(result).runId))?.status).toBe('cancelled');
    expect(await balance(buyer)).toEqual(before);
  });

  it('cancels the run when the client cancels the call, and refunds it', async () => {
    const client = await connect(key);
    const before = await balance(buyer);
    const abort = new AbortController();
    const { call } = await spinning(client, abort.signal);
    const [run] = await runsOf(buyer, 'running');
    expect(run?.slug).toBe('mcp-spins');
    abort.abort('changed my mind');
    await expect(call).rejects.toThrow();

    // The cancellation travels in a request of its own; the run ends when it has been handled.
    expect(await endedRun(run!.id)).toMatchObject({ status: 'cancelled', charged: 0 });
    expect(await balance(buyer)).toEqual(before);
  });

  it('cancels the run when the client goes away mid-call', async () => {
    const client = await connect(key);
    const before = await balance(buyer);
    const { call } = await spinning(client);
    const [run] = await runsOf(buyer, 'running');
    expect(run?.slug).toBe('mcp-spins');
    // Closing the transport drops the connection that carries the call's answer; no cancellation is sent.
    await client.close();
    await expect(call).rejects.toThrow();

    expect(await endedRun(run!.id)).toMatchObject({ status: 'cancelled', charged: 0 });
    expect(await balance(buyer)).toEqual(before);
  });
});
