import { type FakeServer, pieces, type RecordedRequest, startFakeServer, type Writer } from './server.ts';

/**
 * A local server speaking OpenAI's Chat Completions wire protocol (`POST /v1/chat/completions`), for
 * the `openai` and `openai-compatible` kinds: a JSON completion, or with `stream: true` server-sent
 * events (`data: {chunk}` … `data: [DONE]`, the usage chunk when `stream_options.include_usage`),
 * tool calls as `delta.tool_calls` fragments, and errors in OpenAI's error JSON. Scripted per test.
 */

export interface OpenAIToolCallReply {
  id?: string;
  name: string;
  /** The arguments' JSON, streamed in these fragments (a string is one fragment). */
  arguments: string | string[];
}

/** A successful answer. */
export interface OpenAIAnswer {
  /** The answer, streamed in these pieces (a string is split into 4-character pieces). */
  text?: string | string[];
  /** An answer in JSON mode: serialised and streamed as the text. */
  json?: unknown;
  toolCalls?: OpenAIToolCallReply[];
  /** Token counts; `null` sends no usage at all. Default 10 in, 20 out. */
  usage?: { prompt: number; completion: number } | null;
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** Streams only this many text pieces, then leaves the connection open (an abort test). */
  stallAfter?: number;
  /** Streams the text, then an error chunk instead of the end. */
  streamError?: { message: string; type?: string; code?: string };
}

export type OpenAIReply =
  | OpenAIAnswer
  | {
      error: {
        status: number;
        message: string;
        type?: string;
        code?: string | null;
        headers?: Record<string, string>;
      };
    }
  /** Answers nothing (until the client gives up). */
  | { hang: true };

export type FakeOpenAI = FakeServer<OpenAIReply>;

const ERROR_TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
  500: { type: 'server_error', code: null },
  503: { type: 'server_error', code: null },
};

let ids = 0;

function answer(request: RecordedRequest, reply: OpenAIAnswer, w: Writer) {
  const model = String(request.body?.model ?? 'unknown');
  const id = `chatcmpl-${++ids}`;
  const created = Math.floor(Date.now() / 1000);
  const textPieces =
    reply.json !== undefined
      ? pieces(JSON.stringify(reply.json))
      : typeof reply.text === 'string'
        ? pieces(reply.text)
        : (reply.text ?? []);
  const calls = (reply.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `call_${ids}_${i}`,
    name: c.name,
    fragments: typeof c.arguments === 'string' ? [c.arguments] : c.arguments,
  }));
  const finish = reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop');
  const usage =
    reply.usage === null
      ? undefined
      : {
          prompt_tokens: reply.usage?.prompt ?? 10,
          completion_tokens: reply.usage?.completion ?? 20,
          total_tokens: (reply.usage?.prompt ?? 10) + (reply.usage?.completion ?? 20),
        };

  if (request.body?.stream !== true) {
    const content = textPieces.join('');
    w.json(200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: content === '' && calls.length > 0 ? null : content,
            ...(calls.length > 0
              ? {
                  tool_calls: calls.map((c) => ({
                    id: c.id,
                    type: 'function',
                    function: { name: c.name, arguments: c.fragments.join('') },
                  })),
                }
              : {}),
          },
          finish_reason: finish,
        },
      ],
      ...(usage ? { usage } : {}),
    });
    return;
  }

  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  w.sse();
  w.event(chunk({ role: 'assistant', content: '' }));
  for (const [i, text] of textPieces.entries()) {
    if (reply.stallAfter !== undefined && i >= reply.stallAfter) return w.stall();
    w.event(chunk({ content: text }));
  }
  if (reply.streamError) {
    w.event({ error: { type: 'server_error', code: null, ...reply.streamError } });
    return w.end();
  }
  calls.forEach((c, index) => {
    w.event(
      chunk({
        tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }],
      }),
    );
    for (const fragment of c.fragments) {
      w.event(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
  });
  w.event(chunk({}, finish));
  if (usage && request.body?.stream_options?.include_usage === true) {
    w.event({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
  }
  w.event('[DONE]');
  w.end();
}

export function startFakeOpenAI(): Promise<FakeOpenAI> {
  return startFakeServer<OpenAIReply>('/v1/chat/completions', (request, reply, w) => {
    if (reply === undefined) {
      w.json(500, { error: { message: 'fake server: no scripted reply', type: 'server_error', code: null } });
      return;
    }
    if ('hang' in reply) return w.stall();
    if ('error' in reply) {
      const e = reply.error;
      const known = ERROR_TYPES[e.status] ?? { type: 'server_error', code: null };
      w.json(
        e.status,
        {
          error: { message: e.message, type: e.type ?? known.type, param: null, code: e.code ?? known.code },
        },
        e.headers,
      );
      return;
    }
    answer(request, reply, w);
  });
}
