import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClaimedDelivery } from '@jeton/db';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender } from './send.ts';
import { guardedLookup, isPrivateAddress, webhookUrlProblem } from './url-guard.ts';

const secret = `whsec_${Buffer.from('a test secret of 32 bytes long!!').toString('base64')}`;

describe('webhook attempts over HTTP', () => {
  let server: Server;
  let base: string;
  const bodies: { path: string; headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        bodies.push({ path: req.url ?? '', headers: req.headers, body });
        if (req.url === '/long') return res.end('x'.repeat(5000));
        if (req.url === '/redirect') return res.writeHead(302, { location: '/ok' }).end();
        if (req.url === '/silent') return; // never answers
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const delivery = (path: string): ClaimedDelivery => ({
    id: 'msg_01test0000000000000000000',
    endpointId: 'whe_01test0000000000000000000',
    attempt: 1,
    maxAttempts: null,
    eventType: 'webhook.test',
    payload: { type: 'webhook.test', timestamp: '2026-01-01T00:00:00.000Z', data: {} },
    url: `${base}${path}`,
    secret,
  });

  it('posts the payload signed per Standard Webhooks and keeps the answer', async () => {
    const outcome = await httpSender({ allowPrivate: true })(delivery('/ok'));
    expect(outcome).toMatchObject({ statusCode: 200, response: 'ok', error: null });
    const got = bodies.find((b) => b.path === '/ok')!;
    expect(new Webhook(secret).verify(got.body, got.headers as Record<string, string>)).toEqual(
      delivery('/ok').payload,
    );
  });

  it('keeps the first KiB of an answer, follows no redirect, and gives up after its timeout', async () => {
    const send = httpSender({ allowPrivate: true, timeoutMs: 200 });
    expect((await send(delivery('/long'))).response).toHaveLength(1024);
    expect(await send(delivery('/redirect'))).toMatchObject({ statusCode: 302 });
    expect(bodies.filter((b) => b.path === '/ok')).toHaveLength(1);
    expect(await send(delivery('/silent'))).toMatchObject({ statusCode: null, error: 'timed out' });
  });

  it('refuses a private address at delivery time unless allowed, sending nothing', async () => {
    const before = bodies.length;
    const outcome = await httpSender({ allowPrivate: false })(delivery('/ok'));
    expect(outcome.statusCode).toBeNull();
    expect(outcome.error).toMatch(/^refused: /);
    expect(bodies).toHaveLength(before);
  });
});

describe('the URL guard', () => {
  it('tells private, loopback and link-local addresses from public ones', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.8',
      '172.20.1.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '64:ff9b::a00:1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it('refuses URLs that are not http(s), carry credentials, or name a private host', () => {
    expect(webhookUrlProblem('ftp://example.com/', false)).toMatch(/http/);
    expect(webhookUrlProblem('https://user:pw@example.com/', false)).toMatch(/credentials/);
    expect(webhookUrlProblem('http://localhost:3000/', false)).toMatch(/private/);
    expect(webhookUrlProblem('http://0x7f000001/', false)).toMatch(/private/);
    expect(webhookUrlProblem('http://localhost:3000/', true)).toBeNull();
    expect(webhookUrlProblem('https://example.com/hook', false)).toBeNull();
  });

  it('refuses a name that resolves to a private address', async () => {
    const resolve = (allow: boolean) =>
      new Promise<{ error: NodeJS.ErrnoException | null; address: string }>((r) =>
        guardedLookup(allow)('localhost', {}, (error, address) => r({ error, address: String(address) })),
      );
    expect((await resolve(false)).error?.code).toBe('EPRIVATEADDRESS');
    const allowed = await resolve(true);
    expect(allowed.error).toBeNull();
    expect(isPrivateAddress(allowed.address)).toBe(true);
  });
});
