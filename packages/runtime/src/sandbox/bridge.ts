import { randomUUID } from 'node:crypto';
import { AgentFailure, artifactName, type Manifest } from '@jeton/core';
import type ivm from 'isolated-vm';
import type { AgentCtx, AgentFile, LogLevel, ModelRequest } from '../sdk/types.ts';
import { checkUrl, type HostFetch, type HostLookup, NetworkRefusal } from './network.ts';

/** The sandbox's caps on what crosses the bridge; each is checked on the host, whatever the isolate says. */
export interface SandboxLimits {
  /** The bundle's size in UTF-8 bytes. */
  maxBundleBytes: number;
  /** One artifact's size. */
  maxArtifactBytes: number;
  /** The largest input file `text()`/`bytes()` will read. */
  maxFileBytes: number;
  /** A fetch request's body. */
  maxRequestBytes: number;
  /** A fetch response's body (the read stops there and the call fails). */
  maxResponseBytes: number;
  /** Calls through the bridge in one run (ctx calls, log lines, `signal.aborted` checks); past it, a violation. */
  maxBridgeCalls: number;
  /** Asynchronous ctx calls (artifact, charge, ask, model, fetch, file reads) in flight at once. */
  maxConcurrentCalls: number;
  maxConcurrentFetches: number;
  /** Fetches in one run. */
  maxFetches: number;
  fetchTimeoutMs: number;
  /** Log and progress messages are cut to this length. */
  maxMessageChars: number;
  /** Log lines kept per run; later ones are dropped (one warning says so). */
  maxLogLines: number;
  /** Progress updates kept per run; later ones are dropped. */
  maxProgressUpdates: number;
  /** A model prompt or system message, an ask question. */
  maxPromptChars: number;
  /** A JSON value crossing the bridge (a schema, an answer, a model's object), serialized. */
  maxJsonBytes: number;
  /** An error message crossing the bridge, either way. */
  maxErrorChars: number;
}

export const SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  maxBundleBytes: 10 * 1024 * 1024,
  maxArtifactBytes: 32 * 1024 * 1024,
  maxFileBytes: 32 * 1024 * 1024,
  maxRequestBytes: 8 * 1024 * 1024,
  maxResponseBytes: 16 * 1024 * 1024,
  maxBridgeCalls: 200_000,
  maxConcurrentCalls: 32,
  maxConcurrentFetches: 8,
  maxFetches: 1000,
  fetchTimeoutMs: 30_000,
  maxMessageChars: 4000,
  maxLogLines: 1000,
  maxProgressUpdates: 1000,
  maxPromptChars: 1_000_000,
  maxJsonBytes: 256 * 1024,
  maxErrorChars: 2000,
});

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

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the host sets itself, or that could change where or how the request goes. */
const FORBIDDEN_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
  'expect',
  'proxy-authorization',
  'proxy-connection',
]);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

function text(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string.`);
  if (value.length > max) throw new RangeError(`${what} is longer than ${max} characters.`);
  return value;
}

function optionalNumber(value: unknown, what: string, check: (n: number) => boolean, rule: string) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
    throw new TypeError(`${what} must be ${rule}.`);
  }
  return value;
}

/** A fresh JSON value (own data only, `__proto__` keys dropped), refused above `maxBytes`. */
function jsonValue(value: unknown, what: string, maxBytes: number): unknown {
  let serialized: string | undefined;
  try {
    serialized = JSON.stringify(value);
  } catch {
    throw new TypeError(`${what} must be JSON (no BigInt, no cycles).`);
  }
  if (serialized === undefined) throw new TypeError(`${what} must be JSON.`);
  if (serialized.length > maxBytes) throw new RangeError(`${what} is larger than ${maxBytes} bytes as JSON.`);
  return JSON.parse(serialized, (key, v) => (key === '__proto__' ? undefined : v));
}

function jsonObject(value: unknown, what: string, maxBytes: number): Record<string, unknown> {
  if (!isRecord(value)) throw new TypeError(`${what} must be an object.`);
  return jsonValue(value, what, maxBytes) as Record<string, unknown>;
}

function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new TypeError(`${what} has an unknown field "${key}".`);
  }
}

async function readCapped(
  stream: ReadableStream<Uint8Array> | null,
  cap: number,
  what: string,
): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > cap) {
        await reader.cancel().catch(() => {});
        throw new RangeError(`${what} is larger than the sandbox's limit of ${cap} bytes.`);
      }
      parts.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/**
 * The host side of the bridge: one entry, `call(op, id, args)`, handed to the isolate as an
 * `ivm.Callback` (so every argument arrives as a copy). Every argument is checked for type and size
 * before the SDK context is called, results go back as fresh plain values, and errors go back as
 * `ErrorInfo` (strings), never as host objects.
 */
