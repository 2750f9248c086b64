import { type FakeServer, pieces, type RecordedRequest, startFakeServer, type Writer } from './server.ts';

/**
 * A local server speaking Anthropic's Messages wire protocol (`POST /v1/messages`): a JSON message,
 * or with `stream: true` the SSE events `message_start`, `content_block_start`, `content_block_delta`
 * (`text_delta`, `input_json_delta`), `content_block_stop`, `message_delta` (stop reason and usage),
 * `message_stop` (and a `ping`); `tool_use` blocks; errors in Anthropic's error JSON. Scripted per test.
 */

export type AnthropicBlockReply =
  | { type: 'text'; text: string | string[] }
  | { type: 'tool_use'; id?: string; name: string; input: string | string[] };

/** A successful answer. */
export interface AnthropicAnswer {
  /** The content blocks; a plain `text` is one text block. */
  content?: AnthropicBlockReply[];
  text?: string | string[];
  /** Token counts. Default 10 in, 20 out. */
  usage?: { input: number; output: number };
  stopReason?: 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence';
  /** Streams only this many text pieces, then leaves the connection open (an abort test). */
  stallAfter?: number;
  /** Streams the content, then an `error` event instead of the end. */
  streamError?: { type: string; message: string };
}

export type AnthropicReply =
  | AnthropicAnswer
  | { error: { status: number; message: string; type?: string; headers?: Record<string, string> } }
  /** Answers nothing (until the client gives up). */
  | { hang: true };

export type FakeAnthropic = FakeServer<AnthropicReply>;

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

let ids = 0;

function answer(request: RecordedRequest, reply: AnthropicAnswer, w: Writer) {
  const model = String(request.body?.model ?? 'unknown');
  const id = `msg_${++ids}`;
  const blocks = (
    reply.content ?? (reply.text !== undefined ? [{ type: 'text', text: reply.text }] : [])
  ).map((b, i) =>
    b.type === 'text'
      ? { type: 'text' as const, parts: typeof b.text === 'string' ? pieces(b.text) : b.text }
      : {
          type: 'tool_use' as const,
          id: b.id ?? `toolu_${ids}_${i}`,
          name: b.name,
          parts: typeof b.input === 'string' ? [b.input] : b.input,
        },
  );
  const stopReason =
    reply.stopReason ?? (blocks.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
  const input = reply.usage?.input ?? 10;
  const output = reply.usage?.output ?? 20;

  if (request.body?.stream !== true) {
    w.json(200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: blocks.map((b) =>
        b.type === 'text'
          ? { type: 'text', text: b.parts.join('') }
          : { type: 'tool_use', id: b.id, name: b.name, input: JSON.parse(b.parts.join('') || '{}') },
      ),
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { input_tokens: input, output_tokens: output },
    });
    return;
  }

  const send = (data: { type: string } & Record<string, unknown>) => w.event(data, data.type);
  w.sse();
  send({
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: input, output_tokens: 1 },
    },
  });
  send({ type: 'ping' });
  let sent = 0;
  for (const [index, b] of blocks.entries()) {
    send({
      type: 'content_block_start',
      index,
      content_block:
        b.type === 'text'
          ? { type: 'text', text: '' }
          : { type: 'tool_use', id: b.id, name: b.name, input: {} },
    });
    for (const part of b.parts) {
      if (reply.stallAfter !== undefined && sent >= reply.stallAfter) return w.stall();
      sent++;
      send({
        type: 'content_block_delta',
        index,
        delta:
          b.type === 'text'
            ? { type: 'text_delta', text: part }
            : { type: 'input_json_delta', partial_json: part },
      });
    }
    send({ type: 'content_block_stop', index });
  }
  if (reply.streamError) {
    send({ type: 'error', error: reply.streamError });
    return w.end();
  }
  send({
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: output },
  });
  send({ type: 'message_stop' });
  w.end();
}

export function startFakeAnthropic(): Promise<FakeAnthropic> {
  return startFakeServer<AnthropicReply>('/v1/messages', (request, reply, w) => {
    if (reply === undefined) {
      w.json(500, { type: 'error', error: { type: 'api_error', message: 'fake server: no scripted reply' } });
      return;
    }
    if ('hang' in reply) return w.stall();
    if ('error' in reply) {
      const e = reply.error;
      w.json(
        e.status,
        {
          type: 'error',
          error: { type: e.type ?? ERROR_TYPES[e.status] ?? 'api_error', message: e.message },
        },
        { 'request-id': `req_${++ids}`, ...e.headers },
      );
      return;
    }
    answer(request, reply, w);
  });
}
