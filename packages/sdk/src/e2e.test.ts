import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@jeton/core';
import { type RunningServer, startServer } from '@jeton/server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Jeton } from './index.ts';
import type { RunEvent } from './types.ts';

/**
 * The whole public surface, the way a new developer meets it: sign up (and get the welcome credits),
 * create a key, run a built-in agent with the SDK and stream its events, download its artifact,
 * receive the signed `run.succeeded` webhook, and call the same agent through MCP.
 */
describe('a new developer, end to end', () => {
  let server: RunningServer;
  let url: string;
  const hooks: { body: string; headers: IncomingHttpHeaders }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      hooks.push({ body, headers: req.headers });
      res.writeHead(204).end();
    });
  });

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jeton-e2e-'));
    const loaded = loadConfig({
      JETON_DATA_DIR: join(dir, 'data'),
      PORT: '0',
      LOG_LEVEL: 'silent',
      JETON_WELCOME_CREDITS: '200',
      JETON_CHECK_RESPONSES: 'true',
      // The receiver is on loopback, which production refuses (SSRF).
      JETON_WEBHOOKS_ALLOW_PRIVATE: 'true',
    });
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    server = await startServer(loaded.config);
    url = server.url!;
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    receiver.close();
    await server?.close();
  });

  it('signs up, runs an agent with the SDK, gets the webhook, and runs it again over MCP', async () => {
    // Sign up in the browser; the session makes an API key.
    const signUp = await fetch(`${url}/v1/auth/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'dev@example.com', password: 'a good long password', name: 'Dev' }),
    });
    expect(signUp.status).toBe(201);
    const cookie = signUp.headers.get('set-cookie')!.split(';')[0]!;
    const created = await fetch(`${url}/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ name: 'laptop' }),
    });
    const { key } = (await created.json()) as { key: string };

    const jeton = new Jeton({ apiKey: key, baseUrl: url });
    expect(await jeton.wallet.get()).toMatchObject({
      available: 200,
      promo: { available: 200 },
      paid: { available: 0 },
    });

    const { port } = receiver.address() as AddressInfo;
    const endpoint = await jeton.webhookEndpoints.create({
      url: `http://127.0.0.1:${port}/jeton`,
      events: ['run.succeeded'],
    });

    const input = { company: 'Acme & Sons', mood: 'calm' };
    const price = (await jeton.agents.get('brand-kit')).price.maxCredits;
    const run = await jeton.runs.create({ agent: 'brand-kit', input });
    const events: RunEvent[] = [];
    for await (const e of jeton.runs.events(run.id)) events.push(e);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ type: 'status', status: 'succeeded', charged: price });
    expect(events.some((e) => e.type === 'artifact')).toBe(true);

    const done = await jeton.runs.wait(run.id);
    expect(done).toMatchObject({ status: 'succeeded', charged: price });
    const [artifact] = await jeton.runs.artifacts(run.id);
    const bytes = Buffer.from(await (await jeton.runs.downloadArtifact(run.id, artifact!.id)).arrayBuffer());
    expect(bytes.length).toBe(artifact!.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(artifact!.sha256);
    expect((await jeton.wallet.get()).available).toBe(200 - price);

    // The signed webhook, verified as a receiver would.
    for (let i = 0; i < 200 && hooks.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(hooks).toHaveLength(1);
    const payload = new Webhook(endpoint.secret).verify(hooks[0]!.body, {
      'webhook-id': String(hooks[0]!.headers['webhook-id']),
      'webhook-timestamp': String(hooks[0]!.headers['webhook-timestamp']),
      'webhook-signature': String(hooks[0]!.headers['webhook-signature']),
    }) as { type: string; data: { run: { id: string; charged: number } } };
    expect(payload).toMatchObject({ type: 'run.succeeded', data: { run: { id: run.id, charged: price } } });

    // The same agent as a tool of an AI assistant, paid from the same wallet.
    const mcp = new Client({ name: 'e2e', version: '1.0.0' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${key}` } },
      }),
    );
    const tools = await mcp.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('brand-kit');
    const result = await mcp.callTool({ name: 'brand-kit', arguments: input });
    await mcp.close();
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: 'succeeded', charged: price });
    const links = (result.content as { type: string; uri?: string }[]).filter(
      (c) => c.type === 'resource_link',
    );
    expect(links.length).toBeGreaterThan(0);
    const viaLink = await fetch(links[0]!.uri!, { headers: { authorization: `Bearer ${key}` } });
    expect(viaLink.status).toBe(200);

    expect((await jeton.wallet.get()).available).toBe(200 - 2 * price);
    expect((await server.ledger.verify()).ok).toBe(true);
  });
});