export class Bridge {
  /** The first violation (a refused request), which ends the run whatever the agent does with it. */
  violation: AgentFailure | null = null;
  readonly #o: BridgeOptions;
  readonly #failures = new Map<string, AgentFailure>();
  readonly #inflight = new Set<Promise<void>>();
  #settle: ivm.Reference | null = null;
  #closed = false;
  #fetching = 0;
  #calls = 0;
  #fetches = 0;
  #logs = 0;
  #progress = 0;

  constructor(options: BridgeOptions) {
    this.#o = options;
  }

  /** The isolate's `settle(id, ok, value)`, through which asynchronous calls are answered. */
  attach(settle: ivm.Reference): void {
    this.#settle = settle;
  }

  /** After the run: refuse every new call and stop answering. */
  close(): void {
    this.#closed = true;
  }

  /** Waits for the host work the agent started (an artifact being stored, a charge) to end. */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  /** The host's own failure behind an id the isolate rethrew, if it is one the host issued. */
  failure(id: unknown): AgentFailure | undefined {
    return typeof id === 'string' ? this.#failures.get(id) : undefined;
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
      const task = this.#prepare(op, args);
      const done = task().then(
        (value) => this.#reply(id, true, value),
        (error: unknown) => {
          if (error instanceof NetworkRefusal) this.#violate(error.message, 'async');
          this.#reply(id, false, this.#describe(error));
        },
      );
      this.#inflight.add(done);
      void done.finally(() => this.#inflight.delete(done));
      return { ok: true };
    } catch (error) {
      return { ok: false, error: this.#describe(error) };
    }
  };

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
    if (this.#settle === null || this.#closed || this.violation !== null) return;
    try {
      this.#settle.apply(undefined, [id, ok, value], { arguments: { copy: true } }).catch(() => {});
    } catch {
      // the isolate is gone: nobody is waiting for the answer
    }
  }

  #describe(error: unknown): ErrorInfo {
    const max = this.#o.limits.maxErrorChars;
    if (error instanceof AgentFailure) {
      const failureId = randomUUID();
      this.#failures.set(failureId, error);
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

  /** Checks an asynchronous call's arguments now; the returned task does the work. */
  #prepare(op: string, args: unknown[]): () => Promise<unknown> {
    const { ctx, limits } = this.#o;
    switch (op) {
      case 'artifact': {
        const name = text(args[0], 'ctx.artifact: the name', 100);
        const checked = artifactName.safeParse(name);
        if (!checked.success) throw new TypeError(`ctx.artifact: "${name}" is not a valid artifact name.`);
        const data = args[1];
        if (typeof data === 'string') {
          if (data.length > limits.maxArtifactBytes)
            throw new RangeError('ctx.artifact: the artifact is too large.');
        } else if (data instanceof Uint8Array) {
          if (data.byteLength > limits.maxArtifactBytes) {
            throw new RangeError(
              `ctx.artifact: the artifact is ${data.byteLength} bytes, above the limit of ${limits.maxArtifactBytes}.`,
            );
          }
        } else
          throw new TypeError('ctx.artifact: the content must be a string, a Uint8Array or an ArrayBuffer.');
        const mediaType = text(args[2], 'ctx.artifact: the media type', 200);
        const bytes = typeof data === 'string' ? encoder.encode(data) : data;
        if (bytes.byteLength > limits.maxArtifactBytes)
          throw new RangeError('ctx.artifact: the artifact is too large.');
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
        const schema = jsonObject(args[1], 'ctx.ask: the answer schema', limits.maxJsonBytes);
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
          options = timeoutSeconds === undefined ? {} : { timeoutSeconds };
        }
        return async () => {
          const answer = await ctx.ask(question, schema as never, options);
          return jsonValue(answer, 'The answer', limits.maxJsonBytes);
        };
      }
      case 'model': {
        const raw = args[0];
        if (!isRecord(raw)) throw new TypeError('ctx.model: the request must be an object.');
        onlyKeys(
          raw,
          ['system', 'prompt', 'schema', 'maxOutputTokens', 'temperature'],
          'ctx.model: the request',
        );
        const request: ModelRequest = {
          prompt: text(raw.prompt, 'ctx.model: prompt', limits.maxPromptChars),
        };
        if (raw.system !== undefined)
          request.system = text(raw.system, 'ctx.model: system', limits.maxPromptChars);
        if (raw.schema !== undefined)
          request.schema = jsonObject(raw.schema, 'ctx.model: schema', limits.maxJsonBytes);
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
              : { object: jsonValue(result.object, 'The model', limits.maxJsonBytes) }),
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
        return async () => {
          const bytes = await readCapped(file.stream(), limits.maxFileBytes, `The file "${file.name}"`);
          return as === 'text' ? decoder.decode(bytes) : bytes;
        };
      }
      case 'fetch':
        return this.#prepareFetch(args);
      default:
        throw new TypeError(`Unknown bridge call "${op}".`);
    }
  }

  #prepareFetch(args: unknown[]): () => Promise<unknown> {
    const { limits, manifest } = this.#o;
    const raw = text(args[0], 'ctx.fetch: the URL', 8192);
    const init = args[1];
    if (!isRecord(init)) throw new TypeError('ctx.fetch: init must be an object.');
    const method = text(init.method, 'ctx.fetch: the method', 10).toUpperCase();
    if (!METHODS.has(method)) throw new TypeError(`ctx.fetch: the method "${method}" is not allowed.`);
    if (!Array.isArray(init.headers) || init.headers.length > 100) {
      throw new TypeError('ctx.fetch: headers must be at most 100 name/value pairs.');
    }
    const headers: [string, string][] = [];
    let headerBytes = 0;
    for (const pair of init.headers as unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw new TypeError('ctx.fetch: a header is not a pair.');
      const name = text(pair[0], 'ctx.fetch: a header name', 200).toLowerCase();
      const value = text(pair[1], `ctx.fetch: the header "${name}"`, 16_384);
      if (!TOKEN.test(name)) throw new TypeError(`ctx.fetch: "${name}" is not a valid header name.`);
      if (/[\r\n\0]/.test(value)) throw new TypeError(`ctx.fetch: the header "${name}" has a line break.`);
      if (FORBIDDEN_HEADERS.has(name))
        throw new TypeError(`ctx.fetch: the header "${name}" is set by the sandbox.`);
      headerBytes += name.length + value.length;
      headers.push([name, value]);
    }
    if (headerBytes > 65_536) throw new RangeError('ctx.fetch: the headers are larger than 64 KiB.');
    let body: Uint8Array | null = null;
    if (typeof init.body === 'string') body = encoder.encode(init.body);
    else if (init.body instanceof Uint8Array) body = init.body;
    else if (init.body !== null) throw new TypeError('ctx.fetch: the body must be a string, bytes or null.');
    if (body !== null && body.byteLength > limits.maxRequestBytes) {
      throw new RangeError(
        `ctx.fetch: the body is larger than the limit of ${limits.maxRequestBytes} bytes.`,
      );
    }
    if (body !== null && (method === 'GET' || method === 'HEAD')) {
      throw new TypeError(`ctx.fetch: a ${method} request cannot have a body.`);
    }
    if (this.#fetches >= limits.maxFetches) {
      throw new RangeError(`ctx.fetch: a run may make at most ${limits.maxFetches} requests.`);
    }
    if (this.#fetching >= limits.maxConcurrentFetches) {
      throw new RangeError(
        `ctx.fetch: at most ${limits.maxConcurrentFetches} requests may be in flight at once.`,
      );
    }
    this.#fetches += 1;
    this.#fetching += 1;
    const allowed = manifest.runtime.kind === 'code' ? manifest.runtime.allowedHosts : [];
    return async () => {
      try {
        const { url, addresses } = await checkUrl(raw, allowed, this.#o.lookup);
        const signal = AbortSignal.any([this.#o.ctx.signal, AbortSignal.timeout(limits.fetchTimeoutMs)]);
        let response: Response;
        try {
          response = await this.#o.fetch({ url, method, headers, body, signal, addresses });
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          throw new TypeError(`ctx.fetch: the request to ${url.hostname} failed: ${why}`);
        }
        const bytes = await readCapped(
          response.body,
          limits.maxResponseBytes,
          `The response from ${url.hostname}`,
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
