import { randomUUID } from 'node:crypto';
import { AgentFailure, artifactName, type Manifest } from '@jeton/core';
import type ivm from 'isolated-vm';
import type { AgentCtx, AgentFile, LogLevel, ModelRequest } from '../sdk/types.ts';
import {
  cut,
  decoder,
  encoder,
  fetchRequest,
  isRecord,
  jsonCopy,
  jsonObjectText,
  onlyKeys,
  optionalNumber,
  readCapped,
  text,
} from './bridge-checks.ts';
import type { SandboxLimits } from './limits.ts';
import { checkUrl, type HostFetch, type HostLookup, NetworkRefusal } from './network.ts';

/** An error as it crosses into the isolate: plain strings, rebuilt there as an `Error`. */
export interface ErrorInfo {
  name: string;
  message: string;
  /** Set when the host raised an `AgentFailure`; `failureId` lets the host recognise it if rethrown. */
  code?: string;
  failureId?: string;
}

export type Envelope = { ok: true; value?: unknown } | { ok: false; error: ErrorInfo };

export interface BridgeOptions {
  /** The SDK context built on the host; the only thing the bridge calls. */
  ctx: AgentCtx;
  manifest: Manifest;
  limits: SandboxLimits;
  fetch: HostFetch;
  lookup: HostLookup;
  /** Called once per refused request; the runtime records the failure and disposes the isolate. */
  onViolation(failure: AgentFailure): void;
}

/**
 * The host side of the bridge: one entry, `call(op, id, args)`, handed to the isolate as an
 * `ivm.Callback` (so every argument arrives as a copy). Every argument is checked for type and size
 * before the SDK context is called, results go back as fresh plain values, and errors go back as
 * `ErrorInfo` (strings), never as host objects.
 */
/** One asynchronous call: the operation, and the bytes the host holds for it. */
interface Ticket {
  op: string;
  held: number;
}

export class Bridge {
  /** The first violation (a refused request), which ends the run whatever the agent does with it. */
  violation: AgentFailure | null = null;
  readonly #o: BridgeOptions;
  /** The platform failures the host passed to the isolate, by id, with the operation that raised them. */
  readonly #failures = new Map<string, { failure: AgentFailure; op: string }>();
  readonly #inflight = new Set<Promise<void>>();
  #settle: ivm.Reference | null = null;
  #closed = false;
  #fetching = 0;
  #calls = 0;
  #fetches = 0;
  #logs = 0;
  #progress = 0;
  /** Bytes held for the calls in flight (see `SandboxLimits.maxBytesInFlight`). */
  #held = 0;

  constructor(options: BridgeOptions) {
    this.#o = options;
  }

  /** The isolate's `settle(id, ok, value)`, through which asynchronous calls are answered. */
  attach(settle: ivm.Reference): void {
    this.#settle = settle;
  }

  /** At the run's end: refuse every new call and stop answering. */
  close(): void {
    this.#closed = true;
  }

  /**
   * Waits for the host work the agent started (an artifact being stored, a charge) to end, for at
   * most `timeoutMs`. Resolves true when nothing is left in flight.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      while (this.#inflight.size > 0) {
        const all = Promise.allSettled([...this.#inflight]).then(() => true as const);
        if (!(await Promise.race([all, late]))) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Host work still in flight (for tests and diagnostics). */
  get pending(): number {
    return this.#inflight.size;
  }

  /**
   * The host's own failure behind an id the isolate rethrew: one this bridge issued, and still
   * relevant (no later call of the same operation succeeded, e.g. a model call that worked after
   * a `provider_transient`). Anything else is the agent's own error.
   */
  failure(id: unknown): AgentFailure | undefined {
    return typeof id === 'string' ? this.#failures.get(id)?.failure : undefined;
  }

