import { type TransferListItem, Worker } from 'node:worker_threads';
import { type AgentContext, AgentFailure, type Logger, type Manifest } from '@jeton/core';
import type { ModelAccess } from '../sdk/context.ts';
import { ByteChannel } from './channel.ts';
import type { FileInfo, FromThread, ToThread, WireFailure } from './protocol.ts';

export interface BuiltinPoolOptions {
  /** The module (a file URL) of each built-in agent, by its runtime entry. */
  modules: Readonly<Record<string, string>>;
  /** How long an aborted agent has to stop before its thread is terminated. */
  abortGraceMs?: number;
  /** Idle threads kept per agent, ready for its next run. */
  idlePerAgent?: number;
  /** How long an idle thread is kept. */
  idleMs?: number;
  logger?: Logger;
}

const ENTRY = new URL('./thread-entry.mjs', import.meta.url);

interface Thread {
  worker: Worker;
  key: string;
  idleTimer: ReturnType<typeof setTimeout> | null;
}

function failureOf(f: WireFailure): Error {
  return f.code ? new AgentFailure(f.code, f.message) : new Error(f.message);
}

function wire(error: unknown): WireFailure {
  if (error instanceof AgentFailure) return { code: error.code, message: error.message };
  return { code: 'platform_transient', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Runs built-in agents (trusted code shipped with Jeton) each in a worker thread, so a runaway agent
 * (a tight loop, a memory leak) cannot block the process that serves the API and the other runs. The
 * thread gets the manifest's memory limit; an abort (timeout, cancellation) is passed on, and a thread
 * that does not stop in time is terminated. Threads are kept a while per agent, so a run does not pay
 * for loading the agent's code again.
 */
export class BuiltinPool {
  readonly #o: BuiltinPoolOptions;
  readonly #idle = new Map<string, Thread[]>();
  readonly #busy = new Set<Thread>();
  #closed = false;

  constructor(options: BuiltinPoolOptions) {
    this.#o = options;
  }

  has(entry: string): boolean {
    return Object.hasOwn(this.#o.modules, entry);
  }

  /** Threads alive now (busy or idle). */
  get threads(): number {
    let n = this.#busy.size;
    for (const list of this.#idle.values()) n += list.length;
    return n;
  }

  async run(entry: string, manifest: Manifest, core: AgentContext, models: ModelAccess): Promise<void> {
    if (!this.has(entry)) throw new Error(`no built-in agent "${entry}"`);
    if (this.#closed) throw new AgentFailure('platform_transient', 'The worker is shutting down.');
    const thread = this.#take(`${entry}:${manifest.limits.memoryMb}`, manifest.limits.memoryMb);
    this.#busy.add(thread);
    let reusable = false;
    try {
      await this.#execute(thread, entry, manifest, core, models);
      reusable = !core.signal.aborted;
    } finally {
      this.#busy.delete(thread);
      if (reusable) this.#park(thread);
      else void thread.worker.terminate();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#busy, ...[...this.#idle.values()].flat()];
    this.#idle.clear();
    await Promise.all(all.map((t) => t.worker.terminate()));
  }

  #take(key: string, memoryMb: number): Thread {
    const idle = this.#idle.get(key)?.pop();
    if (idle) {
      if (idle.idleTimer) clearTimeout(idle.idleTimer);
      idle.idleTimer = null;
      return idle;
    }
    const worker = new Worker(ENTRY, {
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
      // The agent's console output goes to the host's, never to the buyer.
      stdout: false,
      stderr: false,
    });
    worker.unref();
    return { worker, key, idleTimer: null };
  }

  #park(thread: Thread): void {
    const list = this.#idle.get(thread.key) ?? [];
    if (this.#closed || list.length >= (this.#o.idlePerAgent ?? 2)) {
      void thread.worker.terminate();
      return;
    }
    list.push(thread);
    this.#idle.set(thread.key, list);
    thread.idleTimer = setTimeout(() => {
      const i = list.indexOf(thread);
      if (i >= 0) list.splice(i, 1);
      void thread.worker.terminate();
    }, this.#o.idleMs ?? 60_000);
    thread.idleTimer.unref();
  }

  #execute(
    thread: Thread,
    entry: string,
    manifest: Manifest,
    core: AgentContext,
    models: ModelAccess,
  ): Promise<void> {
    const { worker } = thread;
    const channels = new Map<number, { channel: ByteChannel; stored: Promise<void> }>();
    const readers = new Map<number, ReadableStreamDefaultReader<Uint8Array>>();
    const files = new Map(Object.values(core.files).flatMap((list) => list.map((f) => [f.id, f])));
    let nextStream = 0;
    const send = (m: ToThread, transfer: TransferListItem[] = []) => worker.postMessage(m, transfer);

    const answer = async (
      m: Extract<FromThread, { type: 'call' }>,
    ): Promise<[unknown, TransferListItem[]]> => {
      switch (m.method) {
        case 'artifact-open': {
          const channel = new ByteChannel();
          const stored = core.artifact(m.name, channel, m.mediaType);
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
        case 'meter':
          return [
            await core.meter({
              model: m.model,
              inputTokens: m.inputTokens,
              outputTokens: m.outputTokens,
              costMicroCredits: m.costMicroCredits,
            }),
            [],
          ];
        case 'model': {
          const onText = m.streamText
            ? (delta: string) => send({ type: 'model-text', callId: m.callId, delta })
            : undefined;
          return [await models.generate({ ...m.request, ...(onText ? { onText } : {}) }, core.signal), []];
        }
      }
    };

    return new Promise<void>((resolve, reject) => {
      let grace: ReturnType<typeof setTimeout> | null = null;
      const onAbort = () => {
        send({ type: 'abort' });
        grace = setTimeout(() => {
          cleanup();
          void worker.terminate();
          reject(new AgentFailure('agent_error', 'The agent did not stop when asked; its thread was ended.'));
        }, this.#o.abortGraceMs ?? 1000);
      };
      const cleanup = () => {
        core.signal.removeEventListener('abort', onAbort);
        if (grace) clearTimeout(grace);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        for (const r of readers.values()) void r.cancel().catch(() => {});
        for (const c of channels.values()) c.channel.fail(new AgentFailure('agent_error', 'The run ended.'));
      };
      const onMessage = (m: FromThread) => {
        switch (m.type) {
          case 'ready':
            return;
          case 'progress':
            return core.progress(m.percent, m.message);
          case 'log':
            return core.log(m.level, m.message);
          case 'call':
            answer(m).then(
              ([value, transfer]) => send({ type: 'reply', callId: m.callId, ok: true, value }, transfer),
              (error: unknown) => send({ type: 'reply', callId: m.callId, ok: false, failure: wire(error) }),
            );
            return;
          case 'done':
            cleanup();
            return resolve();
          case 'failed':
            cleanup();
            return reject(failureOf(m.failure));
        }
      };
      const onError = (error: Error & { code?: string }) => {
        cleanup();
        this.#o.logger?.warn({ err: error, entry }, 'built-in agent thread failed');
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new AgentFailure(
                'agent_violation',
                `The agent used more than its memory limit of ${manifest.limits.memoryMb} MB.`,
              )
            : new AgentFailure('agent_error', `The agent crashed: ${error.message}`),
        );
      };
      const onExit = () => {
        cleanup();
        reject(new AgentFailure('agent_error', 'The agent’s thread stopped.'));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      if (core.signal.aborted) onAbort();
      else core.signal.addEventListener('abort', onAbort, { once: true });
      send({
        type: 'run',
        module: this.#o.modules[entry]!,
        runId: core.runId,
        input: core.input,
        manifest,
        files: Object.fromEntries(
          Object.entries(core.files).map(([field, list]) => [
            field,
            list.map((f): FileInfo => ({ id: f.id, name: f.name, mediaType: f.mediaType, size: f.size })),
          ]),
        ),
        secrets: { ...core.secrets },
        modelUnavailable: models.unavailable,
      });
    });
  }
}
