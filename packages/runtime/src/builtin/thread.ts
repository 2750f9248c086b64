import { parentPort, type TransferListItem } from 'node:worker_threads';
import { type AgentContext, AgentFailure, type InputFile } from '@jeton/core';
import { type ModelAccess, sdkContext } from '../sdk/context.ts';
import type { AgentDefinition } from '../sdk/types.ts';
import { type FromThread, fromWire, type HostCall, type ToThread, toWire } from './protocol.ts';

/**
 * The worker-thread side of a built-in agent run: it loads the agent's module, builds the SDK context
 * over calls to the host (which holds the real context: the database, storage, providers) and reports
 * how the run ended. One run at a time; the host reuses the thread for the next run of the same agent
 * when nothing of this one is left pending.
 */

const port = parentPort!;
const post = (m: FromThread, transfer: TransferListItem[] = []) => port.postMessage(m, transfer);

let nextCall = 0;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
const textListeners = new Map<number, (delta: string) => void>();
let current = { run: 0, controller: new AbortController() };

function call<T>(
  run: number,
  c: HostCall,
  transfer: TransferListItem[] = [],
  onText?: (delta: string) => void,
): Promise<T> {
  const callId = ++nextCall;
  if (onText) textListeners.set(callId, onText);
  return new Promise<T>((resolve, reject) => {
    pending.set(callId, { resolve: resolve as (v: unknown) => void, reject });
    post({ type: 'call', run, callId, ...c } as FromThread, transfer);
  }).finally(() => textListeners.delete(callId));
}

function remoteFile(
  run: number,
  f: { id: string; name: string; mediaType: string; size: number },
): InputFile {
  return {
    ...f,
    open: async () => {
      const reader = ++nextCall;
      return new ReadableStream<Uint8Array>({
        pull: async (c) => {
          const chunk = await call<Uint8Array | null>(run, { method: 'file-read', fileId: f.id, reader });
          if (chunk === null) c.close();
          else c.enqueue(chunk);
        },
      });
    },
  };
}

async function execute(m: Extract<ToThread, { type: 'run' }>, signal: AbortSignal): Promise<void> {
  const { run } = m;
  const files: Record<string, InputFile[]> = {};
  for (const [field, list] of Object.entries(m.files)) files[field] = list.map((f) => remoteFile(run, f));
  const core: AgentContext = {
    runId: m.runId,
    input: m.input,
    signal,
    files,
    secrets: m.secrets,
    progress: (percent, message) => post({ type: 'progress', run, percent, message: String(message) }),
    log: (level, message) => post({ type: 'log', run, level, message: String(message) }),
    artifact: async (name, data, mediaType) => {
      const stream = await call<number>(run, { method: 'artifact-open', name, mediaType });
      try {
        for await (const chunk of data instanceof Uint8Array ? [data] : data) {
          // A copy is transferred: the agent may still use the buffer it gave.
          const bytes = chunk.slice();
          await call(run, { method: 'artifact-chunk', stream, bytes }, [bytes.buffer]);
        }
      } catch (error) {
        await call(run, { method: 'artifact-abort', stream }).catch(() => {});
        throw error;
      }
      await call(run, { method: 'artifact-close', stream });
    },
    charge: (event, quantity) => call(run, { method: 'charge', event, quantity }),
    ask: (text, schema, options) => call(run, { method: 'ask', text, schema, options }),
    meter: (c) => call(run, { method: 'meter', ...c }),
  };
  const models: ModelAccess = {
    unavailable: m.modelUnavailable,
    generate: ({ onText, ...request }) =>
      call(run, { method: 'model', request, streamText: onText !== undefined }, [], onText),
  };
  const mod = (await import(m.module)) as { default: AgentDefinition };
  const ctx = sdkContext(core, m.manifest, models);
  await mod.default.run(ctx, ctx.input);
}

port.on('message', (m: ToThread) => {
  switch (m.type) {
    case 'run': {
      current = { run: m.run, controller: new AbortController() };
      execute(m, current.controller.signal).then(
        () => post({ type: 'done', run: m.run, outstanding: pending.size }),
        (error: unknown) =>
          post({ type: 'failed', run: m.run, outstanding: pending.size, failure: toWire(error, null) }),
      );
      break;
    }
    case 'reply': {
      const p = pending.get(m.callId);
      pending.delete(m.callId);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(fromWire(m.failure));
      break;
    }
    case 'model-text':
      textListeners.get(m.callId)?.(m.delta);
      break;
    case 'abort':
      if (m.run === current.run) {
        current.controller.abort(new AgentFailure('agent_error', 'The run has stopped.'));
      }
      break;
  }
});
post({ type: 'ready' });