  readonly call = (op: unknown, id: unknown, args: unknown): Envelope => {
    try {
      if (typeof op !== 'string' || typeof id !== 'number' || !Array.isArray(args)) {
        throw new TypeError('Malformed bridge call.');
      }
      if (this.#closed) throw new Error('The run has ended: ctx cannot be used after run() has returned.');
      if (this.violation !== null) throw new Error('The run has ended.');
      this.#calls += 1;
      if (this.#calls > this.#o.limits.maxBridgeCalls) {
        const message = `The agent made more than ${this.#o.limits.maxBridgeCalls} calls to ctx, the sandbox's limit per run.`;
        this.#violate(message, 'sync');
        throw new RangeError(message);
      }
      if (id === 0) return { ok: true, value: this.#sync(op, args) };
      if (!Number.isSafeInteger(id) || id < 0) throw new TypeError('Malformed bridge call.');
      if (this.#inflight.size >= this.#o.limits.maxConcurrentCalls) {
        throw new RangeError(
          `Too many ctx calls at once (the limit is ${this.#o.limits.maxConcurrentCalls}).`,
        );
      }
      const ticket: Ticket = { op, held: 0 };
      let task: () => Promise<unknown>;
      try {
        task = this.#prepare(op, args, ticket);
      } catch (error) {
        this.#release(ticket);
        throw error;
      }
      const done = task()
        .then(
          (value) => {
            this.#supersede(op);
            this.#reply(id, true, value);
          },
          (error: unknown) => {
            if (error instanceof NetworkRefusal) this.#violate(error.message, 'async');
            this.#reply(id, false, this.#describe(error, op));
          },
        )
        .finally(() => {
          this.#release(ticket);
          this.#inflight.delete(done);
        });
      this.#inflight.add(done);
      return { ok: true };
    } catch (error) {
      return { ok: false, error: this.#describe(error, typeof op === 'string' ? op : '') };
    }
  };

  /**
   * Counts `bytes` more for `ticket`'s call against the run's budget of bytes in flight. Refused
   * (`RangeError`) when other calls already hold bytes and all together would pass the budget; a call
   * alone is never refused here (its own cap bounds it).
   */
  #hold(ticket: Ticket, bytes: number, what: string): void {
    const budget = this.#o.limits.maxBytesInFlight ?? Number.POSITIVE_INFINITY;
    const others = this.#held - ticket.held;
    if (others > 0 && this.#held + bytes > budget) {
      throw new RangeError(
        `${what}: the calls in flight already hold ${others} bytes, and the sandbox holds at most ${budget} for them; wait for them to end and try again.`,
      );
    }
    this.#held += bytes;
    ticket.held += bytes;
  }

  #release(ticket: Ticket): void {
    this.#held -= ticket.held;
    ticket.held = 0;
  }

  /** A call of `op` worked: the platform failures earlier calls of `op` raised are no longer the cause. */
  #supersede(op: string): void {
    for (const [id, entry] of this.#failures) if (entry.op === op) this.#failures.delete(id);
  }

  /**
   * Records the violation (after which nothing more is answered) and has the isolate disposed: at
   * once, or, from inside a synchronous call the isolate is waiting on, right after it returns.
   */
  #violate(message: string, from: 'sync' | 'async'): void {
    if (this.violation !== null) return;
    const failure = new AgentFailure('agent_violation', message);
    this.violation = failure;
    if (from === 'async') this.#o.onViolation(failure);
    else setImmediate(() => this.#o.onViolation(failure));
  }

  #reply(id: number, ok: boolean, value: unknown): void {
    const settle = this.#settle;
    if (settle === null || this.#closed || this.violation !== null) return;
    const answer = (args: unknown[]) => settle.apply(undefined, args, { arguments: { copy: true } });
    try {
      answer([id, ok, value]).catch(() => {
        // The answer could not be copied in (the isolate's memory): say so rather than leave it waiting.
        if (this.#closed || this.violation !== null) return;
        const info: ErrorInfo = {
          name: 'RangeError',
          message: 'The answer did not fit in the memory the agent has left.',
        };
        answer([id, false, info]).catch(() => {});
      });
    } catch {
      // the isolate is gone: nobody is waiting for the answer
    }
  }

  #describe(error: unknown, op: string): ErrorInfo {
    const max = this.#o.limits.maxErrorChars;
    if (error instanceof AgentFailure) {
      const failureId = randomUUID();
      this.#failures.set(failureId, { failure: error, op });
      return { name: 'AgentFailure', message: cut(error.message, max), code: error.code, failureId };
    }
    if (error instanceof TypeError || error instanceof RangeError) {
      return { name: error.name, message: cut(error.message, max) };
    }
    return { name: 'Error', message: cut(error instanceof Error ? error.message : String(error), max) };
  }

  #sync(op: string, args: unknown[]): unknown {
    const { ctx, limits } = this.#o;
    switch (op) {
      case 'aborted':
        return ctx.signal.aborted;
      case 'log': {
        const message = text(args[0], 'ctx.log: the message', Number.MAX_SAFE_INTEGER);
        const level = args[1] ?? 'info';
        if (level !== 'info' && level !== 'warn' && level !== 'error') {
          throw new TypeError('ctx.log: the level must be "info", "warn" or "error".');
        }
        this.#logs += 1;
        if (this.#logs < limits.maxLogLines) ctx.log(cut(message, limits.maxMessageChars), level as LogLevel);
        else if (this.#logs === limits.maxLogLines) {
          ctx.log(`Further log lines are dropped (the sandbox keeps ${limits.maxLogLines} per run).`, 'warn');
        }
        return undefined;
      }
      case 'progress': {
        const percent = args[0];
        if (percent !== null && (typeof percent !== 'number' || !(percent >= 0 && percent <= 100))) {
          throw new TypeError('ctx.progress: the percentage must be a number from 0 to 100, or null.');
        }
        const message = text(args[1], 'ctx.progress: the message', Number.MAX_SAFE_INTEGER);
        this.#progress += 1;
        if (this.#progress <= limits.maxProgressUpdates)
          ctx.progress(percent, cut(message, limits.maxMessageChars));
        return undefined;
      }
      default:
        throw new TypeError(`Unknown bridge call "${op}".`);
    }
  }

  /**
   * Checks an asynchronous call's arguments now (and counts the bytes it makes the host hold on
   * `ticket`); the returned task does the work.
   */
  #prepare(op: string, args: unknown[], ticket: Ticket): () => Promise<unknown> {
    const { ctx, limits } = this.#o;
    switch (op) {
      case 'artifact': {
        const name = text(args[0], 'ctx.artifact: the name', 100);
        const checked = artifactName.safeParse(name);
        if (!checked.success) throw new TypeError(`ctx.artifact: "${name}" is not a valid artifact name.`);
        const data = args[1];
        // A string's UTF-8 size is measured before it is encoded (encoding would triple it at worst).
        const size =
          typeof data === 'string'
            ? data.length > limits.maxArtifactBytes
              ? Number.POSITIVE_INFINITY
              : Buffer.byteLength(data, 'utf8')
            : data instanceof Uint8Array
              ? data.byteLength
              : -1;
        if (size < 0)
          throw new TypeError('ctx.artifact: the content must be a string, a Uint8Array or an ArrayBuffer.');
        if (size > limits.maxArtifactBytes) {
          throw new RangeError(
            Number.isFinite(size)
              ? `ctx.artifact: the artifact is ${size} bytes, above the limit of ${limits.maxArtifactBytes}.`
              : 'ctx.artifact: the artifact is too large.',
          );
        }
        const mediaType = text(args[2], 'ctx.artifact: the media type', 200);
        this.#hold(ticket, size, 'ctx.artifact');
        const bytes = typeof data === 'string' ? encoder.encode(data) : (data as Uint8Array);
        return async () => {
          await ctx.artifact(name, bytes, mediaType);
        };
      }
      case 'charge': {
        const event = text(args[0], 'ctx.charge: the event', 40);
        const quantity = optionalNumber(
          args[1],
          'ctx.charge: the quantity',
          (n) => Number.isSafeInteger(n) && n >= 1,
          'a whole number of at least 1',
        );
        return async () => {
          await ctx.charge(event, quantity);
        };
      }
      case 'ask': {
        const question = text(args[0], 'ctx.ask: the question', limits.maxPromptChars);
        const schema = jsonObjectText(args[1], 'ctx.ask: the answer schema', limits.maxJsonBytes);
        let options: { timeoutSeconds?: number } | undefined;
        if (args[2] !== undefined) {
          if (!isRecord(args[2])) throw new TypeError('ctx.ask: the options must be an object.');
          onlyKeys(args[2], ['timeoutSeconds'], 'ctx.ask: the options');
          const timeoutSeconds = optionalNumber(
            args[2].timeoutSeconds,
            'ctx.ask: timeoutSeconds',
            (n) => n > 0,
            'a positive number',
          );
          // The buyer needs time to answer: a question timed to expire at once would blame them.
          if (timeoutSeconds !== undefined && timeoutSeconds < limits.minQuestionSeconds) {
            throw new RangeError(
              `ctx.ask: timeoutSeconds must be at least ${limits.minQuestionSeconds}, to give the buyer time to answer.`,
            );
          }
          options = timeoutSeconds === undefined ? {} : { timeoutSeconds };
        }
        return async () => {
          const answer = await ctx.ask(question, schema as never, options);
          return jsonCopy(answer, 'The answer', limits.maxJsonBytes);
        };
      }
      case 'model': {
        const raw = args[0];
        if (!isRecord(raw)) throw new TypeError('ctx.model: the request must be an object.');
        // The schema crosses apart, as JSON text serialized in the isolate.
        onlyKeys(raw, ['system', 'prompt', 'maxOutputTokens', 'temperature'], 'ctx.model: the request');
        const request: ModelRequest = {
          prompt: text(raw.prompt, 'ctx.model: prompt', limits.maxPromptChars),
        };
        if (raw.system !== undefined)
          request.system = text(raw.system, 'ctx.model: system', limits.maxPromptChars);
        if (args[1] !== undefined)
          request.schema = jsonObjectText(args[1], 'ctx.model: schema', limits.maxJsonBytes);
        const maxOutputTokens = optionalNumber(
          raw.maxOutputTokens,
          'ctx.model: maxOutputTokens',
          (n) => Number.isSafeInteger(n) && n >= 1,
          'a whole number of at least 1',
        );
        if (maxOutputTokens !== undefined) request.maxOutputTokens = maxOutputTokens;
        const temperature = optionalNumber(
          raw.temperature,
          'ctx.model: temperature',
          (n) => n >= 0,
          'a number ≥ 0',
        );
        if (temperature !== undefined) request.temperature = temperature;
        return async () => {
          const result = await ctx.model(request);
          return {
            text: String(result.text),
            ...(result.object === undefined
              ? {}
              : { object: jsonCopy(result.object, "The model's object", limits.maxJsonBytes) }),
            model: String(result.model),
            usage: {
              inputTokens: Number(result.usage.inputTokens),
              outputTokens: Number(result.usage.outputTokens),
            },
          };
        };
      }
      case 'readFile': {
        const id = text(args[0], 'The file id', 200);
        const as = args[1];
        if (as !== 'text' && as !== 'bytes') throw new TypeError('Malformed bridge call.');
        const file = Object.values(ctx.files)
          .flat()
          .find((f: AgentFile) => f.id === id);
        if (file === undefined) throw new TypeError(`No input file has the id "${id}".`);
        if (file.size > limits.maxFileBytes) {
          throw new RangeError(
            `The file "${file.name}" is ${file.size} bytes; the sandbox reads files of up to ${limits.maxFileBytes} bytes.`,
          );
        }
        const what = `The file "${file.name}"`;
        this.#hold(ticket, file.size, what);
        let counted = 0;
        // Bytes past the declared size are counted too.
        const hold = (n: number) => {
          counted += n;
          if (counted > file.size) this.#hold(ticket, Math.min(n, counted - file.size), what);
        };
        return async () => {
          const bytes = await readCapped(file.stream(), limits.maxFileBytes, what, hold, ctx.signal);
          return as === 'text' ? decoder.decode(bytes) : bytes;
        };
      }
      case 'fetch':
        return this.#prepareFetch(args, ticket);
      default:
        throw new TypeError(`Unknown bridge call "${op}".`);
    }
  }

  #prepareFetch(args: unknown[], ticket: Ticket): () => Promise<unknown> {
    const { limits, manifest } = this.#o;
    const { raw, method, headers, rawBody, bodySize } = fetchRequest(args, limits);
    if (this.#fetches >= limits.maxFetches) {
      throw new RangeError(`ctx.fetch: a run may make at most ${limits.maxFetches} requests.`);
    }
    if (this.#fetching >= limits.maxConcurrentFetches) {
      throw new RangeError(
        `ctx.fetch: at most ${limits.maxConcurrentFetches} requests may be in flight at once.`,
      );
    }
    this.#hold(ticket, bodySize, 'ctx.fetch');
    const body = typeof rawBody === 'string' ? encoder.encode(rawBody) : rawBody;
    this.#fetches += 1;
    this.#fetching += 1;
    const allowed = manifest.runtime.kind === 'code' ? manifest.runtime.allowedHosts : [];
    return async () => {
      try {
        // The signal comes first: it bounds the name's lookup as well as the request.
        const signal = AbortSignal.any([this.#o.ctx.signal, AbortSignal.timeout(limits.fetchTimeoutMs)]);
        const { url, addresses } = await checkUrl(raw, allowed, this.#o.lookup, {
          signal,
          lookupTimeoutMs: limits.lookupTimeoutMs,
        });
        let response: Response;
        try {
          response = await this.#o.fetch({ url, method, headers, body, signal, addresses });
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          throw new TypeError(`ctx.fetch: the request to ${url.hostname} failed: ${why}`);
        }
        const what = `The response from ${url.hostname}`;
        const bytes = await readCapped(
          response.body,
          limits.maxResponseBytes,
          what,
          (n) => this.#hold(ticket, n, what),
          signal,
        );
        const responseHeaders: [string, string][] = [];
        for (const [name, value] of response.headers) {
          if (responseHeaders.length < 200) responseHeaders.push([String(name), String(value)]);
        }
        return {
          url: url.href,
          status: Number(response.status),
          statusText: String(response.statusText),
          headers: responseHeaders,
          body: bytes,
        };
      } finally {
        this.#fetching -= 1;
      }
    };
  }
}

export { MAX_JSON_DEPTH, SANDBOX_LIMITS, type SandboxLimits } from './limits.ts';
