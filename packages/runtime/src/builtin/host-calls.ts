import type { TransferListItem } from 'node:worker_threads';
import { type AgentContext, AgentFailure } from '@jeton/core';
import type { ModelAccess } from '../sdk/context.ts';
import { ByteChannel } from './channel.ts';
import type { FromThread, ToThread } from './protocol.ts';

type Call = Extract<FromThread, { type: 'call' }>;

/**
 * The host's answers to one run's calls from its thread, on the run's real context: artifacts arrive
 * chunk by chunk (each chunk taken before the next is sent), input files are read chunk by chunk, the
 * rest are plain calls. `close` ends what the run left open.
 */
export function hostCalls(core: AgentContext, models: ModelAccess, send: (m: ToThread) => void) {
  const channels = new Map<number, { channel: ByteChannel; stored: Promise<void> }>();
  const readers = new Map<number, ReadableStreamDefaultReader<Uint8Array>>();
  const files = new Map(Object.values(core.files).flatMap((list) => list.map((f) => [f.id, f])));
  let nextStream = 0;

  const answer = async (m: Call): Promise<[unknown, TransferListItem[]]> => {
    switch (m.method) {
      case 'artifact-open': {
        const channel = new ByteChannel();
        const stored = core.artifact(m.name, channel, m.mediaType);
        // Storing stopped early (too large, storage trouble): the next chunk is refused with why.
        stored.catch((e: unknown) => channel.close(e));
        channels.set(++nextStream, { channel, stored });
        return [nextStream, []];
      }
      case 'artifact-chunk': {
        const c = channels.get(m.stream);
        if (!c) throw new Error('no such artifact stream');
        await Promise.race([c.channel.push(m.bytes), c.stored]);
        return [null, []];
      }
      case 'artifact-close':
      case 'artifact-abort': {
        const c = channels.get(m.stream);
        channels.delete(m.stream);
        if (!c) throw new Error('no such artifact stream');
        if (m.method === 'artifact-abort') {
          c.channel.fail(new AgentFailure('agent_error', 'The artifact stream failed.'));
          await c.stored.catch(() => {});
          return [null, []];
        }
        c.channel.end();
        await c.stored;
        return [null, []];
      }
      case 'file-read': {
        let reader = readers.get(m.reader);
        if (!reader) {
          const file = files.get(m.fileId);
          if (!file) throw new AgentFailure('agent_error', `No input file ${m.fileId}.`);
          reader = (await file.open()).getReader();
          readers.set(m.reader, reader);
        }
        const r = await reader.read();
        if (r.done) {
          readers.delete(m.reader);
          return [null, []];
        }
        const bytes = r.value.slice();
        return [bytes, [bytes.buffer]];
      }
      case 'charge':
        return [await core.charge(m.event, m.quantity), []];
      case 'ask':
        return [await core.ask(m.text, m.schema as never, m.options), []];
      case 'meter': {
        const { model, inputTokens, outputTokens, costMicroCredits } = m;
        return [await core.meter({ model, inputTokens, outputTokens, costMicroCredits }), []];
      }
      case 'model': {
        const onText = m.streamText
          ? (delta: string) => send({ type: 'model-text', callId: m.callId, delta })
          : undefined;
        return [await models.generate({ ...m.request, ...(onText ? { onText } : {}) }, core.signal), []];
      }
    }
  };

  const close = () => {
    for (const r of readers.values()) void r.cancel().catch(() => {});
    for (const c of channels.values()) c.channel.fail(new AgentFailure('agent_error', 'The run ended.'));
    readers.clear();
    channels.clear();
  };

  return { answer, close };
}
