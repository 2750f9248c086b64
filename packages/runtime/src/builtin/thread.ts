import { parentPort, type TransferListItem } from 'node:worker_threads';
import { type AgentContext, AgentFailure, type InputFile } from '@jeton/core';
import { type ModelAccess, sdkContext } from '../sdk/context.ts';
import type { AgentDefinition } from '../sdk/types.ts';
import type { FromThread, HostCall, ToThread, WireFailure } from './protocol.ts';

/**
 * The worker-thread side of a built-in agent run: it loads the agent's module, builds the SDK context
 * over calls to the host (which holds the real context: the database, storage, providers) and reports
 * how the run ended. One run at a time; the host reuses the thread for the next run of the same agent.
 */

const port = parentPort!;
const post = (m: FromThread, transfer: TransferListItem[] = []) => port.postMessage(m, transfer);

let nextCall = 0;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
const textListeners = new Map<number, (delta: string) => void>();
let controller = new AbortController();

function call<T>(
  c: HostCall,
  transfer: TransferListItem[] = [],
  onText?: (delta: string) => void,
): Promise<T> {
  const callId = ++nextCall;
  if (onText) textListeners.set(callId, onText);
  return new Promise<T>((resolve, reject) => {
    pending.set(callId, { resolve: resolve as (v: unknown) => void, reject });
    post({ type: 'call', callId, ...c } as FromThread, transfer);
  }).finally(() => textListeners.delete(callId));
}

const toFailure = (f: WireFailure) => (f.code ? new AgentFailure(f.code, f.message) : new Error(f.message));

function wireFailure(error: unknown): WireFailure {
  if (error instanceof AgentFailure) return { code: error.code, message: error.message };
  return { code: null, message: error instanceof Error ? error.message : String(error) };
}

function remoteFile(f: { id: string; name: string; mediaType: string; size: number }): InputFile {
  return {
    ...f,
    open: async () => {
      const reader = ++nextCall;
      return new ReadableStream<Uint8Array>({
        pull: async (c) => {
          const chunk = await call<Uint8Array | null>({ method: 'file-read', fileId: f.id, reader });
          if (chunk === null) c.close();
          else c.enqueue(chunk);
        },
      });
    },
  };
}

async function run(m: Extract<ToThread, { type: 'run' }>): Promise<void> {
  controller = new AbortController();
  const files: Record<string, InputFile[]> = {};
  for (const [field, list] of Object.entries(m.files)) files[field] = list.map(remoteFile);
  const core: AgentContext = {
    runId: m.runId,
    input: m.input,
    signal: controller.signal,
    files,
    secrets: m.secrets,
    progress: (percent, message) => post({ type: 'progress', percent, message: String(message) }),
    log: (level, message) => post({ type: 'log', level, message: String(message) }),
    artifact: async (name, data, mediaType) => {
      const stream = await call<number>({ method: 'artifact-open', name, mediaType });
      try {
        const parts = data instanceof Uint8Array ? [data] : data;
        for await (const chunk of parts) {
          // A copy is transferred: the agent may still use the buffer it gave.
          const bytes = chunk.slice();
          await call({ method: 'artifact-chunk', stream, bytes }, [bytes.buffer]);
        }
      } catch (error) {
        await call({ method: 'artifact-abort', stream }).catch(() => {});
        throw error;
      }
      await call({ method: 'artifact-close', stream });
    },
    charge: (event, quantity) => call({ method: 'charge', event, quantity }),
    ask: (text, schema, options) => call({ method: 'ask', text, schema, options }),
    meter: (c) => call({ method: 'meter', ...c }),
  };
  const models: ModelAccess = {
    unavailable: m.modelUnavailable,
    generate: ({ onText, ...request }) =>
      call({ method: 'model', request, streamText: onText !== undefined }, [], onText),
  };
  const mod = (await import(m.module)) as { default: AgentDefinition };
  const ctx = sdkContext(core, m.manifest, models);
  await mod.default.run(ctx, ctx.input);
}

port.on('message', (m: ToThread) => {
  switch (m.type) {
    case 'run':
      run(m).then(
        () => post({ type: 'done' }),
        (error: unknown) => post({ type: 'failed', failure: wireFailure(error) }),
      );
      break;
    case 'reply': {
      const p = pending.get(m.callId);
      pending.delete(m.callId);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(toFailure(m.failure));
      break;
    }
    case 'model-text':
      textListeners.get(m.callId)?.(m.delta);
      break;
    case 'abort':
      controller.abort(new AgentFailure('agent_error', 'The run has stopped.'));
      break;
  }
});
post({ type: 'ready' });
