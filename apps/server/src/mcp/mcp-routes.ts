import type { Catalog, RunEngine } from '@jeton/core';
import type { DrizzleRunStore } from '@jeton/db';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  CallToolRequestSchema,
  CancelledNotificationSchema,
  ListToolsRequestSchema,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import type { AuthEnv, Authenticate } from '../auth.ts';
import { problem } from '../problem.ts';
import type { RunWatchers } from '../routes/run-events.ts';
import { callAgent } from './agent-call.ts';
import { AgentDirectory, type Availability, agentTool } from './agent-tools.ts';

/** The most a JSON-RPC message (or batch) sent to `/mcp` may weigh. */
export const MAX_MCP_BODY_BYTES = 1024 * 1024;

export interface McpDeps {
  catalog: Catalog;
  engine: RunEngine;
  store: DrizzleRunStore;
  watchers: RunWatchers;
  /** The API-key check of every route (one cache and one rate limit per key for all). */
  auth: Authenticate;
  /** Why an agent cannot run here: such agents are not offered as tools. */
  availability?: Availability;
  /** The origin artifact links point to (behind a proxy); by default the request's own. */
  publicUrl?: string;
  /** The server's version, as `initialize` reports it. */
  version?: string;
  logger?: Logger;
}

const INSTRUCTIONS =
  'Each tool runs one agent of the Jeton marketplace, paid in credits from the wallet of the API key ' +
  'in use (1 credit = US$0.01): the price is in the tool’s description, the most a run can cost is ' +
  'held while it runs, and a failed run is refunded. A call returns when the run has ended, with its ' +
  'status, what it cost, and links to its artifacts (download them with the same Authorization ' +
  'header); long runs report progress if you send a progress token. Cancelling the call cancels the run.';

/**
 * MCP over Streamable HTTP at `/mcp`, stateless: every POST gets a server and a transport of its
 * own, so any API process answers any request and nothing is kept between requests. The caller is
 * the API key's user (`runs:write`); each listed agent is a tool.
 */
export function mcpRoutes(d: McpDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const agents = new AgentDirectory(d.catalog, d.availability);
  const calls = new CallsInFlight();
  const limit = bodyLimit({
    maxSize: MAX_MCP_BODY_BYTES,
    onError: () => {
      const res = problem('body-too-large', 'The body is too large', 413, {
        detail: `At most ${MAX_MCP_BODY_BYTES} bytes.`,
      });
      res.headers.set('connection', 'close');
      return res;
    },
  });

  app.post('/mcp', d.auth('runs:write'), limit, async (c) => {
    const actor = c.get('actor');
    const origin = (d.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');
    // The client hung up (or stopped reading the answer): its calls' runs are cancelled.
    const gone = new AbortController();
    const request = c.req.raw;
    request.signal.addEventListener('abort', () => gone.abort(), { once: true });

    const server = new Server(
      { name: 'jeton', title: 'Jeton marketplace', version: d.version ?? '0.0.0' },
      { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
    );
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: (await agents.list()).map((a) => agentTool(a, origin)),
    }));
    server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
      const cancelled = new AbortController();
      const done = calls.add(actor.id, extra.requestId, () => cancelled.abort());
      const token = req.params._meta?.progressToken;
      try {
        return await callAgent(d, {
          actor,
          slug: req.params.name,
          input: req.params.arguments ?? {},
          meta: req.params._meta,
          origin,
          signal: AbortSignal.any([cancelled.signal, gone.signal, extra.signal]),
          progress:
            token === undefined
              ? null
              : (progress, message) =>
                  extra.sendNotification({
                    method: 'notifications/progress',
                    params: { progressToken: token, progress, total: 100, message },
                  }),
        });
      } finally {
        done();
      }
    });
    // In stateless mode a cancellation arrives in a request of its own, to a server of its own: the
    // calls in flight in this process are where it can find the call it names.
    server.setNotificationHandler(CancelledNotificationSchema, (n) => {
      if (n.params.requestId !== undefined) calls.cancel(actor.id, n.params.requestId);
    });
    server.onerror = (error) => d.logger?.warn({ err: error }, 'mcp: protocol error');

    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      maxRequestBodySize: MAX_MCP_BODY_BYTES,
    });
    await server.connect(transport);
    const res = await transport.handleRequest(request);
    // Once the answer is over (every response sent, or the client gone), nothing of this request is
    // needed: calls still in flight (only when the client went away) are aborted, their runs cancelled.
    return whenBodyEnds(res, () => {
      gone.abort();
      void server.close();
    });
  });

  // Stateless: there is no session to stream to (GET) or to end (DELETE).
  app.on(['GET', 'DELETE'], '/mcp', d.auth('runs:write'), () =>
    Response.json(
      {
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this server is stateless; POST.' },
        id: null,
      },
      { status: 405, headers: { allow: 'POST' } },
    ),
  );

  return app;
}

/**
 * The same response, calling `ended` once when its body is over: read to the end, or cancelled by
 * its reader (the client went away). An empty body is over at once.
 */
function whenBodyEnds(res: Response, ended: () => void): Response {
  if (!res.body) {
    ended();
    return res;
  }
  const reader = res.body.getReader();
  let over = false;
  const end = () => {
    if (over) return;
    over = true;
    ended();
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          end();
        } else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
        end();
      }
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/**
 * The `tools/call` requests being answered by this process, by caller and JSON-RPC id, so that a
 * `notifications/cancelled` (a request of its own in stateless mode) reaches its call. Ids are chosen
 * by each client, so two clients of the same user may have a call with the same id in flight: such a
 * cancellation is ambiguous and cancels nothing, rather than perhaps the wrong run.
 */
export class CallsInFlight {
  readonly #calls = new Map<string, Set<() => void>>();

  add(actorId: string, requestId: RequestId, cancel: () => void): () => void {
    const k = key(actorId, requestId);
    const set = this.#calls.get(k) ?? new Set();
    this.#calls.set(k, set);
    set.add(cancel);
    return () => {
      set.delete(cancel);
      if (set.size === 0 && this.#calls.get(k) === set) this.#calls.delete(k);
    };
  }

  /** Cancels the one call with this id; true when there was exactly one. */
  cancel(actorId: string, requestId: RequestId): boolean {
    const set = this.#calls.get(key(actorId, requestId));
    if (set?.size !== 1) return false;
    for (const cancel of set) cancel();
    return true;
  }
}

const key = (actorId: string, requestId: RequestId) => `${actorId} ${JSON.stringify(requestId)}`;
