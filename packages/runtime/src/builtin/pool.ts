import { type TransferListItem, Worker } from 'node:worker_threads';
import { type AgentContext, AgentFailure, type Logger, type Manifest } from '@jeton/core';
import type { ModelAccess } from '../sdk/context.ts';
import { hostCalls } from './host-calls.ts';
import { type FileInfo, type FromThread, fromWire, type ToThread, toWire } from './protocol.ts';

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
  /** The number of the run it executes now (0: none); runs are numbered per thread. */
  run: number;
  runs: number;
  dead: boolean;
}

/**
 * Runs built-in agents (trusted code shipped with Jeton) each in a worker thread, so a runaway agent
 * (a tight loop, a memory leak) cannot block the process that serves the API and the other runs. The
 * thread gets the manifest's memory limit; an abort (timeout, cancellation) is passed on, and a thread
 * that does not stop in time is terminated. Threads are kept a while per agent, so a run does not pay
 * for loading the agent's code again; a thread is reused only when its run left nothing pending.
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
    if (!this.has(entry)) throw new AgentFailure('platform_transient', `No built-in agent "${entry}" here.`);
    if (this.#closed) throw new AgentFailure('platform_transient', 'The worker is shutting down.');
    let thread: Thread;
    try {
      thread = this.#take(`${entry}:${manifest.limits.memoryMb}`, manifest.limits.memoryMb);
    } catch (error) {
      this.#o.logger?.error({ err: error, entry }, 'could not start a built-in agent thread');
      throw new AgentFailure('platform_transient', 'The platform could not start the agent.');
    }
    this.#busy.add(thread);
    let reusable = false;
    try {
      const end = await this.#execute(thread, entry, manifest, core, models);
      reusable = end.outstanding === 0 && !core.signal.aborted;
      if (end.error) throw end.error;
    } finally {
      thread.run = 0;
      this.#busy.delete(thread);
      if (reusable && !thread.dead) this.#park(thread);
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
    const list = this.#idle.get(key) ?? [];
    for (let idle = list.pop(); idle; idle = list.pop()) {
      if (idle.idleTimer) clearTimeout(idle.idleTimer);
      idle.idleTimer = null;
      if (!idle.dead) return idle;
    }
    const worker = new Worker(ENTRY, {
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
      // The agent's console output goes to the host's, never to the buyer.
      stdout: false,
      stderr: false,
    });
    worker.unref();
    const thread: Thread = { worker, key, idleTimer: null, run: 0, runs: 0, dead: false };
    // For the thread's whole life, not only during a run: an error with no listener would take the
    // process down, and an idle thread that died must not be handed out again.
    const bury = () => {
      thread.dead = true;
      this.#unpark(thread);
    };
    worker.on('error', (err) => {
      this.#o.logger?.warn({ err, key }, 'built-in agent thread failed');
      bury();
    });
    worker.on('exit', bury);
    // A call that arrives when its run is over (the agent did not wait for it) is refused, so that it
    // settles in the thread and never reaches another run.
    worker.on('message', (m: FromThread) => {
      if (m.type === 'call' && m.run !== thread.run) {
        worker.postMessage({
          type: 'reply',
          callId: m.callId,
          ok: false,
          failure: { code: 'agent_error', message: 'The run has ended.' },
        } satisfies ToThread);
      }
    });
    return thread;
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
      this.#unpark(thread);
      void thread.worker.terminate();
    }, this.#o.idleMs ?? 60_000);
    thread.idleTimer.unref();
  }

  #unpark(thread: Thread): void {
    const list = this.#idle.get(thread.key);
    const i = list?.indexOf(thread) ?? -1;
    if (i >= 0) list!.splice(i, 1);
    if (thread.idleTimer) clearTimeout(thread.idleTimer);
    thread.idleTimer = null;
  }

  /** Resolves when the run has ended, with its error (if any) and what it left pending. */
  #execute(
    thread: Thread,
    entry: string,
    manifest: Manifest,
    core: AgentContext,
    models: ModelAccess,
  ): Promise<{ error: Error | null; outstanding: number }> {
    const { worker } = thread;
    const run = ++thread.runs;
    thread.run = run;
    const send = (m: ToThread, transfer: TransferListItem[] = []) => worker.postMessage(m, transfer);
    const calls = hostCalls(core, models, send);

    return new Promise((resolve) => {
      let grace: ReturnType<typeof setTimeout> | null = null;
      const end = (error: Error | null, outstanding: number) => {
        core.signal.removeEventListener('abort', onAbort);
        if (grace) clearTimeout(grace);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        calls.close();
        resolve({ error, outstanding });
      };
      const onAbort = () => {
        send({ type: 'abort', run });
        grace = setTimeout(() => {
          void worker.terminate();
          end(new AgentFailure('agent_error', 'The agent did not stop when asked; its thread was ended.'), 1);
        }, this.#o.abortGraceMs ?? 1000);
      };
      const onMessage = (m: FromThread) => {
        if (m.type === 'ready' || m.run !== run) return;
        switch (m.type) {
          case 'progress':
            return core.progress(m.percent, m.message);
          case 'log':
            return core.log(m.level, m.message);
          case 'call':
            calls.answer(m).then(
              ([value, transfer]) => send({ type: 'reply', callId: m.callId, ok: true, value }, transfer),
              (error: unknown) =>
                send({
                  type: 'reply',
                  callId: m.callId,
                  ok: false,
                  failure: toWire(error, 'platform_transient'),
                }),
            );
            return;
          case 'done':
            return end(null, m.outstanding);
          case 'failed':
            return end(fromWire(m.failure), m.outstanding);
        }
      };
      const onError = (error: Error & { code?: string }) =>
        end(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new AgentFailure(
                'agent_violation',
                `The agent used more than its memory limit of ${manifest.limits.memoryMb} MB.`,
              )
            : new AgentFailure('agent_error', `The agent crashed: ${error.message}`),
          1,
        );
      const onExit = () => end(new AgentFailure('agent_error', 'The agent’s thread stopped.'), 1);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      send({
        type: 'run',
        run,
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
      // After the run message, so the thread aborts this run and not the one before.
      if (core.signal.aborted) onAbort();
      else core.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
