import { MAX_JSON_DEPTH, type SandboxLimits } from './limits.ts';

/**
 * The bridge's checks of what the isolate sends, and its copies of what goes back: each value's type,
 * size and shape, checked before the host uses it.
 */

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
export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

export const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

export function text(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string.`);
  if (value.length > max) throw new RangeError(`${what} is longer than ${max} characters.`);
  return value;
}

export function optionalNumber(value: unknown, what: string, check: (n: number) => boolean, rule: string) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
    throw new TypeError(`${what} must be ${rule}.`);
  }
  return value;
}

export const tooLarge = (what: string, maxBytes: number) =>
  new RangeError(`${what} is larger than ${maxBytes} bytes as JSON.`);

/** How deep `text` nests (`[` and `{` outside strings), scanning no further than `max` + 1 levels. */
function nesting(text: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > max) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * A JSON value the isolate sent as text (serialized there, so its cost is the agent's): refused by
 * length before anything is parsed, and by nesting before the parse recurses; `__proto__` keys are
 * dropped, so that no host code copying the value by assignment can be given a prototype.
 */
function parseJsonText(value: unknown, what: string, maxBytes: number): unknown {
  if (typeof value !== 'string') throw new TypeError(`${what} must be JSON.`);
  if (value.length > maxBytes) throw tooLarge(what, maxBytes);
  if (nesting(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new TypeError(`${what} is nested more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  try {
    return JSON.parse(value, (key, v) => (key === '__proto__' ? undefined : v));
  } catch {
    throw new TypeError(`${what} must be JSON.`);
  }
}

export function jsonObjectText(value: unknown, what: string, maxBytes: number): Record<string, unknown> {
  const parsed = parseJsonText(value, what, maxBytes);
  if (!isRecord(parsed)) throw new TypeError(`${what} must be an object.`);
  return parsed;
}

/**
 * A fresh copy of a JSON value the host hands to the isolate (an answer, a model's object), made by
 * walking it with a budget: the work stops as soon as the value is certainly larger than `maxBytes` as
 * JSON, however it is shaped (a sparse array's length costs its holes, never more than the budget).
 * Own enumerable data only, `__proto__` keys dropped; like `JSON.stringify` otherwise.
 */
export function jsonCopy(value: unknown, what: string, maxBytes: number): unknown {
  let left = maxBytes;
  const spend = (n: number) => {
    left -= n;
    if (left < 0) throw tooLarge(what, maxBytes);
  };
  const copy = (input: unknown, key: string, depth: number): unknown => {
    if (depth > MAX_JSON_DEPTH) {
      throw new TypeError(`${what} must be JSON (no cycles, at most ${MAX_JSON_DEPTH} levels deep).`);
    }
    let v = input;
    if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON(key: string): unknown }).toJSON(key);
    }
    if (v === null) {
      spend(4);
      return null;
    }
    switch (typeof v) {
      case 'string':
        spend(v.length + 2);
        return v;
      case 'number':
        spend(1);
        return Number.isFinite(v) ? v : null;
      case 'boolean':
        spend(4);
        return v;
      case 'bigint':
        throw new TypeError(`${what} must be JSON (no BigInt).`);
      case 'object':
        break;
      default:
        return undefined; // undefined, functions, symbols: left out, as JSON.stringify does
    }
    spend(2);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        spend(1);
        out.push(copy(v[i], String(i), depth + 1) ?? null);
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) {
      if (k === '__proto__') continue;
      const item = copy((v as Record<string, unknown>)[k], k, depth + 1);
      if (item === undefined) continue;
      spend(k.length + 4);
      out[k] = item;
    }
    return out;
  };
  const out = copy(value, '', 0);
  if (out === undefined) throw new TypeError(`${what} must be JSON.`);
  return out;
}

export function onlyKeys(value: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new TypeError(`${what} has an unknown field "${key}".`);
  }
}

/**
 * Reads a stream whole, up to `cap` bytes; `hold(n)` counts each chunk against the run's bytes in
 * flight (and throws past them); `signal` (a timeout, the run's end) cancels the read.
 */
export async function readCapped(
  stream: ReadableStream<Uint8Array> | null,
  cap: number,
  what: string,
  hold: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  const cancel = () => {
    reader.cancel().catch(() => {});
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) throw new TypeError(`${what} was not read: the request was stopped.`);
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > cap) {
        cancel();
        throw new RangeError(`${what} is larger than the sandbox's limit of ${cap} bytes.`);
      }
      try {
        hold(value.byteLength);
      } catch (error) {
        cancel();
        throw error;
      }
      parts.push(value);
    }
    if (signal?.aborted) throw new TypeError(`${what} was not read: the request was stopped.`);
  } finally {
    signal?.removeEventListener('abort', cancel);
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

/** A `ctx.fetch` request's arguments, checked: the URL text, method, headers and body (its UTF-8 size). */
export function fetchRequest(args: unknown[], limits: SandboxLimits) {
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
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError('ctx.fetch: a header is not a pair.');
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
  const rawBody = init.body;
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array) && rawBody !== null) {
    throw new TypeError('ctx.fetch: the body must be a string, bytes or null.');
  }
  // A string's UTF-8 size is measured before it is encoded.
  const bodySize =
    rawBody === null
      ? 0
      : typeof rawBody === 'string'
        ? rawBody.length > limits.maxRequestBytes
          ? Number.POSITIVE_INFINITY
          : Buffer.byteLength(rawBody, 'utf8')
        : rawBody.byteLength;
  if (bodySize > limits.maxRequestBytes) {
    throw new RangeError(`ctx.fetch: the body is larger than the limit of ${limits.maxRequestBytes} bytes.`);
  }
  if (rawBody !== null && (method === 'GET' || method === 'HEAD')) {
    throw new TypeError(`ctx.fetch: a ${method} request cannot have a body.`);
  }
  return { raw, method, headers, rawBody, bodySize };
}
