import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a fake provider received. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever the SDK sent.
  body: any;
}

/** A scripted local server: replies are taken from a queue, one per request. */
export interface FakeServer<R> {
  /** The API's base URL, up to `/v1` (what a provider's `baseURL` takes). */
  readonly baseURL: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Connections the client closed before the reply was complete (aborts). */
  readonly clientAborts: number;
  /** Queues replies, used in order; with the queue empty the server answers 500. */
  enqueue(...replies: (R | ((request: RecordedRequest) => R))[]): void;
  /** Replies queued and not used yet. */
  readonly pending: number;
  /** Forgets queued replies and recorded requests (between tests). */
  reset(): void;
  close(): Promise<void>;
}

/** How a handler writes; `stall` keeps the connection open until the client goes away. */
export interface Writer {
  json(status: number, body: unknown, headers?: Record<string, string>): void;
  /** Starts an SSE stream. */
  sse(): void;
  /** Writes one SSE event (`event:` line only when `event` is given). */
  event(data: unknown, event?: string): void;
  raw(text: string): void;
  end(): void;
  /** Leaves the reply unfinished until the client closes the connection. */
  stall(): void;
}

export type Handler<R> = (
  request: RecordedRequest,
  reply: R | undefined,
  writer: Writer,
) => void | Promise<void>;

function writer(res: ServerResponse): Writer {
  return {
    json(status, body, headers = {}) {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    },
    sse() {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
    },
    event(data, event) {
      res.write(
        `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
      );
    },
    raw(text) {
      res.write(text);
    },
    end() {
      res.end();
    },
    stall() {
      // Flushes what was written so far; the client sees a stream that stops.
      if (!res.headersSent) res.flushHeaders();
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a fake provider on 127.0.0.1 (a free port), answering `POST <path>` with `handler`. */
export async function startFakeServer<R>(path: string, handler: Handler<R>): Promise<FakeServer<R>> {
  const queue: (R | ((request: RecordedRequest) => R))[] = [];
  const requests: RecordedRequest[] = [];
  let clientAborts = 0;
  const server = createServer(async (req, res) => {
    res.on('close', () => {
      if (!res.writableFinished) clientAborts++;
    });
    const text = await readBody(req);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = String(v);
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Kept as text: the test will see what was sent.
    }
    const url = req.url ?? '/';
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url, headers, body };
    requests.push(recorded);
    const w = writer(res);
    if (req.method !== 'POST' || url.split('?')[0] !== path) {
      w.json(404, { error: { message: `fake server: no route ${req.method} ${url}` } });
      return;
    }
    const next = queue.shift();
    const reply = typeof next === 'function' ? (next as (r: RecordedRequest) => R)(recorded) : next;
    try {
      await handler(recorded, reply, w);
    } catch (error) {
      if (!res.headersSent) w.json(500, { error: { message: `fake server: ${(error as Error).message}` } });
      else res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    get clientAborts() {
      return clientAborts;
    },
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    get pending() {
      return queue.length;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Splits a text into pieces of about `size` characters (how a provider streams deltas). */
export function pieces(text: string, size = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
